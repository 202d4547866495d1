"""Real GitOps repos from ../shared/corpus: their history replayed into scratch git repos, and
their current trees linted. Skipped with a reason when the corpus is not beside the repo.

Each replayed commit carries `Original-Commit: <sha>`, so a finding is checked at the very commit
SOURCE.md names, as a pre-commit hook or PR check would have seen it then.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import finding_lines, git, lint, write_files
from replay import replay

CORPUS = Path(os.environ.get("GITOPS_LINT_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS} (set GITOPS_LINT_CORPUS)")

GOVUK = "alphagov__govuk-helm-charts"
INFRA = "redhat-appstudio__infra-deployments"
GOVUK_LAYOUT = {".gitops-lint.yaml": 'layouts:\n  - files: "charts/app-config/image-tags/{env}/{app}"\n'}


@pytest.fixture(scope="module")
def govuk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("govuk") / "repo"
    shas = replay(CORPUS / GOVUK / "history.json", root)
    write_files(root, GOVUK_LAYOUT)  # the image-tags/<env>/<app> files are read through Helm's .Files.Get
    return root, shas


@pytest.fixture(scope="module")
def infra(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("infra") / "repo"
    return root, replay(CORPUS / INFRA / "history.json", root)


def _at(repo: tuple[Path, dict[str, str]], original: str) -> tuple[Path, str]:
    root, shas = repo
    new = next(sha for orig, sha in shas.items() if orig.startswith(original))
    git(root, "checkout", "-q", "-B", "main", new)  # the branch as it was then (its tip is "now")
    return root, new[:10]


def _untested(root: Path, path: str) -> list[str]:
    return [line for line in finding_lines(lint(root, only={"promotion/untested-tag"})) if line.startswith(path)]


def test_govuk_router_v247_reached_production_before_staging(govuk: tuple[Path, dict[str, str]]) -> None:
    """SOURCE.md certain #1: production router v247 (03ed5de436) 56 s before staging (ad8d7f1c80)."""
    root, prod_sha = _at(govuk, "03ed5de436")
    assert _untested(root, "charts/app-config/image-tags/production/router") == [
        "charts/app-config/image-tags/production/router:1:12 promotion/untested-tag production runs router:v247, "
        "which never ran in staging (staging ran …, v241, v242, v243, v244, v245, v246 on branch main; v247 was only in "
        f"integration, since 2026-04-30); it reached production in commit {prod_sha} (2026-05-05 08:37:57 UTC)"]
    root, stage_sha = _at(govuk, "ad8d7f1c80")  # staging caught up: HEAD states agree, history does not
    assert _untested(root, "charts/app-config/image-tags/production/router") == [
        "charts/app-config/image-tags/production/router:1:12 promotion/untested-tag production runs router:v247 "
        f"since commit {prod_sha} (2026-05-05 08:37:57 UTC), but staging only ran it from commit {stage_sha} "
        "(2026-05-05 08:38:53 UTC): it reached production before staging ran it"]


def test_govuk_router_sha_tag_never_ran_anywhere(govuk: tuple[Path, dict[str, str]]) -> None:
    """SOURCE.md certain #2: production router set to a raw git SHA (a9300bbb45) no lower env had."""
    root, sha = _at(govuk, "a9300bbb45")
    [line] = _untested(root, "charts/app-config/image-tags/production/router")
    assert line.startswith("charts/app-config/image-tags/production/router:1:12 promotion/untested-tag production runs "
                           "router:0919caf90a8ff415653f75e79bd55a8f59c5c057, which never ran in staging (")
    assert line.endswith("0919caf90a8ff415653f75e79bd55a8f59c5c057 never ran in integration either); it reached "
                         f"production in commit {sha} (2026-04-23 15:51:22 UTC)")


def test_govuk_head_keeps_the_v247_incident_and_the_orphaned_mirror(govuk: tuple[Path, dict[str, str]]) -> None:
    root, _ = govuk
    git(root, "checkout", "-q", "main")
    rules = [line.split(" ", 2)[:2] for line in finding_lines(lint(root, only={"promotion/untested-tag"}))]
    assert rules == [["charts/app-config/image-tags/production/router:1:12", "promotion/untested-tag"],
                     ["charts/app-config/image-tags/staging/govuk-mirror:1:12", "promotion/untested-tag"]]


@pytest.mark.parametrize(("original", "line_no", "tag", "when"), [
    ("ed991a2c41", 13, "386031571e33e33fa211b1029b359c93ee363c62", "2024-06-11 14:08:13 UTC"),  # certain #4
    ("485b241d93", 16, "d83bd53425b155d159a0c82b5c50584fe123461b", "2026-03-12 18:36:14 UTC"),  # certain #1
    ("64312acff4", 14, "f2a156228d20219a9b46e98c912761315fd6dca4", "2024-10-01 14:50:12 UTC"),  # certain #2
    ("4e4ede9436", 16, "cfd9fe893f6ec46258a1b447e40603fbe548d352", "2026-04-09 15:22:25 UTC"),  # certain #1
])
def test_infra_deployments_production_tags_that_never_ran_in_staging(
        infra: tuple[Path, dict[str, str]], original: str, line_no: int, tag: str, when: str) -> None:
    root, sha = _at(infra, original)
    [line] = _untested(root, "components/release/production/kustomization.yaml")
    assert line.startswith(f"components/release/production/kustomization.yaml:{line_no}:13 promotion/untested-tag "
                           "production runs quay.io/")
    assert f"release-service:{tag}, which never ran in staging (" in line
    assert line.endswith(f"it reached production in commit {sha} ({when})")


def test_infra_deployments_one_commit_for_dev_staging_and_production(infra: tuple[Path, dict[str, str]]) -> None:
    """SOURCE.md certain #3: bdb3a6c22f bumps dev, staging and production at once."""
    root, sha = _at(infra, "bdb3a6c22f")
    lines = _untested(root, "components/release/")
    assert [line.split(" ", 2)[0] for line in lines] == ["components/release/production/kustomization.yaml:13:13",
                                                         "components/release/staging/kustomization.yaml:13:13"]
    assert all(f"which one commit (commit {sha} (2024-06-13 15:37:57 UTC)) gave" in line for line in lines)


def test_infra_deployments_head_production_equals_staging(infra: tuple[Path, dict[str, str]]) -> None:
    """Negative control: production at HEAD (f3ac0e4aa928) equals staging and ran there first."""
    root, shas = infra
    git(root, "checkout", "-q", "-B", "main", list(shas.values())[-1])
    assert _untested(root, "components/release/production/") == []


def _tree(name: str, dest: Path) -> Path:
    shutil.copytree(CORPUS / name / "tree", dest)
    return dest


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.iterdir() if (p / "tree").is_dir())
                         if CORPUS.is_dir() else [])
def test_every_corpus_tree_lints_without_crashing(name: str, tmp_path: Path) -> None:
    """Every tree is linted (exit 0/1, nothing on stderr): each has a layout the linter understands
    now, or (gitops-bridge, whose clusters are Terraform-made Secrets) findings that fail the run."""
    root = _tree(name, tmp_path / "repo")
    proc = subprocess.run(["gitops-lint", "check", str(root), "--format", "json"], capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{Path(os.sys.executable).parent}:{os.environ['PATH']}"})
    if name == GOVUK:  # the corpus copy leaves out charts/app-config/templates/_helpers.tpl: app-config cannot
        data = json.loads(proc.stdout)  # render (a note), argo-bootstrap can, once per govukEnvironment
        assert any("no template \"app-config.labels\"" in note for note in data["notices"])
        assert [(f["rule"], f["path"], f["line"]) for f in data["findings"] if f["app"] == "app-config"
                and f["rule"] == "argocd/auto-sync-prod"] == [("argocd/auto-sync-prod", "charts/argo-bootstrap/values.yaml", 2)]
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stderr == ""



def test_negative_controls_of_current_trees(tmp_path: Path) -> None:
    moj = _tree("ministryofjustice__hmpps-book-a-video-link-api", tmp_path / "moj")
    assert not [line for line in finding_lines(lint(moj)) if "resources" in line]  # identical preprod/prod resources
    promoter = _tree("argoproj-labs__gitops-promoter", tmp_path / "promoter")
    assert not [line for line in finding_lines(lint(promoter)) if "argocd/auto-sync-prod" in line]  # hydrator


def test_gitops_bridge_addons_are_discovered_without_configuration(tmp_path: Path) -> None:
    """SOURCE.md: the cluster Secrets are made by Terraform outside the repo. Each addon's clusters
    generators name `environment: staging` and `environment: prod`, so each is modeled staging → prod
    on stand-in clusters with its per-env chart version; the two that select clusters by no env label
    stay notes. Negative control: staging and prod are configured identically, so no parity finding."""
    from gitops_lint.config import load_config
    from gitops_lint.discover import discover

    root = _tree("gitops-bridge-dev__gitops-bridge-argocd-control-plane-template", tmp_path / "repo")
    model = discover(root, load_config(root))
    assert len(model.apps) == 49
    assert {tuple(d.env.name for d in app.deployments) for app in model.apps} == {("staging", "prod")}
    assert all(d.argo is not None and d.argo.stand_in for app in model.apps for d in app.deployments)
    metrics = next(app for app in model.apps if app.name == "addon-metrics-server")
    assert [(d.env.name, [(a.name, a.tag) for a in d.artifacts]) for d in metrics.deployments] == [
        (env, [("https://kubernetes-sigs.github.io/metrics-server/metrics-server", "3.12.0")])
        for env in ("staging", "prod")]
    assert len(model.unmodeled) == 3 and model.unmodeled[-1].startswith("49 ApplicationSets (")
    assert not [line for line in finding_lines(lint(root)) if " parity/" in line]
