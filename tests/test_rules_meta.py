"""Meta-tests over rules/: valid, unique, documented, and every example behaves as documented."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint, write_files
from gitops_lint.checks import kind_names
from gitops_lint.docs import catalogue
from gitops_lint.rules import load_rules, rules_dir

RULES = load_rules()
DESIGN_IDS = {
    "promotion/rebuilt-image", "promotion/mutable-tag", "parity/drift", "parity/replicas", "exposure/missing-tls",
    "exposure/missing-ingress", "argocd/auto-sync-prod", "argocd/values-file", "argocd/namespace", "argocd/source",
    "structure/missing-env", "yaml/syntax", "yaml/duplicate-key", "yaml/unsafe",
}


def test_rule_ids_are_the_public_contract() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert DESIGN_IDS <= set(ids)
    for rule in RULES:
        assert rule.path == f"rules/{rule.id}.yaml"
        assert (rules_dir() / f"{rule.id}.yaml").is_file()


def test_every_check_kind_is_used() -> None:
    assert sorted({rule.kind for rule in RULES}) == kind_names()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_message_case_has_a_fix(rule: object) -> None:
    for case in rule.messages:  # type: ignore[attr-defined]
        assert rule.fix_for(case, {}) != "", f"{rule.id}: no fix for case {case}"  # type: ignore[attr-defined]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_examples_behave_as_documented(rule: object, tmp_path: Path) -> None:
    examples = rule.examples  # type: ignore[attr-defined]
    rule_id = rule.id  # type: ignore[attr-defined]
    write_files(tmp_path / "bad", examples["bad"]["files"])
    write_files(tmp_path / "good", examples["good"]["files"])
    bad = [f"{f.path}:{f.line} {f.rule}" if f.line else f"{f.path} {f.rule}"
           for f in lint(tmp_path / "bad", only={rule_id}).findings]
    assert bad == examples["bad"]["expect"]
    assert lint(tmp_path / "good", only={rule_id}).findings == []


def test_generated_rule_docs_are_current() -> None:
    docs = Path(__file__).parents[1] / "docs" / "rules.md"
    assert docs.read_text() == catalogue(), "regenerate: python -m gitops_lint.docs > docs/rules.md"
