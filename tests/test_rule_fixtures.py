"""One case per fixture dir: tests/fixtures/rules/<category>/<name>/<ok|bad>-*/ with expected.txt.

Each case is copied to a temp dir and linted with every rule (as a user runs it, so one rule's
file loads can show in another's findings); the findings of the case's rule must equal
expected.txt line for line (`path:line:col rule message`; empty for ok-* cases).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, copy_fixture, finding_lines, lint
from gitops_lint.rules import load_rules

CASES = sorted(p for p in (FIXTURES / "rules").glob("*/*/*") if p.is_dir())


def _rule_of(case: Path) -> str:
    return f"{case.parent.parent.name}/{case.parent.name}"


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES / "rules")) for c in CASES])
def test_fixture_case(case: Path, tmp_path: Path) -> None:
    root = copy_fixture(case, tmp_path / "repo")
    expected_file = case / "expected.txt"
    expected = [line for line in expected_file.read_text().splitlines() if line.strip()] \
        if expected_file.exists() else []
    assert case.name.startswith(("ok-", "bad-")), "fixture cases are named ok-* or bad-*"
    if case.name.startswith("ok-"):
        assert expected == [], "ok-* cases expect no findings"
    else:
        assert expected, "bad-* cases list their findings in expected.txt"
    rule = _rule_of(case)
    assert [line for line in finding_lines(lint(root)) if line.split(" ", 2)[1] == rule] == expected


# fixtures with git history: test_history.py; PR mode (--base): test_pr_workflows.py
HISTORY_RULES = {"promotion/untested-tag", "promotion/soak-time", "structure/removed"}


@pytest.mark.parametrize("rule", [r.id for r in load_rules() if r.id not in HISTORY_RULES])
def test_every_rule_has_ok_and_bad_fixtures(rule: str) -> None:
    cases = [c.name for c in CASES if _rule_of(c) == rule]
    assert any(c.startswith("ok-") for c in cases), f"{rule} has no ok-* fixture"
    assert any(c.startswith("bad-") for c in cases), f"{rule} has no bad-* fixture"
