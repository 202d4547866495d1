"""The Flux layout: cluster Kustomizations name the envs, HelmReleases are the apps, overlay patches
set each env's values and chart version; real git histories, the real engine and CLI."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitops_lint.cli import main
from tests.conftest import finding_lines, git, lint, make_repo

CORPUS = Path(os.environ.get("GITOPS_LINT_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
FLUX_EXAMPLE = "fluxcd__flux2-kustomize-helm-example"


def _cluster(env: str) -> str:
    return f"""apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  sourceRef:
    kind: GitRepository
    name: flux-system
  path: ./apps/{env}
  prune: true
"""


BASE_RELEASE = """apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: podinfo
spec:
  interval: 50m
  chart:
    spec:
      chart: podinfo
      version: "6.5.0"
      sourceRef:
        kind: HelmRepository
        name: podinfo
  values:
    replicaCount: 2
    image:
      repository: ghcr.io/stefanprodan/podinfo
      tag: 6.5.0
    ingress:
      enabled: true
      className: nginx
"""

BASE = {
    "apps/base/podinfo/kustomization.yaml": "resources:\n  - repository.yaml\n  - release.yaml\n",
    "apps/base/podinfo/repository.yaml": (
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n"
        "  namespace: podinfo\nspec:\n  url: https://stefanprodan.github.io/podinfo\n"),
    "apps/base/podinfo/release.yaml": BASE_RELEASE,
    "clusters/staging/apps.yaml": _cluster("staging"),
    "clusters/production/apps.yaml": _cluster("production"),
}


def _hosts(env: str, indent: str) -> str:
    return (f"{indent}ingress:\n{indent}  hosts:\n{indent}    - host: podinfo.{env}.example.com\n"
            f"{indent}  tls:\n{indent}    - secretName: podinfo-tls\n{indent}      hosts:\n"
            f"{indent}        - podinfo.{env}.example.com\n")


def _staging(tag: str | None) -> str:
    """The staging overlay: an inline patch text."""
    image = f"          image:\n            tag: {tag}\n" if tag else ""
    return ("resources:\n  - ../base/podinfo\npatches:\n  - target:\n      kind: HelmRelease\n      name: podinfo\n"
            "    patch: |\n      apiVersion: helm.toolkit.fluxcd.io/v2\n      kind: HelmRelease\n"
            "      metadata:\n        name: podinfo\n      spec:\n        values:\n"
            + image + _hosts("staging", "          "))


def _production(tag: str | None, version: str | None) -> dict[str, str]:
    """The production overlay: a patch file."""
    chart = f"  chart:\n    spec:\n      version: \"{version}\"\n" if version else ""
    image = f"    image:\n      tag: {tag}\n" if tag else ""
    return {
        "apps/production/kustomization.yaml": (
            "resources:\n  - ../base/podinfo\npatches:\n  - path: podinfo-values.yaml\n    target:\n"
            "      kind: HelmRelease\n"),
        "apps/production/podinfo-values.yaml": (
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n"
            "  namespace: podinfo\nspec:\n" + chart + "  values:\n" + image + _hosts("production", "    ")),
    }


def test_env_overlays_patch_the_release(tmp_path: Path) -> None:
    """Prod's patch brings a tag staging never ran (history) and a chart version range."""
    root = make_repo(tmp_path / "repo", {**BASE, "apps/staging/kustomization.yaml": _staging(None),
                                         **_production(None, None)}, history=[
        ("2026-01-05T10:00:00+00:00", "staging runs 6.5.1", {"apps/staging/kustomization.yaml": _staging("6.5.1")}),
        ("2026-01-10T10:00:00+00:00", "production jumps to 6.5.2",
         _production("6.5.2", ">=6.0.0")),
    ])
    result = lint(root)
    assert finding_lines(result) == [
        "apps/production/podinfo-values.yaml:9:16 promotion/mutable-tag production installs chart podinfo by the "
        "version range '>=6.0.0': each new chart release in that range deploys without a commit, so nothing shows "
        "it ran upstream first",
        "apps/production/podinfo-values.yaml:12:12 promotion/untested-tag production runs "
        "ghcr.io/stefanprodan/podinfo:6.5.2, which never ran in staging (staging ran 6.5.0, 6.5.1 on branch main); "
        "it reached production in commit 7bb36114f9 (2026-01-10 10:00:00 UTC)",
    ]
    staging, production = result.model.by_app("podinfo")
    assert (staging.env.name, production.env.name) == ("staging", "production")
    assert result.model.effective(staging).get(("image", "tag")) == "6.5.1"  # the inline patch, after the base
    assert result.model.effective(production).get(("ingress", "className")) == "nginx"
    assert [o.path for o in staging.values_in] == ["apps/base/podinfo/release.yaml",
                                                   "apps/staging/kustomization.yaml"]
    assert result.model.unmodeled == []


def test_pinned_chart_and_promoted_tag_are_clean(tmp_path: Path) -> None:
    """Same chart version in both envs, the tag promoted through staging, per-env hosts: no finding."""
    root = make_repo(tmp_path / "repo", {**BASE, "apps/staging/kustomization.yaml": _staging(None),
                                         **_production(None, "6.5.0")}, history=[
        ("2026-01-05T10:00:00+00:00", "staging runs 6.5.1", {"apps/staging/kustomization.yaml": _staging("6.5.1")}),
        ("2026-01-10T10:00:00+00:00", "promote 6.5.1", _production("6.5.1", "6.5.0")),
    ])
    result = lint(root)
    assert finding_lines(result) == []
    assert result.history == "checked" and result.model.unmodeled == []


def test_discover_names_the_layout_and_envs(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {**BASE, "apps/staging/kustomization.yaml": _staging("6.5.0"),
                                         **_production("6.5.0", "6.5.0")})
    out = CliRunner().invoke(main, ["discover", str(root)])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0] == "podinfo  (staging → production)  found by: flux"
    assert "kustomization" not in out.output.split("production  [protected")[1]  # not also an env-files app


def test_oci_chart_ref_and_values_from_generator(tmp_path: Path) -> None:
    """chartRef → OCIRepository semver range; valuesFrom a configMapGenerator file is a layer."""
    oci = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: podinfo\n"
           "spec:\n  url: oci://ghcr.io/stefanprodan/charts/podinfo\n  ref:\n    semver: \"6.x\"\n")
    release = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\nspec:\n"
               "  chartRef:\n    kind: OCIRepository\n    name: podinfo\n  valuesFrom:\n    - kind: ConfigMap\n"
               "      name: web-values\n")
    files = {
        "infra/base/oci.yaml": oci, "infra/base/release.yaml": release,
        "infra/base/kustomization.yaml": "resources:\n  - oci.yaml\n  - release.yaml\n",
        "clusters/staging/web.yaml": _cluster("staging").replace("./apps/staging", "./infra/staging"),
        "clusters/prod/web.yaml": _cluster("prod").replace("./apps/prod", "./infra/prod"),
    }
    for env in ("staging", "prod"):
        files[f"infra/{env}/kustomization.yaml"] = (
            "resources:\n  - ../base\nconfigMapGenerator:\n  - name: web-values\n    files:\n"
            "      - values.yaml=values.yaml\n")
        files[f"infra/{env}/values.yaml"] = "image:\n  repository: registry.example.com/web\n  tag: \"41\"\n"
    root = make_repo(tmp_path / "repo", files, history=[
        ("2026-02-01T00:00:00+00:00", "prod: 42", {"infra/prod/values.yaml": files["infra/prod/values.yaml"]
                                                    .replace("41", "42")})])
    assert finding_lines(lint(root)) == [
        "infra/base/oci.yaml:8:13 promotion/mutable-tag prod installs chart oci://ghcr.io/stefanprodan/charts/podinfo "
        "by the version range '6.x': each new chart release in that range deploys without a commit, so nothing "
        "shows it ran upstream first",
        "infra/base/oci.yaml:8:13 promotion/mutable-tag staging installs chart "
        "oci://ghcr.io/stefanprodan/charts/podinfo by the version range '6.x': each new chart release in that range "
        "deploys without a commit, so nothing shows it ran upstream first",
        "infra/prod/values.yaml:3:8 promotion/untested-tag prod runs registry.example.com/web:42, which never ran in "
        "staging (staging ran 41 on branch main); it reached prod in commit fbeb5eaaf1 (2026-02-01 00:00:00 UTC)",
    ]


def test_wrong_types_are_notices(tmp_path: Path) -> None:
    files = {**BASE, **_production(None, None),
             "apps/base/podinfo/release.yaml": BASE_RELEASE[:BASE_RELEASE.index("  values:")]
             + "  values: x\n  valuesFrom: 3\n",
             "apps/staging/kustomization.yaml": "resources:\n  - ../base/podinfo\npatches: 3\n",
             "clusters/qa/apps.yaml": _cluster("qa").replace("spec:\n  interval", "spec: 5\nx:\n  interval"),
             "apps/other/release.yaml": BASE_RELEASE.replace("spec:\n  interval: 50m\n", "spec: 5\nx:\n"),
             "clusters/dev/apps.yaml": _cluster("dev").replace("./apps/dev", "./apps/other")}
    make_repo(tmp_path / "repo", files)
    result = lint(tmp_path / "repo")
    assert result.model.unmodeled == [
        "clusters/qa/apps.yaml: Kustomization apps spec is int, not a mapping; not modeled",
        "apps/other/release.yaml: HelmRelease podinfo spec is int, not a mapping; the release is not modeled",
        "apps/base/podinfo/release.yaml: HelmRelease podinfo spec.valuesFrom is int, not a list; the release is not "
        "fully modeled",
        "apps/base/podinfo/release.yaml: HelmRelease podinfo spec.values is str, not a mapping; the release is not "
        "fully modeled",
        "apps/staging/kustomization.yaml: patches is int, not a list; not applied",
    ]
    assert [d.env.name for d in result.model.by_app("podinfo")] == ["staging", "production"]


@pytest.mark.skipif(not (CORPUS / FLUX_EXAMPLE / "tree").is_dir(),
                    reason=f"corpus repo {FLUX_EXAMPLE} not found under {CORPUS} (set GITOPS_LINT_CORPUS)")
def test_flux2_kustomize_helm_example_corpus(tmp_path: Path) -> None:
    """SOURCE.md's certain problems 1-3 and arguable 4; its negative controls stay quiet."""
    root = tmp_path / "flux"
    shutil.copytree(CORPUS / FLUX_EXAMPLE / "tree", root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "corpus", date="2026-01-01T00:00:00+00:00")
    result = lint(root)
    lines = [line.split(" ", 2)[:2] for line in finding_lines(result)]
    assert lines == [
        ["apps/base/podinfo/release.yaml:33:24", "exposure/missing-tls"],  # 3: HTTP-only gateway
        ["apps/base/podinfo/release.yaml:33:24", "exposure/missing-tls"],
        ["apps/production/podinfo-values.yaml:9:16", "promotion/mutable-tag"],  # 1: prod's '>=1.0.0'
        ["apps/staging/podinfo-values.yaml:9:16", "promotion/mutable-tag"],
        ["infrastructure/controllers/cert-manager.yaml:21:13", "promotion/mutable-tag"],  # 4: '1.x'
        ["infrastructure/controllers/cert-manager.yaml:21:13", "promotion/mutable-tag"],
        ["infrastructure/controllers/envoy-gateway.yaml:21:13", "promotion/mutable-tag"],  # 2: '>= 1.8.0-rc.0'
        ["infrastructure/controllers/envoy-gateway.yaml:21:13", "promotion/mutable-tag"],
    ]
    assert sorted(app.name for app in result.model.apps) == ["cert-manager", "envoy-gateway", "podinfo"]
    assert result.model.unmodeled == []


def test_a_chart_with_no_version_is_unpinned(tmp_path: Path) -> None:
    """No `version` for a HelmRepository chart: Flux installs the newest release (info outside protected envs)."""
    files = {**BASE, "apps/base/podinfo/release.yaml": BASE_RELEASE.replace('      version: "6.5.0"\n', ""),
             "apps/staging/kustomization.yaml": _staging(None), **_production(None, None),
             "clusters/dev/apps.yaml": _cluster("dev"), "apps/dev/kustomization.yaml": _staging(None)}
    result = lint(make_repo(tmp_path / "repo", files))
    assert [(f.path, f.line, f.column, f.severity.value, f.env, f.message) for f in result.findings] == [
        ("apps/base/podinfo/release.yaml", 9, 5, env_severity, env,
         f"{env} installs chart podinfo with no version: each new chart release deploys without a commit, so "
         "nothing shows it ran upstream first")
        for env, env_severity in (("dev", "info"), ("production", "error"), ("staging", "error"))]


def test_a_chart_version_production_pins_that_staging_never_ran(tmp_path: Path) -> None:
    """Issue 10: chart versions are promoted like images. Staging runs the base's 6.5.0 throughout;
    production's patch moves to 6.6.0, which no staging version ever pinned."""
    root = make_repo(tmp_path / "repo", {**BASE, "apps/staging/kustomization.yaml": _staging(None),
                                         **_production(None, "6.5.0")}, history=[
        ("2026-01-10T10:00:00+00:00", "production chart 6.6.0", _production(None, "6.6.0")),
    ])
    sha = git(root, "rev-parse", "--short=10", "HEAD").strip()
    assert finding_lines(lint(root)) == [
        "apps/production/podinfo-values.yaml:9:16 promotion/untested-tag production runs chart podinfo 6.6.0, which "
        "never ran in staging (staging ran 6.5.0 on branch main); it reached production in commit "
        f"{sha} (2026-01-10 10:00:00 UTC)",
    ]


def test_a_chart_version_range_is_mutable_not_untested(tmp_path: Path) -> None:
    """A range (`6.x`) names no release: promotion/mutable-tag says so; history has nothing to compare.
    (The flux2 example's replay had cert-manager `1.x` called untested before this was settled.)"""
    root = make_repo(tmp_path / "repo", {**BASE, "apps/staging/kustomization.yaml": _staging(None),
                                         **_production(None, "6.5.0")}, history=[
        ("2026-01-10T10:00:00+00:00", "production follows 6.x", _production(None, "6.x")),
    ])
    assert [line.split(" ", 2)[1] for line in finding_lines(lint(root))] == ["promotion/mutable-tag"]
