"""Defects the fuzz suite's `layouts` family found (tests/fuzz), each as its minimal input through the
real CLI. Each failed before its fix (flux_build, configerrors, promotionorder) and passes after."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_repo
from gitops_lint.cli import main

RELEASE = """apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
spec:
  chart:
    spec:
      chart: podinfo
      version: 6.5.0
      sourceRef: {kind: HelmRepository, name: podinfo}
  values:
    image: {repository: ghcr.io/x/podinfo, tag: 6.5.0}
"""
CLUSTER = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: apps}}
spec:
  path: ./apps/{env}
  sourceRef: {{kind: GitRepository, name: flux-system}}
"""


def test_a_resource_listed_many_times_is_built_once(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {
        "apps/base/release.yaml": "---\n".join([RELEASE] * 1001),
        "apps/base/kustomization.yaml": "resources:\n" + "  - release.yaml\n" * 1500,
        "apps/staging/kustomization.yaml": "resources: [../base]\n",
        "apps/prod/kustomization.yaml": "resources: [../base]\n",
        "clusters/staging/apps.yaml": CLUSTER.format(env="staging"),
        "clusters/prod/apps.yaml": CLUSTER.format(env="prod"),
    })
    started = time.process_time()
    result = CliRunner().invoke(main, ["check", str(root), "--no-history"])
    assert result.exit_code in (0, 1), result.output
    assert time.process_time() - started < 4.0  # ~0.5 s once each entry is built once; ~7 s of CPU before


def test_a_config_error_does_not_quote_an_unknown_rule_key(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {
        ".gitops-lint.yaml": "rules:\n  parity/driftqqcanaryqq: error\n",
        "app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "app/values-stage.yaml": "replicaCount: 1\n", "app/values-prod.yaml": "replicaCount: 1\n",
    })
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 2
    assert result.stderr.startswith("gitops-lint: error: .gitops-lint.yaml:2 ")
    assert "qqcanaryqq" not in result.stderr


def test_a_rolling_sync_step_with_matchexpressions_of_the_wrong_type_is_a_notice(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"appsets/web.yaml": (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: web}\nspec:\n"
        "  generators: [{list: {elements: [{env: stage}, {env: prod}]}}]\n"
        "  strategy: {type: RollingSync, rollingSync: {steps: [{matchExpressions: 5}]}}\n"
        "  template:\n    metadata: {name: 'web-{{env}}'}\n"
        "    spec: {project: default, source: {repoURL: x, path: web}, destination: {namespace: '{{env}}'}}\n")})
    result = CliRunner().invoke(main, ["discover", str(root)])
    assert result.exit_code in (0, 2), result.output
    assert "internal error" not in result.output


def test_a_kind_that_is_a_mapping_or_a_list_is_no_kind(tmp_path: Path) -> None:
    """Found by the long fuzz run: `kind: {a: 1}` in a manifest directory, a Flux build or a patch
    target crashed with an unhashable type (exit 3) where the kind was looked up in a set."""
    root = make_repo(tmp_path / "r", {
        "deploy/web-stage/deploy.yaml": "kind: {a: 1}\n---\nkind: Deployment\nmetadata: {name: web}\n",
        "deploy/web-prod/deploy.yaml": "kind: [Deployment]\n---\nkind: Deployment\nmetadata: {name: web}\n",
        "apps/base/release.yaml": RELEASE + "---\nkind: {x: 1}\n",
        "apps/base/kustomization.yaml": "resources: [release.yaml]\n",
        "apps/staging/kustomization.yaml": ("resources: [../base]\npatches:\n  - target: {kind: [HelmRelease]}\n"
                                            "    patch: |\n      kind: HelmRelease\n      metadata: {name: podinfo}\n"
                                            "  - patch: |\n      kind: {a: 1}\n      spec: {values: {}}\n"
                                            "patchesJson6902:\n  - target: {kind: {a: 1}}\n    path: x.yaml\n"),
        "apps/prod/kustomization.yaml": "resources: [../base]\n",
        "clusters/staging/apps.yaml": CLUSTER.format(env="staging"),
        "clusters/prod/apps.yaml": CLUSTER.format(env="prod"),
    })
    for command in (["check", str(root), "--allow-empty"], ["discover", str(root)]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code in (0, 1), result.output



def test_a_generator_element_with_a_number_as_key_is_described_not_a_crash() -> None:
    """Found by the long fuzz run (12 inputs, exit 3): the notice that names an element the template
    cannot be filled for read every key as text, and `{1: x}` has a number as a key."""
    from gitops_lint.appset_params import describe

    assert describe({1: "x", "env": "prod", "path.basename": "p"}) == "env=prod"
