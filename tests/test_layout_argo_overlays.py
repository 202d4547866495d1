"""Layout argocd-kustomize-overlays: Argo CD objects a production Kustomize overlay builds from a
base (Konflux's infra-deployments shape). Real git repos, real `kubectl kustomize`, exact findings;
the apps those objects deploy (component overlays with image tags) keep their own history."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import finding_lines, git, lint, make_repo
from gitops_lint.render import renderer_for

pytestmark = pytest.mark.skipif(renderer_for("kustomize") is None or not renderer_for("kustomize").available(),
                                reason="no Kustomize backend (pip install 'gitops-lint[render]')")

URL = "https://git.example.com/platform/infra.git"
APPSET = ("apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: web\nspec:\n"
          "  generators:\n    - list:\n        elements:\n          - {environment: staging}\n"
          "  template:\n    metadata:\n      name: web-{{environment}}\n    spec:\n      project: default\n"
          f"      source:\n        repoURL: {URL}\n        path: components/web/{{{{environment}}}}\n"
          "        targetRevision: main\n      destination:\n        server: https://kubernetes.default.svc\n"
          "        namespace: web\n      syncPolicy:\n        automated:\n          prune: true\n")
BASE = {"argo-cd-apps/base/web/web.yaml": APPSET,
        "argo-cd-apps/base/web/kustomization.yaml": "resources: [web.yaml]\n"}
SET_ENV = ("- op: replace\n  path: /spec/generators/0/list/elements/0/environment\n  value: {env}\n")
NO_AUTO = "- op: remove\n  path: /spec/template/spec/syncPolicy/automated\n"


def _overlay(env: str, *patches: str) -> dict[str, str]:
    files = {f"argo-cd-apps/overlays/{env}/set-env.yaml": SET_ENV.format(env=env)}
    entries = "  - path: set-env.yaml\n    target: {kind: ApplicationSet, name: web}\n"
    for index, patch in enumerate(patches):
        files[f"argo-cd-apps/overlays/{env}/patch-{index}.yaml"] = patch
        entries += f"  - path: patch-{index}.yaml\n    target: {{kind: ApplicationSet, name: web}}\n"
    files[f"argo-cd-apps/overlays/{env}/kustomization.yaml"] = f"resources: [../../base/web]\npatches:\n{entries}"
    return files


def _component(env: str, tag: str) -> dict[str, str]:
    return {f"components/web/{env}/kustomization.yaml":
            f"resources: [deploy.yaml]\nimages:\n  - name: quay.io/team/web\n    newTag: {tag}\n",
            f"components/web/{env}/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
            "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: quay.io/team/web\n"}


def _repo(root: Path, production_patches: tuple[str, ...] = ()) -> Path:
    files = {**BASE, **_overlay("staging", NO_AUTO), **_overlay("production", *production_patches),
             **_component("staging", "1.0.0"), **_component("production", "1.0.0")}
    repo = make_repo(root, files, history=[("2026-02-01T00:00:00+00:00", "production: web 1.0.1",
                                            _component("production", "1.0.1"))])
    git(repo, "remote", "add", "origin", URL)
    return repo


def test_production_keeps_the_base_auto_sync_that_staging_patches_away(tmp_path: Path) -> None:
    """infra #6: the base syncs automatically from main; the staging overlay removes `automated`,
    production keeps it. Read file by file, the base names staging only; built, production auto-syncs
    from main. The component overlays are apps of their own, judged from history: production runs
    1.0.1, which staging never ran."""
    root = _repo(tmp_path / "r")
    sha = git(root, "rev-parse", "--short=10", "HEAD").strip()
    assert finding_lines(lint(root)) == [
        "argo-cd-apps/base/web/web.yaml:23:9 argocd/auto-sync-prod ApplicationSet web syncs automatically "
        "(spec.template.spec.syncPolicy.automated) from main in production, as built by "
        "argo-cd-apps/overlays/production: every change on main reaches production with no promotion step",
        "components/web/production/kustomization.yaml:4:13 promotion/untested-tag production runs "
        "quay.io/team/web:1.0.1, which never ran in staging (staging ran 1.0.0 on branch main); it reached "
        f"production in commit {sha} (2026-02-01 00:00:00 UTC)"]


def test_a_production_overlay_that_pins_a_tag_or_drops_auto_sync_is_clean(tmp_path: Path) -> None:
    pinned = "- op: replace\n  path: /spec/template/spec/source/targetRevision\n  value: v2.3.0\n"
    for name, patch in (("tag", pinned), ("manual", NO_AUTO)):
        root = _repo(tmp_path / name, (patch,))
        assert [line for line in finding_lines(lint(root)) if "auto-sync" in line] == [], name


def test_auto_sync_a_production_patch_adds_is_located_at_the_overlay(tmp_path: Path) -> None:
    root = tmp_path / "r"
    files = {**BASE, **_overlay("staging"), **_overlay("production", "- op: add\n  path: /spec/template/spec/syncPolicy"
                                                                      "/automated\n  value: {selfHeal: true}\n")}
    files["argo-cd-apps/base/web/web.yaml"] = APPSET.replace("      syncPolicy:\n        automated:\n"
                                                             "          prune: true\n", "      syncPolicy: {}\n")
    make_repo(root, {**files, **_component("staging", "1.0.0"), **_component("production", "1.0.0")})
    git(root, "remote", "add", "origin", URL)
    assert [line for line in finding_lines(lint(root)) if "auto-sync" in line] == [
        "argo-cd-apps/overlays/production/kustomization.yaml argocd/auto-sync-prod ApplicationSet web syncs "
        "automatically (spec.template.spec.syncPolicy.automated) from main in production, as built by "
        "argo-cd-apps/overlays/production: every change on main reaches production with no promotion step"]


def test_no_render_says_the_overlays_were_not_built(tmp_path: Path) -> None:
    from gitops_lint.config import load_config
    from gitops_lint.discover import discover

    root = _repo(tmp_path / "r")
    model = discover(root, load_config(root), render=False)
    assert "env overlays that build Argo CD objects (argo-cd-apps/overlays/production) are not built with " \
           "--no-render" in model.unmodeled


def test_a_pull_request_that_drops_production_s_pin_is_judged_on_its_merge_commit(tmp_path: Path) -> None:
    """main pins production's ApplicationSet to a tag in the overlay; a PR deletes that patch. GitHub
    checks out the detached merge commit with only origin/main: the PR's build is what is judged."""
    from click.testing import CliRunner
    from gitops_lint.cli import main

    pinned = "- op: replace\n  path: /spec/template/spec/source/targetRevision\n  value: v2.3.0\n"
    origin = _repo(tmp_path / "origin", (pinned,))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "checkout", "-q", "-b", "unpin")
    files = _overlay("production")
    (clone / "argo-cd-apps/overlays/production/patch-0.yaml").unlink()
    (clone / "argo-cd-apps/overlays/production/kustomization.yaml").write_text(
        files["argo-cd-apps/overlays/production/kustomization.yaml"])
    git(clone, "commit", "-qam", "production follows main", date="2026-03-01T00:00:00+00:00")
    git(clone, "checkout", "-q", "--detach", "origin/main")
    git(clone, "merge", "-q", "--no-ff", "unpin", "-m", "Merge pull request #7", date="2026-03-01T00:00:00+00:00")
    result = CliRunner().invoke(main, ["check", str(clone), "--base", "origin/main", "--format", "json",
                                       "--rule", "argocd/auto-sync-prod"])
    assert result.exit_code == 1, result.output
    import json
    assert [(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]] == [
        ("argocd/auto-sync-prod", "argo-cd-apps/base/web/web.yaml", 23)]
    git(clone, "checkout", "-q", "--detach", "origin/main")
    clean = CliRunner().invoke(main, ["check", str(clone), "--base", "origin/main", "--rule", "argocd/auto-sync-prod"])
    assert clean.exit_code == 0, clean.output
