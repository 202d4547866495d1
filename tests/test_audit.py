"""`gitops-lint audit`: promotion events judged as of their commit, metrics with exact durations,
window and app/env filters, the JSON schema, exit codes, and the replayed corpus histories."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import finding_lines, git, lint, make_repo, write_files
from gitops_lint.cli import main
from replay import replay

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "schemas" / "audit.schema.json").read_text())
REPO = "registry.example.com/team/app"
CORPUS = Path(os.environ.get("GITOPS_LINT_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
HOUR, DAY = 3600, 86400


def _envs(app: str = "app", **tags: str) -> dict[str, str | None]:
    return {f"{app}/values-{env}.yaml": f"image:\n  repository: {REPO}\n  tag: \"{tag}\"\n" for env, tag in tags.items()}


HISTORY = [
    ("2026-10-01T09:00:00+00:00", "bootstrap", {**_envs(dev="14", stage="14", prod="14"),
                                                **_envs("web", dev="1", stage="1", prod="1")}),
    ("2026-10-02T10:00:00+00:00", "dev 15", _envs(dev="15")),
    ("2026-10-03T11:00:00+00:00", "stage 15", _envs(stage="15")),
    ("2026-10-06T14:00:00+00:00", "prod 15", _envs(prod="15")),
    ("2026-10-08T09:30:00+00:00", "dev 16", _envs(dev="16")),
    ("2026-10-09T10:00:00+00:00", "prod 16 hotfix", _envs(prod="16")),
    ("2026-10-09T12:00:00+00:00", "stage 16 (#42)", _envs(stage="16")),
    ("2026-10-10T12:00:00+00:00", "prod back to 15", _envs(prod="15")),
    ("2026-10-11T08:00:00+00:00", "web dev 2", _envs("web", dev="2")),
    ("2026-10-11T20:00:00+00:00", "web stage 2", _envs("web", stage="2")),
    ("2026-10-12T08:00:00+00:00", "web prod 2", _envs("web", prod="2")),
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("audit") / "repo", history=HISTORY)


def _sha(root: Path, message: str) -> str:
    return next(line.split(" ", 1)[0] for line in git(root, "log", "--format=%H %s").splitlines()
                if line.split(" ", 1)[1] == message)


def _audit(*args: str, code: int = 1) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["audit", "--format", "json", *args])
    assert result.exit_code == code, result.output
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
    return doc


def _rows(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(e["app"], e["env"], e["kind"], e["version"], e["time"]) for e in doc["events"]]


def test_events_lead_soak_rollbacks_and_a_violation_fixed_since(repo: Path) -> None:
    doc = _audit(str(repo))
    assert [(e["env"], e["kind"], e["version"], e["lead_seconds"], e["hop_seconds"], e["soak_seconds"])
            for e in doc["events"] if e["app"] == "app" and e["kind"] != "initial"] == [
        ("dev", "promotion", "15", 0, None, None),
        ("stage", "promotion", "15", 25 * HOUR, 25 * HOUR, 25 * HOUR),
        ("prod", "promotion", "15", 4 * DAY + 4 * HOUR, 3 * DAY + 3 * HOUR, 3 * DAY + 3 * HOUR),
        ("dev", "promotion", "16", 0, None, None),
        ("prod", "promotion", "16", 24 * HOUR + 30 * 60, None, None),  # a hotfix: stage had not run 16
        ("stage", "promotion", "16", 26 * HOUR + 30 * 60, 26 * HOUR + 30 * 60, 26 * HOUR + 30 * 60),
        ("prod", "rollback", "15", None, None, None),
    ]
    # prod runs 15 again at HEAD, so `check` is clean; the audit still lists the hotfix, with its commit
    assert [line for line in finding_lines(lint(repo)) if "untested-tag" in line] == []
    hotfix = _sha(repo, "prod 16 hotfix")
    assert doc["violations"] == [{
        "repo": "repo", "app": "app", "env": "prod", "rule": "promotion/untested-tag", "case": "after",
        "severity": "error", "path": "app/values-prod.yaml", "image": f"{REPO}:16", "version": "16",
        "commit": hotfix, "time": "2026-10-09T10:00:00Z",
        "message": f"prod got {REPO}:16 in commit {hotfix[:10]} (2026-10-09T10:00:00Z), before stage ran it: stage only "
                   f"got it in commit {_sha(repo, 'stage 16 (#42)')[:10]} (2026-10-09T12:00:00Z), 2h00m later"}]
    stage16 = next(e for e in doc["events"] if e["commit"] == _sha(repo, "stage 16 (#42)"))
    assert (stage16["author"], stage16["email"], stage16["pr"], stage16["merge"]) == \
        ("Test", "test@example.invalid", "42", None)
    app = next(a for a in doc["apps"] if a["app"] == "app")
    assert app["lead_time"] == {"count": 2, "median_seconds": (100 * HOUR + 24.5 * HOUR) / 2,
                                "p90_seconds": 100 * HOUR, "min_seconds": 24 * HOUR + 30 * 60}
    assert (app["hotfixes"], app["rollbacks"]) == (1, 1)
    prod = app["envs"][2]
    assert (prod["env"], prod["promotions"], prod["rollbacks"], prod["skipped_upstream"]) == ("prod", 3, 1, 1)
    assert prod["soak"] == {"count": 1, "median_seconds": 75 * HOUR, "p90_seconds": 75 * HOUR, "min_seconds": 75 * HOUR}
    assert app["envs"][1]["soak"] == {"count": 2, "median_seconds": 25.75 * HOUR, "p90_seconds": 26 * HOUR + 30 * 60,
                                      "min_seconds": 25 * HOUR}
    assert app["drift"] == [
        {"up_env": "dev", "env": "stage", "in_sync": True, "since": "2026-10-09T12:00:00Z", "up_versions": ["16"],
         "versions": ["16"]},
        {"up_env": "stage", "env": "prod", "in_sync": False, "since": "2026-10-10T12:00:00Z", "up_versions": ["16"],
         "versions": ["15"]}]
    assert doc["summary"] == {"apps": 2, "events": 16, "initial": 6, "promotion": 9, "rollback": 1, "violations": 1,
                              "failing": 1, "events_with_violations": 1}


def test_window_app_and_env_filters(repo: Path) -> None:
    doc = _audit(str(repo), "--since", "2026-10-09T11:00:00Z", "--until", "2026-10-11", code=0)
    assert _rows(doc) == [("app", "stage", "promotion", "16", "2026-10-09T12:00:00Z"),
                          ("app", "prod", "rollback", "15", "2026-10-10T12:00:00Z"),
                          ("web", "dev", "promotion", "2", "2026-10-11T08:00:00Z"),
                          ("web", "stage", "promotion", "2", "2026-10-11T20:00:00Z")]  # --until a day: all of it
    assert doc["window"] == {"since": "2026-10-09T11:00:00Z", "until": "2026-10-12T00:00:00Z", "app": None, "env": None}
    doc = _audit(str(repo), "--app", "w*", "--env", "prod", code=0)
    assert _rows(doc) == [("web", "prod", "initial", "1", "2026-10-01T09:00:00Z"),
                          ("web", "prod", "promotion", "2", "2026-10-12T08:00:00Z")]
    assert [a["app"] for a in doc["apps"]] == ["web"]
    web = doc["apps"][0]
    assert (web["lead_time"]["median_seconds"], web["drift"][1]["in_sync"]) == (24 * HOUR, True)
    assert _rows(_audit(str(repo), "--env", "production", "--until", "2026-10-09T10:00:00Z", code=0))[-1] == \
        ("app", "prod", "promotion", "15", "2026-10-06T14:00:00Z")  # a role works too; --until excludes its instant


def test_exit_codes_and_usage_errors(repo: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(main, ["audit", str(repo), "--since", "last tuesday"])
    assert (bad.exit_code, bad.stderr.strip()) == (2, "gitops-lint: error: --since 'last tuesday': not a date (use "
                                                      "2026-05-05 or 2026-05-05T08:00:00Z)")
    assert runner.invoke(main, ["audit", str(repo), "--since", "2026-10-05", "--until", "2026-10-01"]).exit_code == 2
    assert runner.invoke(main, ["audit", str(tmp_path / "missing")]).exit_code == 2
    plain = tmp_path / "plain"
    write_files(plain, _envs(dev="1", prod="1"))
    refused = runner.invoke(main, ["audit", str(plain)])
    assert refused.exit_code == 2 and "an audit reads the history" in refused.stderr


def test_text_sarif_junit_jobs_and_several_repos(repo: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["audit", str(repo)])
    assert text.exit_code == 1
    lines = text.stdout.splitlines()
    assert lines[1] == "16 events (9 promotions, 1 rollbacks, 6 initial) in 2 apps; 1 violations"
    assert "    error promotion/untested-tag: prod got registry.example.com/team/app:16 in commit" in text.stdout
    assert "  app (dev → stage → prod): lead time to production median 2d14h, p90 4d4h over 2; hotfixes 1, " \
           "rollbacks 1" in lines
    sarif = json.loads(runner.invoke(main, ["audit", str(repo), "--format", "sarif"]).stdout)
    [result] = sarif["runs"][0]["results"]
    assert (result["ruleId"], result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) == \
        ("promotion/untested-tag", "app/values-prod.yaml")
    out = tmp_path / "audit.xml"
    assert runner.invoke(main, ["audit", str(repo), "--format", "junit", "-o", str(out)]).exit_code == 1
    assert len(ET.parse(out).getroot().findall(".//failure")) == 1
    single = _audit(str(repo))
    assert _audit(str(repo), "--jobs", "2")["events"] == single["events"]
    other = make_repo(tmp_path / "other", history=HISTORY[:2])
    both = _audit(str(repo), str(other))
    assert [r["name"] for r in both["repos"]] == ["repo", "other"]
    assert (len(both["events"]), len(both["apps"])) == (16 + 7, 4)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS} (set GITOPS_LINT_CORPUS)")
def test_govuk_history(tmp_path: Path) -> None:
    """SOURCE.md certain #1 (router v247 in production 56 s before staging) and #2 (a raw SHA), both
    fixed at HEAD; arguable #9 (govuk-mirror never in integration); the v228 → v227 rollback is clean."""
    root = tmp_path / "govuk"
    originals = {new: old for old, new in replay(CORPUS / "alphagov__govuk-helm-charts" / "history.json", root).items()}
    write_files(root, {".gitops-lint.yaml": 'layouts:\n  - files: "charts/app-config/image-tags/{env}/{app}"\n'})
    doc = _audit(str(root))
    found = [(v["app"], v["env"], v["case"], v["version"], originals[v["commit"]][:10], v["time"])
             for v in doc["violations"] if v["env"] == "production"]
    assert found == [
        ("router", "production", "default", "0919caf90a8ff415653f75e79bd55a8f59c5c057", "a9300bbb45",
         "2026-04-23T15:51:22Z"),
        ("router", "production", "after", "v247", "03ed5de436", "2026-05-05T08:37:57Z")]
    mirror = [v for v in doc["violations"] if v["app"] == "govuk-mirror"]
    assert (len(mirror), {v["env"] for v in mirror}, len(doc["violations"])) == (109, {"staging"}, 111)
    rollback = next(e for e in doc["events"] if originals[e["commit"]].startswith("01afaba8fe"))
    assert (rollback["env"], rollback["kind"], rollback["version"], rollback["violations"]) == \
        ("production", "rollback", "v227", [])


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS} (set GITOPS_LINT_CORPUS)")
def test_infra_deployments_history(tmp_path: Path) -> None:
    """SOURCE.md certain #1-#4 of release-service, each at its original commit; the production tag
    at HEAD (f3ac0e4aa928, which staging ran first) is clean."""
    root = tmp_path / "infra"
    originals = {new: old for old, new in replay(CORPUS / "redhat-appstudio__infra-deployments" / "history.json",
                                                 root).items()}
    doc = _audit(str(root))
    production = [(originals[v["commit"]][:9], v["case"], v["version"][:12]) for v in doc["violations"]
                  if v["env"] == "production"]
    assert production == [
        ("e1e31818c", "default", "84a784727818"), ("ed991a2c4", "after", "386031571e33"),
        ("bdb3a6c22", "same-commit", "5e27ea8bc907"), ("64312acff", "default", "f2a156228d20"),
        ("71a9a9702", "same-commit", "9d08c9824742"), ("485b241d9", "default", "d83bd53425b1"),
        ("dc8cbf9b0", "default", "ece02423d99c"), ("ae421c1c9", "default", "d83bd53425b1"),
        ("cd0408a3a", "default", "3bf18ae7cab9"), ("48f26a310", "default", "b7a2c7b04cab"),
        ("4e4ede943", "default", "cfd9fe893f6e"), ("b13cdf33e", "default", "ba18667eb863"),
        ("68e63511c", "default", "535e0e8dd019"), ("e048564a0", "default", "4e4388d1ee2b"),
        ("7adbe0058", "default", "a971d3c8d10d")]
    assert sum(1 for v in doc["violations"] if v["env"] == "staging") == 9
    head = [e for e in doc["events"] if e["env"] == "production" and e["version"].startswith("f3ac0e4aa928")]
    assert head and all(e["violations"] == [] for e in head)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS} (set GITOPS_LINT_CORPUS)")
def test_cds_snc_history(tmp_path: Path) -> None:
    """SOURCE.md certain #1 (API a15dd86, #5080) and #2 (API 6eaf9b6, #4821, and its revert #4833):
    production tags staging never ran, in the helmfile layout; the HEAD tags (promoted) are clean."""
    root = tmp_path / "cds"
    originals = {new: old for old, new in replay(CORPUS / "cds-snc__notification-manifests" / "history.json",
                                                 root).items()}
    tree = CORPUS / "cds-snc__notification-manifests" / "tree"  # the helmfile itself: the replay tracks env files only
    write_files(root, {str(p.relative_to(tree)): p.read_text() for p in tree.rglob("*")
                       if p.is_file() and not (root / p.relative_to(tree)).exists()})
    doc = _audit(str(root))
    production = [(originals[v["commit"]][:10], v["version"]) for v in doc["violations"] if v["env"] == "production"]
    assert production == [("4d3c27a2e6", "6eaf9b6"), ("b03eb2ebd1", "6eaf9b6"), ("de1606e9be", "a15dd86")]


def test_a_tag_that_names_no_build_times_nothing(tmp_path: Path) -> None:
    """A placeholder or moving tag (`app_version`, `latest`) 'promoted' dev → stage → prod says nothing
    about how long a build took to reach production: the events are listed, the metrics stay empty
    (the MoJ replay reported a lead time of 0 s over its `app_version` events)."""
    values = "image:\n  repository: r.example.com/app\n  tag: app_version\n"
    root = make_repo(tmp_path / "repo", {f"app/values-{env}.yaml": values for env in ("dev", "stage", "prod")}, [
        ("2026-02-01T00:00:00+00:00", "dev", {"app/values-dev.yaml": values.replace("app_version", "latest")}),
        ("2026-02-02T00:00:00+00:00", "stage", {"app/values-stage.yaml": values.replace("app_version", "latest")}),
        ("2026-02-03T00:00:00+00:00", "prod", {"app/values-prod.yaml": values.replace("app_version", "latest")}),
    ])
    result = CliRunner().invoke(main, ["audit", str(root), "--format", "json"])
    data = json.loads(result.stdout)
    assert [(e["env"], e["kind"], e["version"]) for e in data["events"] if e["kind"] == "promotion"] == [
        ("dev", "promotion", "latest"), ("stage", "promotion", "latest"), ("prod", "promotion", "latest")]
    assert data["apps"][0]["lead_time"] == {"count": 0, "median_seconds": None, "p90_seconds": None,
                                            "min_seconds": None}
    assert [env["soak"]["count"] for env in data["apps"][0]["envs"]] == [0, 0, 0]
