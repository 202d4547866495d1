"""The real CLI: exit codes, stdout and stderr together; the JSON contract; the demo; the entry point."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from conftest import make_repo, write_files
from gitops_lint.cli import main
from gitops_lint.demo import build_demo

REPORT_SCHEMA = json.loads((Path(__file__).parents[1] / "docs/schemas/report.schema.json").read_text())


def _sha(root: Path, subject_word: str) -> str:
    """The abbreviated SHA (10) of the demo commit whose subject contains `subject_word`."""
    out = subprocess.run(["git", "-C", str(root), "log", "--format=%H %s"], capture_output=True, text=True,
                         check=True).stdout
    return next(line[:10] for line in out.splitlines() if subject_word in line)


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _demo(tmp_path: Path, *, bad: bool) -> Path:
    steps = build_demo(tmp_path / "demo")
    _, root = next(steps)
    if bad:
        next(steps)
    return root


def test_seed_layout_is_clean(tmp_path: Path) -> None:
    root = _demo(tmp_path, bad=False)
    code, out, err = _invoke("check", str(root))
    assert (code, err) == (0, "")
    assert out == "PASS  0 errors, 0 warnings, 0 info in 1 app (dev → stage → prod), 8 files read\n"


def test_seed_layout_violations_text(tmp_path: Path) -> None:
    root = _demo(tmp_path, bad=True)
    code, out, err = _invoke("check", str(root), "--no-color")
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == "argocd/manual-app-prod.yaml:19:5  error   argocd/auto-sync-prod"
    assert out.splitlines()[3:6] == [
        "manual-app-helm/values-prod.yaml:2:8  error   promotion/untested-tag",
        "    prod runs registry.example.com/team/manual-app:17, which never ran in stage (stage ran 14, 15, 16 on "
        "branch main; 17 was only in dev, since 2026-10-14); it reached prod in commit "
        f"{_sha(root, 'hotfix')} (2026-10-14 17:45:00 UTC)",
        "    fix: promote 17 to stage (manual-app-helm/values-stage.yaml) and let it run there first, then promote "
        "it to prod",
    ]
    assert out.splitlines()[-1] == "FAIL  5 errors, 0 warnings, 0 info in 1 app (dev → stage → prod), 8 files read"


def test_json_matches_contract_and_schema(tmp_path: Path) -> None:
    root = _demo(tmp_path, bad=True)
    code, out, err = _invoke("check", str(root), "--format", "json")
    assert (code, err) == (1, "")
    report = json.loads(out)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["result"] == "fail"
    assert report["summary"] == {"error": 5, "warning": 0, "info": 0, "apps": 1, "envs": 3, "files": 8, "unmodeled": 0}
    assert report["history"] == "checked"
    first = report["findings"][0]
    assert {k: first[k] for k in ("rule", "severity", "path", "line", "column", "app", "env")} == {
        "rule": "argocd/auto-sync-prod", "severity": "error", "path": "argocd/manual-app-prod.yaml",
        "line": 19, "column": 5, "app": "manual-app", "env": "prod"}
    assert first["message"] == ("prod's Application manual-app-prod syncs automatically (syncPolicy.automated) "
                                "from main: every change on main reaches prod with no promotion step")


def test_json_is_deterministic(tmp_path: Path) -> None:
    root = _demo(tmp_path, bad=True)
    assert _invoke("check", str(root), "--format", "json") == _invoke("check", str(root), "--format", "json")


def test_fail_on_warning_and_strict(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"app/values-dev.yaml": "replicaCount: 1\n",
                                      "app/values-prod.yaml": "replicaCount: 3\n"})
    assert _invoke("check", str(root))[0] == 0  # structure/missing-env is a warning
    assert _invoke("check", str(root), "--strict")[0] == 1
    assert _invoke("check", str(root), "--fail-on", "warning")[0] == 1


def test_output_file(tmp_path: Path) -> None:
    root = _demo(tmp_path, bad=False)
    report = tmp_path / "report.json"
    code, out, err = _invoke("check", str(root), "--format", "json", "--output", str(report))
    assert (code, out, err) == (0, "", "")
    assert json.loads(report.read_text())["result"] == "pass"


def test_missing_path_exits_2(tmp_path: Path) -> None:
    code, out, err = _invoke("check", str(tmp_path / "nope"))
    assert (code, out) == (2, "")
    assert err == f"gitops-lint: error: PATH '{tmp_path / 'nope'}' does not exist\n"


def test_invalid_config_exits_2_with_file_and_line(tmp_path: Path) -> None:
    write_files(tmp_path, {".gitops-lint.yaml": "rules:\n  parity/drift: loud\n", "app/values-prod.yaml": "a: 1\n"})
    code, out, err = _invoke("check", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.startswith("gitops-lint: error: .gitops-lint.yaml:2 (rules.parity/drift): invalid configuration: ")


def test_unknown_rule_in_config_exits_2(tmp_path: Path) -> None:
    write_files(tmp_path, {".gitops-lint.yaml": "rules:\n  parity/drfit: off\n"})
    code, out, err = _invoke("check", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == ("gitops-lint: error: .gitops-lint.yaml:2 (rules.*): unknown rule; did you mean "
                   "parity/drift? (see `gitops-lint rules`)\n")


def test_config_turns_rule_off_and_sets_params(tmp_path: Path) -> None:
    root = _demo(tmp_path, bad=True)
    (root / ".gitops-lint.yaml").write_text(
        "rules:\n  argocd/auto-sync-prod: off\n  parity/drift:\n    allow: ['resources.limits.memory']\n")
    code, out, _ = _invoke("check", str(root), "--format", "json")
    rules = [f["rule"] for f in json.loads(out)["findings"]]
    assert rules == ["promotion/untested-tag", "exposure/missing-tls", "parity/drift"]


def test_rules_and_explain() -> None:
    code, out, err = _invoke("rules")
    assert (code, err) == (0, "")
    assert "parity/drift              error    The env before production differs" in out
    code, out, err = _invoke("explain", "parity/drift")
    assert (code, err) == (0, "")
    assert out.startswith("# parity/drift: Stage does not rehearse prod\n\nDefault severity: error\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix",
                    "## Options"):
        assert heading in out
    code, out, err = _invoke("explain", "parity/nope")
    assert (code, out, err) == (2, "", "gitops-lint: error: unknown rule 'parity/nope' (see `gitops-lint rules`)\n")


def test_discover_text_and_json(tmp_path: Path) -> None:
    root = _demo(tmp_path, bad=False)
    code, out, _ = _invoke("discover", str(root))
    assert code == 0
    assert out.splitlines()[:8] == [
        "manual-app  (dev → stage → prod)  found by: argocd-application",
        "  promotion:",
        "    dev → stage  by name (dev comes before stage)",
        "    stage → prod  by name (stage comes before prod)",
        "  dev",
        "    application: manual-app-dev (argocd/manual-app-dev.yaml), auto-sync, namespace dev, watches main",
        "    chart:  manual-app-helm",
        "    values: manual-app-helm/values.yaml, manual-app-helm/values-dev.yaml",
    ]
    code, out, _ = _invoke("discover", str(root), "--format", "json")
    data = json.loads(out)
    assert [e["env"] for e in data["apps"][0]["envs"]] == ["dev", "stage", "prod"]


def test_demo_command(tmp_path: Path) -> None:
    code, out, err = _invoke("demo", str(tmp_path / "d"))
    assert (code, err) == (0, "")
    assert out.count("$ gitops-lint check") == 2
    assert "PASS  0 errors" in out and "FAIL  5 errors" in out


def test_installed_entry_point_and_module(tmp_path: Path) -> None:
    root = _demo(tmp_path, bad=True)
    exe = Path(sys.executable).with_name("gitops-lint")
    for command in ([str(exe)], [sys.executable, "-m", "gitops_lint"]):
        proc = subprocess.run([*command, "check", str(root), "--format", "json"], capture_output=True, text=True,
                              env={**os.environ, "NO_COLOR": "1"})
        assert proc.returncode == 1, proc.stderr
        assert json.loads(proc.stdout)["summary"]["error"] == 5
