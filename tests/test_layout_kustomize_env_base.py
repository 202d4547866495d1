"""Kustomize `<app>/<env>/base/`: the env directory holds no kustomization of its own, only a base
that each of the env's clusters overlays (`<app>/<env>/<cluster>/`), as in infra-deployments'
konflux-ui. The env's base is its deployment; history follows its image tags."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from conftest import finding_lines, git, lint, make_repo
from gitops_lint.cli import main

DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ui\nspec:\n  template:\n    spec:\n"
              "      containers:\n        - name: ui\n          image: quay.io/org/ui:placeholder\n")


def _base(env: str, tag: str) -> str:
    return (f"resources:\n  - ../../base\nimages:\n  - name: quay.io/org/ui\n    newTag: \"{tag}\"\n"
            f"namespace: ui-{env}\n")


FILES = {
    "components/ui/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "components/ui/base/deployment.yaml": DEPLOYMENT,
    "components/ui/staging/base/kustomization.yaml": _base("staging", "1.1"),
    "components/ui/staging/stage-east/kustomization.yaml": "resources:\n  - ../base\n",
    "components/ui/production/base/kustomization.yaml": _base("production", "1.0"),
    "components/ui/production/prod-east/kustomization.yaml": "resources:\n  - ../base\n",
    "components/ui/production/prod-west/kustomization.yaml": "resources:\n  - ../base\n",
}


def test_the_env_base_is_the_deployment_and_history_follows_it(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", FILES, [
        ("2026-02-01T00:00:00+00:00", "production runs 1.2",
         {"components/ui/production/base/kustomization.yaml": _base("production", "1.2")})])
    sha = git(root, "log", "-1", "--format=%H").strip()[:10]
    result = CliRunner().invoke(main, ["discover", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "ui  (staging → production)  found by: env-files",
        "  promotion:",
        "    staging → production  by name (stage comes before prod)",
        "  staging  [protected]",
        "    kustomization: components/ui/staging/base/kustomization.yaml",
        "  production  [protected, production]",
        "    kustomization: components/ui/production/base/kustomization.yaml",
    ]
    assert finding_lines(lint(root)) == [
        "components/ui/production/base/kustomization.yaml:5:13 promotion/untested-tag production runs "
        "quay.io/org/ui:1.2, which never ran in staging (staging ran 1.1 on branch main); it reached production "
        f"in commit {sha} (2026-02-01 00:00:00 UTC)",
    ]


def test_an_env_directory_with_its_own_kustomization_keeps_it(tmp_path: Path) -> None:
    """`<env>/kustomization.yaml` exists: that is the env's deployment, its `base/` is only a part of it."""
    files = {**FILES, "components/ui/staging/kustomization.yaml": "resources:\n  - base\n"}
    root = make_repo(tmp_path / "repo", files)
    result = CliRunner().invoke(main, ["discover", str(root)])
    assert "    kustomization: components/ui/staging/kustomization.yaml" in result.output.splitlines()
    assert "    kustomization: components/ui/production/base/kustomization.yaml" in result.output.splitlines()
