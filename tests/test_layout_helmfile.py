"""The helmfile layout: `environments:` of a (Go-templated) helmfile become the envs of one app, their
values files its layers; history, images and notices through the real engine and CLI."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import finding_lines, git, lint, make_repo, write_files
from gitops_lint.cli import main
from gitops_lint.config import load_config
from gitops_lint.discover import discover
from gitops_lint.helmfile_text import blank
from replay import replay

CORPUS = Path(os.environ.get("GITOPS_LINT_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
CDS = "cds-snc__notification-manifests"

HELMFILE = """\
environments:
  dev:
    values:
      - ./overrides/dev.env
  staging:
    values:
      - ./overrides/staging.env
  production:
    values:
      - ./overrides/production.env
  sandbox:
    values:
      - ./overrides/sandbox.env
---
helmDefaults:
  kubeContext: {{ .Environment.Name }}
releases:
  - name: api
    chart: ./charts/api
    installed: {{ ne .Environment.Name "sandbox" | toYaml }}
    values:
      - ./overrides/api.yaml.gotmpl
{{- if eq .Environment.Name "production" }}
  - name: extra
    chart: ./charts/extra
{{- end }}
"""


def _env(api: str, admin: str) -> str:
    return f'API_DOCKER_TAG: "{api}"\nADMIN_DOCKER_TAG: "{admin}"\nGUNICORN_WORKERS: "4"\n'


def _repo(root: Path) -> Path:
    """dev → staging → production by env files; production then gets an API tag no env ran, and an ADMIN
    tag staging ran only as its API tag (a different image)."""
    return make_repo(root, {
        "helmfile/helmfile.yaml.gotmpl": HELMFILE,
        "helmfile/overrides/api.yaml.gotmpl": 'image:\n  tag: "{{ .StateValues.API_DOCKER_TAG }}"\n',
        "helmfile/overrides/dev.env": _env("a1", "b1"),
        "helmfile/overrides/staging.env": _env("a1", "b1"),
        "helmfile/overrides/production.env": _env("a1", "b1"),
    }, history=[
        ("2026-02-01T00:00:00+00:00", "dev a2 b2", {"helmfile/overrides/dev.env": _env("a2", "b2")}),
        ("2026-03-01T00:00:00+00:00", "staging a2 b2", {"helmfile/overrides/staging.env": _env("a2", "b2")}),
        ("2026-04-01T00:00:00+00:00", "production a3 a2", {"helmfile/overrides/production.env": _env("a3", "a2")}),
        ("2026-05-01T00:00:00+00:00", "dev latest", {"helmfile/overrides/dev.env": _env("latest", "b2")}),
    ])


SANDBOX_NOTICES = [
    "helmfile/helmfile.yaml.gotmpl: helmfile env sandbox names no env role, so it is not compared (add it "
    "under environments.aliases to compare it)",
]
SANDBOX_MISSING = ("helmfile/helmfile.yaml.gotmpl:13:1 argocd/values-file helmfile/helmfile.yaml.gotmpl gives env "
                   "sandbox the values file helmfile/overrides/sandbox.env, which does not exist: deploying sandbox "
                   "fails")


def test_environments_become_the_envs_of_one_app(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    model = discover(root, load_config(root))
    assert [(app.name, [(d.env.name, d.env.role, d.value_files, d.kind, d.layout) for d in app.deployments])
            for app in model.apps] == [("helmfile", [
                ("dev", "dev", ("helmfile/overrides/dev.env",), "helmfile", "helmfile"),
                ("staging", "stage", ("helmfile/overrides/staging.env",), "helmfile", "helmfile"),
                ("production", "prod", ("helmfile/overrides/production.env",), "helmfile", "helmfile")])]
    assert model.unmodeled == SANDBOX_NOTICES


def test_history_tags_per_key_and_mutable_dev(tmp_path: Path) -> None:
    """API a3 never ran anywhere; ADMIN a2 ran in staging only as API's tag: both untested. dev's latest
    is info (dev is not protected)."""
    root = _repo(tmp_path / "repo")
    prod = git(root, "rev-list", "-1", "HEAD~1")[:10]
    result = lint(root)
    assert finding_lines(result) == [
        SANDBOX_MISSING,
        "helmfile/overrides/dev.env:1:17 promotion/mutable-tag dev runs tag latest: 'latest' is a mutable tag, so "
        "what runs can change without a commit",
        "helmfile/overrides/production.env:1:17 promotion/untested-tag production runs API_DOCKER_TAG a3, which "
        "never ran in staging (staging ran a1, a2 on branch main; a3 never ran in dev either); it reached production "
        f"in commit {prod} (2026-04-01 00:00:00 UTC)",
        "helmfile/overrides/production.env:2:19 promotion/untested-tag production runs ADMIN_DOCKER_TAG a2, which "
        "never ran in staging (staging ran b1, b2 on branch main; a2 never ran in dev either); it reached production "
        f"in commit {prod} (2026-04-01 00:00:00 UTC)",
    ]
    assert [f.severity.value for f in result.findings] == ["error", "info", "error", "error"]


def test_promoted_tags_are_clean(tmp_path: Path) -> None:
    """The same repo with production promoted from staging: no promotion finding (a control)."""
    root = _repo(tmp_path / "repo")
    write_files(root, {"helmfile/overrides/production.env": _env("a2", "b2"),
                       "helmfile/overrides/dev.env": _env("a2", "b2")})
    git(root, "commit", "-qam", "promote", date="2026-06-01T00:00:00+00:00")
    assert finding_lines(lint(root)) == [SANDBOX_MISSING]  # the missing env file only


def test_discover_cli(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    out = CliRunner().invoke(main, ["discover", str(root)])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[:4] == [
        "helmfile  (dev → staging → production)  found by: helmfile",
        "  promotion:",
        "    dev → staging  by name (dev comes before stage)",
        "    staging → production  by name (stage comes before prod)",
    ]
    assert f"note: {SANDBOX_NOTICES[0]}" in out.output.splitlines()
    assert "sandbox.env" not in out.output  # a missing values file is a finding of check, not a note


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      containers:
        - name: api
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          resources: {{ toYaml .Values.resources | nindent 12 }}
"""


def _release_values(tag: str, memory: str) -> str:
    return f'image:\n  tag: "{tag}"\nresources:\n  limits:\n    memory: {memory}\n'


def _release_repo(root: Path, extra_values: str = "") -> Path:
    """Envs with no values of their own; the release `api` names a values file per env."""
    return make_repo(root, {
        "helmfile.yaml": ("environments:\n  dev:\n  stage: {}\n  prod: {}\n---\nreleases:\n"
                          "  - name: api\n    namespace: api\n    chart: ./charts/api\n    values:\n"
                          "      - values/api/common.yaml\n      - values/api/{{ .Environment.Name }}.yaml\n"
                          f"{extra_values}"
                          "  - name: redis\n    chart: bitnami/redis\n    values:\n      - values/redis.yaml\n"),
        "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
        "charts/api/values.yaml": 'image:\n  repository: registry.example.com/team/api\n  tag: "1"\n',
        "charts/api/templates/deployment.yaml": DEPLOYMENT,
        "values/api/common.yaml": "replicaCount: 2\n",
        "values/api/secrets.yaml.gotmpl": 'password: {{ requiredEnv "PW" }}\n',
        "values/api/dev.yaml": _release_values("2", "512Mi"),
        "values/api/stage.yaml": _release_values("2", "1Gi"),
        "values/api/prod.yaml": _release_values("1", "512Mi"),
        "values/redis.yaml": "architecture: standalone\n",
    }, history=[("2026-02-01T00:00:00+00:00", "prod 3", {"values/api/prod.yaml": _release_values("3", "512Mi")})])


def test_release_values_named_per_env_are_an_app(tmp_path: Path) -> None:
    root = _release_repo(tmp_path / "repo")
    model = discover(root, load_config(root))
    assert [(app.name, [(d.env.name, d.chart_dir, d.value_files, d.kind, d.namespace) for d in app.deployments])
            for app in model.apps] == [("api", [
                (env, "charts/api", ("charts/api/values.yaml", "values/api/common.yaml", f"values/api/{env}.yaml"),
                 "helm", "api") for env in ("dev", "stage", "prod")])]
    assert model.unmodeled == []
    sha = git(root, "rev-parse", "HEAD")[:10]
    assert finding_lines(lint(root)) == [
        "values/api/prod.yaml:2:8 promotion/untested-tag prod runs registry.example.com/team/api:3, which never ran "
        f"in stage (stage ran 2 on branch main; 3 never ran in dev either); it reached prod in commit {sha} "
        "(2026-02-01 00:00:00 UTC)",
        "values/api/stage.yaml:5:13 parity/drift stage sets resources.limits.memory to 1Gi, but prod sets 512Mi "
        "(values/api/prod.yaml:5): stage does not rehearse prod",
    ]


def test_release_with_a_values_template_is_not_compared(tmp_path: Path) -> None:
    """Part of its values is unknown: images and history still count, parity does not guess."""
    root = _release_repo(tmp_path / "repo", "      - values/api/secrets.yaml.gotmpl\n")
    model = discover(root, load_config(root))
    assert [d.kind for d in model.apps[0].deployments] == ["helmfile"] * 3
    assert model.unmodeled == ["helmfile.yaml:7: release api: values values/api/secrets.yaml.gotmpl are templates "
                               "or inline values; they are not read"]
    assert [line.split(" ", 2)[:2] for line in finding_lines(lint(root))] == [
        ["values/api/prod.yaml:2:8", "promotion/untested-tag"]]


def test_hostile_and_unreadable_shapes_are_notices(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {
        "helmfile.yaml": (
            "bases:\n  - envs/common.yaml\n  - missing.yaml\n  - 7\n"
            "environments:\n"
            "  dev:\n    values:\n      - values/{{ .Environment.Name }}.yaml\n      - {domain: dev.example.com}\n"
            "      - '{{ .Values.other }}.yaml'\n      - ../../outside.yaml\n      - 5\n"
            "  prod:\n    values: values/prod.yaml\n"
            "  stage: [a, b]\n"
            "  qa:\n    missingFileHandler: Warn\n    values:\n      - values/qa.yaml\n"
        ),
        "envs/common.yaml": "environments:\n  prod:\n    values:\n      - values/prod.yaml\n      - values/gone.yaml\n",
        "values/dev.yaml": "API_DOCKER_TAG: '1'\n",
        "values/prod.yaml": "API_DOCKER_TAG: '1'\n",
        "other/helmfile.yaml.gotmpl": "environments:\n  dev: {{ .Values.x\n",
        "third/helmfile.yaml": "releases: []\n",
    })
    model = discover(root, load_config(root))
    name = root.resolve().name
    assert [(app.name, [(d.env.name, d.value_files, d.missing_value_files) for d in app.deployments])
            for app in model.apps] == [(name, [
                ("dev", ("values/dev.yaml",), ()),
                ("qa", (), ()),
                ("stage", (), ()),
                ("prod", ("values/prod.yaml",), ("values/gone.yaml",))])]
    assert model.unmodeled == [
        "helmfile.yaml:3: base missing.yaml is not read (it does not exist); environments it declares are not modeled",
        "helmfile.yaml:4: base (a number) is not read (not a plain path inside the repository); environments it "
        "declares are not modeled",
        "helmfile.yaml:14: environments.prod.values is a string, not a list; not read",
        "helmfile.yaml:15: environments.stage is a list, not a mapping; not read",
        "helmfile.yaml:10: values file {{ .Values.other }}.yaml of helmfile env dev is a template expression; it is "
        "not read",
        "helmfile.yaml:11: values file ../../outside.yaml of helmfile env dev is not a plain path inside the "
        "repository; it is not read",
        "helmfile.yaml:12: a values item of helmfile env dev is a number, not a file path; not read",
        "helmfile.yaml:9: inline values of helmfile env dev are not read (only values files are)",
        "other/helmfile.yaml.gotmpl: not read as a helmfile (a template action opened at line 2 is never closed); "
        "its environments are not modeled",
        "third/helmfile.yaml: a helmfile with no environments, so there is nothing to compare",
    ]


def test_blanking_keeps_lines_and_columns() -> None:
    text = "a: {{ x }}\n{{- if y }}\nb:\n  - {{\n .z }}\n{{ end }}\n"
    blanked = blank(text)
    assert blanked.text.split("\n") == ["a: \ue000000\ue001\ue001\ue001", "", "b:", "  - \ue001\ue001", "", "", ""]
    assert blanked.actions == ("{{ x }}", "{{- if y }}", "{{\n .z }}", "{{ end }}")


@pytest.mark.skipif(not (CORPUS / CDS).is_dir(), reason=f"corpus not found at {CORPUS / CDS} (set GITOPS_LINT_CORPUS)")
def test_cds_snc_corpus(tmp_path: Path) -> None:
    """SOURCE.md certain #1 and #2 (production API tags staging never ran), #3 (dev pins latest), #5
    (sandbox and scratch env files missing); the HEAD negative control (production API/ADMIN promoted)."""
    root = tmp_path / "repo"
    shas = replay(CORPUS / CDS / "history.json", root)
    for path in sorted((CORPUS / CDS / "tree").rglob("*")):  # the rest of the tree, untracked
        dest = root / path.relative_to(CORPUS / CDS / "tree")
        if path.is_file() and not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    for original, tag, when in (("de1606e9be", "a15dd86", "2026-08-18 13:34:50 UTC"),
                                ("4d3c27a2e6", "6eaf9b6", "2026-06-02 17:30:40 UTC")):
        new = next(sha for orig, sha in shas.items() if orig.startswith(original))
        git(root, "checkout", "-q", "-B", "main", new)
        [line] = [f for f in finding_lines(lint(root, only={"promotion/untested-tag"}))
                  if f.startswith("helmfile/overrides/production.env")]
        assert line.startswith(f"helmfile/overrides/production.env:2:17 promotion/untested-tag production runs "
                               f"API_DOCKER_TAG {tag}, which never ran in staging (staging ran ")
        assert line.endswith(f"it reached production in commit {new[:10]} ({when})")
    git(root, "checkout", "-q", "-B", "main", list(shas.values())[-1])
    result = lint(root)
    assert [f for f in finding_lines(result) if f.startswith("helmfile/overrides/production.env")] == []
    assert [f.split(" ", 2)[:2] for f in finding_lines(result) if "mutable-tag" in f] == [
        [f"helmfile/overrides/dev.env:{n}:{c}", "promotion/mutable-tag"] for n, c in ((1, 19), (2, 17), (3, 31), (4, 27))]
    assert result.model.unmodeled[0] == ("helmfile/helmfile.yaml.gotmpl: helmfile envs sandbox, scratch name no env "
                                         "role, so they are not compared (add them under environments.aliases to "
                                         "compare them)")
    assert [f for f in finding_lines(result) if "argocd/values-file" in f] == [
        f"helmfile/helmfile.yaml.gotmpl:{line}:1 argocd/values-file helmfile/helmfile.yaml.gotmpl gives env {env} the "
        f"values file helmfile/overrides/{env}.env, which does not exist: deploying {env} fails"
        for line, env in ((4, "sandbox"), (7, "scratch"))]


BRANCHED = """\
image:
  tag: "{{ .StateValues.API_DOCKER_TAG }}"
workers:
  deployment:
    resources:
      limits:
        memory: {{ if eq .Environment.Name "production" }} "1024Mi" {{ else if eq .Environment.Name "staging" }} "1250Mi" {{ else }} "1024Mi" {{ end }}
        cpu: {{ if eq .Environment.Name "production" }} "500m" {{ else if eq .Environment.Name "staging" }} "0.5" {{ else }} "250m" {{ end }}
    replicas: {{ if eq .Environment.Name "production" }} 3 {{ else }} 1 {{ end }}
  hosts:
    - {{ if eq .Environment.Name "production" }} "api.example.com" {{ else }} "api.staging.example.com" {{ end }}
"""


def test_per_env_branches_of_a_values_template_are_compared(tmp_path: Path) -> None:
    """cds-snc's `celery.yaml.gotmpl` idiom (SOURCE.md certain #4): one line, one branch per env. The
    branches are compared like values: staging's memory limit is not production's (an error); the CPU
    limits are equal written two ways; replicas are parity/replicas' business; hosts differ by design."""
    root = _repo(tmp_path / "repo")
    write_files(root, {"helmfile/overrides/api.yaml.gotmpl": BRANCHED})
    git(root, "commit", "-qam", "per-env limits", date="2026-06-01T00:00:00+00:00")
    assert [line for line in finding_lines(lint(root)) if "parity/" in line] == [
        "helmfile/overrides/api.yaml.gotmpl:7:17 parity/drift staging sets workers.deployment.resources.limits.memory "
        "to 1250Mi, but production sets 1024Mi (helmfile/overrides/api.yaml.gotmpl:7, its production branch): "
        "staging does not rehearse production",
    ]
