"""The typed Report is all a format sees: rules that did not run say why (JUnit skipped), and no
runner path leaks into SARIF."""
from __future__ import annotations

import json
from pathlib import Path

import junitparser
from click.testing import CliRunner

from gitops_lint.cli import main


def test_junit_marks_rules_that_did_not_run_as_skipped_with_the_reason(bad_demo: Path, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    result = CliRunner().invoke(main, ["check", str(bad_demo), "--no-history", "-o", f"junit={report}"])
    assert result.exit_code == 1
    suites = {suite.name: suite for suite in junitparser.JUnitXml.fromfile(str(report))}
    [case] = list(suites["promotion/untested-tag"])
    assert case.result[0].message == "did not run: --no-history"
    assert suites["promotion/soak-time"].skipped == 1  # off unless min_soak is set
    assert list(suites["promotion/soak-time"])[0].result[0].message == "did not run: turned off in the configuration"
    assert suites["parity/drift"].skipped == 0 and suites["parity/drift"].failures == 2


def test_sarif_holds_no_absolute_path_of_the_runner(bad_demo: Path) -> None:
    out = CliRunner().invoke(main, ["check", str(bad_demo), "--format", "sarif"]).stdout
    assert str(bad_demo) not in out and "file://" not in out
    run = json.loads(out)["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"description": {"text": "the root of the linted repository"}}}
