"""Layouts found without configuration (design.md §2), checked through `discover`'s model."""
from __future__ import annotations

from pathlib import Path

from conftest import write_files
from gitops_lint.config import load_config
from gitops_lint.discover import discover


def _model(root: Path) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    model = discover(root, load_config(root))
    return {app.name: [(d.env.name, d.value_files) for d in app.deployments] for app in model.apps}


def _app(name: str, ns: str, path: str, value_files: str, extra: str = "") -> str:
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\nspec:\n"
            f"  source:\n    repoURL: https://git.example.com/t/r.git\n    path: {path}\n    targetRevision: main\n"
            f"    helm:\n      valueFiles: {value_files}\n{extra}  destination:\n"
            f"    server: https://kubernetes.default.svc\n    namespace: {ns}\n")


def test_values_files_beside_a_chart_in_every_spelling(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "svc/Chart.yaml": "name: svc\n", "svc/values.yaml": "a: 1\n", "svc/templates/x.yaml": "{{ broken\n",
        "svc/values-dev.yaml": "a: 1\n", "svc/values.staging.yaml": "a: 1\n", "svc/production-values.yaml": "a: 1\n",
    })
    assert _model(tmp_path) == {"svc": [
        ("dev", ("svc/values.yaml", "svc/values-dev.yaml")),
        ("staging", ("svc/values.yaml", "svc/values.staging.yaml")),
        ("production", ("svc/values.yaml", "svc/production-values.yaml")),
    ]}
    assert discover(tmp_path, load_config(tmp_path)).problems() == []  # templates are never parsed


def test_values_files_in_the_parent_of_the_chart(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "helm_deploy/my-api/Chart.yaml": "name: my-api\n", "helm_deploy/my-api/values.yaml": "a: 1\n",
        "helm_deploy/values-dev.yaml": "a: 1\n", "helm_deploy/values-preprod.yaml": "a: 1\n",
        "helm_deploy/values-prod.yaml": "a: 1\n",
    })
    model = _model(tmp_path)
    assert list(model) == ["my-api"]
    assert model["my-api"][1] == ("preprod", ("helm_deploy/my-api/values.yaml", "helm_deploy/values-preprod.yaml"))


def test_env_directories(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "shop/envs/dev/values.yaml": "a: 1\n", "shop/envs/prod/values.yaml": "a: 1\n",
        "shop/envs/prod/values-secrets.yaml": "a: 1\n",
        "cart/environments/uat/values.yaml": "a: 1\n", "cart/environments/live/values.yaml": "a: 1\n",
        "billing/stage/values.yaml": "a: 1\n", "billing/prod/values.yaml": "a: 1\n",
        "billing/chart/Chart.yaml": "name: billing\n", "billing/chart/values.yaml": "a: 1\n",
    })
    assert _model(tmp_path) == {
        "billing": [("stage", ("billing/chart/values.yaml", "billing/stage/values.yaml")),
                    ("prod", ("billing/chart/values.yaml", "billing/prod/values.yaml"))],
        "cart": [("uat", ("cart/environments/uat/values.yaml",)), ("live", ("cart/environments/live/values.yaml",))],
        "shop": [("dev", ("shop/envs/dev/values.yaml",)),
                 ("prod", ("shop/envs/prod/values.yaml", "shop/envs/prod/values-secrets.yaml"))],
    }


def test_argo_valuefiles_decide_over_file_names(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "chart/Chart.yaml": "name: web\n", "chart/values.yaml": "a: 1\n",
        "chart/staging-values.yaml": "a: 1\n", "chart/values-production-west.yaml": "a: 1\n",
        "chart/common.yaml": "a: 1\n",
        "apps/web-staging.yaml": _app("web-staging", "web-staging", "chart", "[common.yaml, staging-values.yaml]"),
        "apps/web-production.yaml": _app("web-production", "web", "chart",
                                         "[common.yaml, values-production-west.yaml]"),
    })
    assert _model(tmp_path) == {"web": [
        ("staging", ("chart/values.yaml", "chart/common.yaml", "chart/staging-values.yaml")),
        ("production", ("chart/values.yaml", "chart/common.yaml", "chart/values-production-west.yaml")),
    ]}


def test_multi_source_ref_value_files(tmp_path: Path) -> None:
    app = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: api-prod\nspec:\n  sources:\n"
           "    - repoURL: https://charts.example.com\n      chart: api\n      targetRevision: 1.2.3\n"
           "      helm:\n        valueFiles: [$values/config/api/values-prod.yaml]\n"
           "    - repoURL: https://git.example.com/t/r.git\n      targetRevision: main\n      ref: values\n"
           "  destination:\n    namespace: prod\n")
    write_files(tmp_path, {"argocd/api-prod.yaml": app, "config/api/values-prod.yaml": "a: 1\n",
                           "config/api/values-stage.yaml": "a: 1\n"})
    model = discover(tmp_path, load_config(tmp_path))
    [api] = model.apps
    assert [(d.env.name, d.chart_dir, d.value_files) for d in api.deployments] == [
        ("prod", None, ("config/api/values-prod.yaml",))]


def test_applicationset_list_generator_renders_both_template_styles(tmp_path: Path) -> None:
    appset = ("apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: web\nspec:\n"
              "  generators:\n    - list:\n        elements:\n          - env: dev\n          - env: prod\n"
              "    - clusters: {}\n"
              "  template:\n    metadata:\n      name: 'web-{{env}}'\n    spec:\n      source:\n"
              "        repoURL: https://git.example.com/t/r.git\n        path: chart\n        targetRevision: main\n"
              "        helm:\n          valueFiles: ['values-{{ .env }}.yaml']\n"
              "      destination:\n        namespace: '{{env}}'\n")
    write_files(tmp_path, {"appsets/web.yaml": appset, "chart/Chart.yaml": "name: web\n",
                           "chart/values-dev.yaml": "a: 1\n", "chart/values-prod.yaml": "a: 1\n"})
    model = discover(tmp_path, load_config(tmp_path))
    assert _model(tmp_path) == {"web": [("dev", ("chart/values-dev.yaml",)), ("prod", ("chart/values-prod.yaml",))]}
    assert [d.namespace for d in model.apps[0].deployments] == ["dev", "prod"]
    assert model.unmodeled == ["appsets/web.yaml: ApplicationSet web: its clusters generator selects Argo CD cluster "
                               "Secrets, the repository defines none, and no selector names an env; the Applications "
                               "it makes are not modeled (declare the clusters under `clusters:` in .gitops-lint.yaml: "
                               "docs/layouts.md)"]


def test_excludes_from_config(tmp_path: Path) -> None:
    write_files(tmp_path, {".gitops-lint.yaml": "exclude: ['legacy/**']\n",
                           "legacy/app/values-dev.yaml": "a: 1\n", "legacy/app/values-prod.yaml": "a: 1\n"})
    assert _model(tmp_path) == {}


def test_custom_env_names_from_config(tmp_path: Path) -> None:
    write_files(tmp_path, {
        ".gitops-lint.yaml": "environments:\n  order: [sandbox, rehearsal, prod]\n  protected: [rehearsal, prod]\n",
        "app/values-sandbox.yaml": "a: 1\n", "app/values-rehearsal.yaml": "a: 1\n", "app/values-prod.yaml": "a: 1\n",
    })
    model = discover(tmp_path, load_config(tmp_path))
    assert [(d.env.name, d.env.protected, d.env.production) for d in model.apps[0].deployments] == [
        ("sandbox", False, False), ("rehearsal", True, False), ("prod", True, True)]


def test_declared_layouts_with_an_env_filter(tmp_path: Path) -> None:
    write_files(tmp_path, {
        ".gitops-lint.yaml": 'layouts:\n  - files: "tags/{env}/{app}"\n    envs: [staging, production]\n',
        "tags/staging/router": "image_tag: v2\n", "tags/production/router": "image_tag: v1\n",
        "tags/test/router": "image_tag: latest\n",
    })
    assert _model(tmp_path) == {"router": [("staging", ("tags/staging/router",)),
                                           ("production", ("tags/production/router",))]}
