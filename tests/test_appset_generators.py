"""ApplicationSet generators beyond `list`: git files and directories, clusters (Secrets in the repo),
matrix and merge, Go templates and templatePatch. Each fixture is a real git repo with dated commits,
linted by the real engine: exact Applications per env, exact findings, one of them from history."""
from __future__ import annotations

import base64
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import finding_lines, git, lint, make_repo, write_files
from gitops_lint.appset_template import Syntax, Unresolved, Unsupported, render_text
from gitops_lint.cli import main
from gitops_lint.config import load_config
from gitops_lint.discover import discover

URL = "https://git.example.com/team/deploy.git"
LATER = "2026-02-01T00:00:00+00:00"
HOTFIX = "image:\n  tag: 1.0.1\n"  # prod runs a tag stage never ran


def _chart(directory: str, name: str) -> dict[str, str]:
    return {f"{directory}/Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n",
            f"{directory}/values.yaml": f"image:\n  repository: registry.example.com/{name}\n  tag: 1.0.0\n"}


def _appset(name: str, generators: str, template: str, *, go: str = "") -> str:
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: {name}\nspec:\n{go}"
            f"  generators:\n{generators}  template:\n{template}")


def _template(name: str, path: str, value_files: str, *, namespace: str = "web", extra: str = "",
              revision: str = "HEAD", server: str = "https://kubernetes.default.svc") -> str:
    return (f"    metadata:\n      name: '{name}'\n    spec:\n      project: default\n      source:\n"
            f"        repoURL: {URL}\n        path: '{path}'\n        targetRevision: {revision}\n"
            f"        helm:\n          valueFiles: {value_files}\n{extra}      destination:\n"
            f"        server: '{server}'\n        namespace: '{namespace}'\n")


AUTOMATED = "      syncPolicy:\n        automated:\n          prune: true\n"


def _secret(file: str, name: str, labels: dict[str, str], *, encoded: bool = False) -> dict[str, str]:
    server = f"https://{name}.k8s.example.com"
    label_text = "".join(f"    {k}: {v}\n" for k, v in labels.items())
    if encoded:  # `data:` is base64, as `kubectl get secret -o yaml` writes it
        data = (f"data:\n  name: {base64.b64encode(name.encode()).decode()}\n"
                f"  server: {base64.b64encode(server.encode()).decode()}\n")
    else:
        data = f"stringData:\n  name: {name}\n  server: {server}\n"
    return {file: f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: cluster-{name}\n  labels:\n"
                  f"    argocd.argoproj.io/secret-type: cluster\n{label_text}{data}"}


def _origin(root: Path) -> Path:
    """A clone's remote: how a templated `path:` (`{{path}}`) is known to be this repository."""
    git(root, "remote", "add", "origin", URL)
    return root


def _model(root: Path) -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
    model = discover(root, load_config(root))
    return {app.name: [(d.env.name, d.argo.name if d.argo else "-", d.value_files) for d in app.deployments]
            for app in model.apps}


def _unmodeled(root: Path) -> list[str]:
    return discover(root, load_config(root)).unmodeled


# --- git files -----------------------------------------------------------------------------------

GIT_FILES = _appset("web", f"    - git:\n        repoURL: {URL}\n        revision: HEAD\n        files:\n"
                    "          - path: envs/*/config.json\n",
                    _template("web-{{path.basename}}", "charts/web", "['values-{{path.basename}}.yaml']",
                              namespace="{{namespace}}") + AUTOMATED)


@pytest.fixture
def git_files(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "r", {
        **_chart("charts/web", "web"), "charts/web/values-stage.yaml": "image:\n  tag: 1.0.0\n",
        "charts/web/values-prod.yaml": "image:\n  tag: 1.0.0\n", "appsets/web.yaml": GIT_FILES,
        "envs/stage/config.json": '{"namespace": "web-stage"}\n', "envs/prod/config.json": '{"namespace": "web-prod"}\n',
    }, history=[(LATER, "prod hotfix", {"charts/web/values-prod.yaml": HOTFIX})])


def test_git_files_generator_makes_one_application_per_file(git_files: Path) -> None:
    assert _model(git_files) == {"web": [
        ("stage", "web-stage", ("charts/web/values.yaml", "charts/web/values-stage.yaml")),
        ("prod", "web-prod", ("charts/web/values.yaml", "charts/web/values-prod.yaml"))]}
    assert [d.namespace for d in discover(git_files, load_config(git_files)).apps[0].deployments] == \
        ["web-stage", "web-prod"]  # a key of each config.json
    assert _unmodeled(git_files) == []


def test_git_files_findings_point_at_the_template_and_follow_history(git_files: Path) -> None:
    assert finding_lines(lint(git_files)) == [
        "appsets/web.yaml:23:7 argocd/shared-cluster Application web-prod deploys prod to cluster https://kubernetes.default.svc, "
        "the same cluster as stage (namespace web-stage): only a namespace separates production from them",
        "appsets/web.yaml:27:9 argocd/auto-sync-prod prod's Application web-prod syncs automatically "
        "(syncPolicy.automated) from HEAD: every change on HEAD reaches prod with no promotion step",
        "charts/web/values-prod.yaml:2:8 promotion/untested-tag prod runs registry.example.com/web:1.0.1, which never "
        "ran in stage (stage ran 1.0.0 on branch main); it reached prod in commit "
        f"{_sha(git_files)} (2026-02-01 00:00:00 UTC)",
    ]


def test_discover_shows_the_generated_applications(git_files: Path) -> None:
    result = CliRunner().invoke(main, ["discover", str(git_files)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:5] == [
        "web  (stage → prod)  found by: argocd-applicationset",
        "  promotion:",
        "    stage → prod  by name (stage comes before prod)",
        "  stage  [protected]",
        "    application: web-stage (appsets/web.yaml, from ApplicationSet web), auto-sync, namespace web-stage, "
        "watches HEAD",
    ]


def _sha(root: Path) -> str:
    return git(root, "rev-parse", "--short=10", "HEAD").strip()


# --- git directories, Go template ----------------------------------------------------------------

GIT_DIRS = _appset(
    "api", f"    - git:\n        repoURL: {URL}\n        revision: main\n        directories:\n"
    "          - path: envs/*\n          - path: envs/legacy\n            exclude: true\n",
    _template("api-{{ .path.basename }}", "charts/api", "['../../{{ .path.path }}/values.yaml']",
              namespace="{{ .path.basename | upper | lower }}-{{ index .path.segments 0 }}", revision="main"),
    go="  goTemplate: true\n  goTemplateOptions: [\"missingkey=error\"]\n")


def test_git_directories_with_go_templates(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {
        **_chart("charts/api", "api"), "appsets/api.yaml": GIT_DIRS, "envs/stage/values.yaml": "image:\n  tag: 1.0.0\n",
        "envs/prod/values.yaml": "image:\n  tag: 1.0.0\n", "envs/legacy/values.yaml": "image:\n  tag: 0.9.0\n",
    }, history=[(LATER, "prod hotfix", {"envs/prod/values.yaml": HOTFIX})])
    assert _model(root) == {"api": [
        ("stage", "api-stage", ("charts/api/values.yaml", "envs/stage/values.yaml")),
        ("prod", "api-prod", ("charts/api/values.yaml", "envs/prod/values.yaml"))]}  # envs/legacy excluded
    assert [d.namespace for d in discover(root, load_config(root)).apps[0].deployments] == ["stage-envs", "prod-envs"]
    assert finding_lines(lint(root)) == [
        "appsets/api.yaml:27:7 argocd/shared-cluster Application api-prod deploys prod to cluster https://kubernetes.default.svc, "
        "the same cluster as stage (namespace stage-envs): only a namespace separates production from them",
        "envs/prod/values.yaml:2:8 promotion/untested-tag prod runs registry.example.com/api:1.0.1, which never ran in "
        f"stage (stage ran 1.0.0 on branch main); it reached prod in commit {_sha(root)} (2026-02-01 00:00:00 UTC)"]


# --- clusters ------------------------------------------------------------------------------------

CLUSTERS = _appset(
    "web", "    - clusters:\n        selector:\n          matchLabels: {team: web}\n          matchExpressions:\n"
    "            - {key: env, operator: In, values: [stage, prod]}\n        values:\n          chart: web\n",
    _template("{{values.chart}}-{{name}}", "charts/{{values.chart}}",
              "['values-{{metadata.labels.env}}.yaml', 'clusters/{{name}}.yaml']",
              extra="          ignoreMissingValueFiles: true\n", server="{{server}}") + AUTOMATED)
SECRETS = {**_secret("clusters/stage.yaml", "stage", {"env": "stage", "team": "web"}),
           **_secret("clusters/prod.yaml", "prod", {"env": "prod", "team": "web"}, encoded=True),
           **_secret("clusters/sandbox.yaml", "sandbox", {"env": "sandbox", "team": "web"}),
           **_secret("clusters/data-prod.yaml", "data-prod", {"env": "prod", "team": "data"})}


def test_clusters_generator_selects_the_secrets_in_the_repo(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {
        **_chart("charts/web", "web"), **SECRETS, "appsets/web.yaml": CLUSTERS,
        "charts/web/values-stage.yaml": "image:\n  tag: 1.0.0\n", "charts/web/values-prod.yaml": "image:\n  tag: 1.0.0\n",
        "charts/web/clusters/prod.yaml": "replicaCount: 3\n",  # per-cluster values; stage has none (ignored)
    }, history=[(LATER, "prod hotfix", {"charts/web/values-prod.yaml": HOTFIX})])
    _origin(root)
    assert _model(root) == {"web": [
        ("stage", "web-stage", ("charts/web/values.yaml", "charts/web/values-stage.yaml")),
        ("prod", "web-prod", ("charts/web/values.yaml", "charts/web/values-prod.yaml", "charts/web/clusters/prod.yaml"))]}
    assert _unmodeled(root) == []
    assert finding_lines(lint(root)) == [
        "appsets/web.yaml:30:9 argocd/auto-sync-prod prod's Application web-prod syncs automatically "
        "(syncPolicy.automated) from HEAD: every change on HEAD reaches prod with no promotion step",
        "charts/web/values-prod.yaml:2:8 promotion/untested-tag prod runs registry.example.com/web:1.0.1, which never "
        f"ran in stage (stage ran 1.0.0 on branch main); it reached prod in commit {_sha(root)} (2026-02-01 00:00:00 UTC)",
        "charts/web/values-stage.yaml parity/replicas stage does not set replicaCount, but prod sets 3 "
        "(charts/web/clusters/prod.yaml:1)",  # the per-cluster values file is a layer of prod
    ]


# --- matrix --------------------------------------------------------------------------------------

MATRIX = _appset(
    "services", f"    - matrix:\n        generators:\n          - git:\n              repoURL: {URL}\n"
    "              revision: HEAD\n              directories: [{path: services/*}]\n"
    "          - list:\n              elements: [{env: stage}, {env: prod}]\n",
    _template("{{path.basename}}-{{env}}", "{{path}}", "['values-{{env}}.yaml']", namespace="{{env}}"))


def test_matrix_of_git_directories_and_a_list(tmp_path: Path) -> None:
    files = {"appsets/services.yaml": MATRIX}
    for name in ("api", "worker"):
        files.update({**_chart(f"services/{name}", name), f"services/{name}/values-stage.yaml": "image:\n  tag: 1.0.0\n",
                      f"services/{name}/values-prod.yaml": "image:\n  tag: 1.0.0\n"})
    root = _origin(make_repo(tmp_path / "r", files,
                             history=[(LATER, "api hotfix", {"services/api/values-prod.yaml": HOTFIX})]))
    assert _model(root) == {
        "api": [("stage", "api-stage", ("services/api/values.yaml", "services/api/values-stage.yaml")),
                ("prod", "api-prod", ("services/api/values.yaml", "services/api/values-prod.yaml"))],
        "worker": [("stage", "worker-stage", ("services/worker/values.yaml", "services/worker/values-stage.yaml")),
                   ("prod", "worker-prod", ("services/worker/values.yaml", "services/worker/values-prod.yaml"))]}
    assert finding_lines(lint(root)) == [
        "appsets/services.yaml:26:7 argocd/shared-cluster Application api-prod deploys prod to cluster https://kubernetes.default.svc, "
        "the same cluster as stage (namespace stage): only a namespace separates production from them",
        "appsets/services.yaml:26:7 argocd/shared-cluster Application worker-prod deploys prod to cluster https://kubernetes.default.svc, "
        "the same cluster as stage (namespace stage): only a namespace separates production from them",
        "services/api/values-prod.yaml:2:8 promotion/untested-tag prod runs registry.example.com/api:1.0.1, which "
        f"never ran in stage (stage ran 1.0.0 on branch main); it reached prod in commit {_sha(root)} "
        "(2026-02-01 00:00:00 UTC)"]


def test_matrix_second_generator_reads_the_first_ones_parameters(tmp_path: Path) -> None:
    appset = _appset(
        "tenants", f"    - matrix:\n        generators:\n          - clusters: {{}}\n          - git:\n"
        f"              repoURL: {URL}\n              revision: HEAD\n"
        "              files: [{path: 'tenants/{{metadata.labels.env}}/*.yaml'}]\n",
        _template("{{tenant}}-{{name}}", "charts/tenant", "['../../tenants/{{metadata.labels.env}}/{{path.filename}}']",
                  namespace="{{tenant}}", server="{{server}}"))
    root = make_repo(tmp_path / "r", {
        **_chart("charts/tenant", "tenant"), "appsets/tenants.yaml": appset,
        **_secret("clusters/stage.yaml", "stage", {"env": "stage"}), **_secret("clusters/prod.yaml", "prod", {"env": "prod"}),
        "tenants/stage/blue.yaml": "tenant: blue\nimage:\n  tag: 1.0.0\n",
        "tenants/prod/blue.yaml": "tenant: blue\nimage:\n  tag: 1.0.0\n",
    }, history=[(LATER, "blue hotfix", {"tenants/prod/blue.yaml": "tenant: blue\nimage:\n  tag: 1.0.1\n"})])
    assert _model(root) == {"blue": [
        ("stage", "blue-stage", ("charts/tenant/values.yaml", "tenants/stage/blue.yaml")),
        ("prod", "blue-prod", ("charts/tenant/values.yaml", "tenants/prod/blue.yaml"))]}
    assert finding_lines(lint(root)) == [
        "tenants/prod/blue.yaml:3:8 promotion/untested-tag prod runs registry.example.com/tenant:1.0.1, which never "
        f"ran in stage (stage ran 1.0.0 on branch main); it reached prod in commit {_sha(root)} "
        "(2026-02-01 00:00:00 UTC)"]


# --- merge ---------------------------------------------------------------------------------------

MERGE = _appset(
    "web", "    - merge:\n        mergeKeys: [name]\n        generators:\n"
    "          - clusters:\n              values: {tier: standard}\n"
    "          - list:\n              elements:\n                - {name: prod, values: {tier: critical}}\n",
    _template("web-{{name}}", "charts/web", "['values-{{name}}.yaml', 'tier-{{values.tier}}.yaml']",
              server="{{server}}") + AUTOMATED)


def test_merge_overrides_the_base_generators_matching_elements(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {
        **_chart("charts/web", "web"), "appsets/web.yaml": MERGE,
        **_secret("clusters/stage.yaml", "stage", {"env": "stage"}), **_secret("clusters/prod.yaml", "prod", {"env": "prod"}),
        "charts/web/values-stage.yaml": "image:\n  tag: 1.0.0\n", "charts/web/values-prod.yaml": "image:\n  tag: 1.0.0\n",
        "charts/web/tier-standard.yaml": "replicaCount: 1\n", "charts/web/tier-critical.yaml": "replicaCount: 1\n",
    }, history=[(LATER, "prod hotfix", {"charts/web/values-prod.yaml": HOTFIX})])
    assert _model(root) == {"web": [
        ("stage", "web-stage", ("charts/web/values.yaml", "charts/web/values-stage.yaml", "charts/web/tier-standard.yaml")),
        ("prod", "web-prod", ("charts/web/values.yaml", "charts/web/values-prod.yaml", "charts/web/tier-critical.yaml"))]}
    assert finding_lines(lint(root)) == [
        "appsets/web.yaml:30:9 argocd/auto-sync-prod prod's Application web-prod syncs automatically "
        "(syncPolicy.automated) from HEAD: every change on HEAD reaches prod with no promotion step",
        "charts/web/values-prod.yaml:2:8 promotion/untested-tag prod runs registry.example.com/web:1.0.1, which never "
        f"ran in stage (stage ran 1.0.0 on branch main); it reached prod in commit {_sha(root)} (2026-02-01 00:00:00 UTC)",
    ]


# --- Go templates, templatePatch, notices ---------------------------------------------------------

GO = Syntax(go=True)


@pytest.mark.parametrize("text, expected", [
    ("{{ .name }}", "web"),
    ("{{- \" a \" -}} x {{ .name -}} y", " a x weby"),
    ("{{ index .labels \"env.io/tier\" }}", "gold"),
    ("{{ default \"main\" .missing }}-{{ .values.rev | default \"x\" }}", "main-v2"),
    ("{{ .name | upper }}{{ lower \"AB\" }}", "WEBab"),
    ("{{ replace \"-\" \"_\" .path }}|{{ trimPrefix \"apps/\" .path }}|{{ .path | trimSuffix \"/x\" }}",
     "apps/web_x|web-x|apps/web-x"),
    ("{{/* a comment */}}{{ index .segments 1 }}", "b"),
])
def test_go_templates_evaluate_the_subset_real_application_sets_use(text: str, expected: str) -> None:
    params = {"name": "web", "labels": {"env.io/tier": "gold"}, "values": {"rev": "v2"}, "path": "apps/web-x",
              "segments": ["a", "b"]}
    assert render_text(text, params, GO) == expected


@pytest.mark.parametrize("text, error", [
    ("{{ if .name }}x{{ end }}", Unsupported), ("{{ $x := 1 }}", Unsupported), ("{{ printf \"%s\" .name }}", Unsupported),
    ("{{ (lower .name) }}", Unsupported), ("{{ .labels }}", Unsupported), ("{{ .nope }}", Unresolved),
    ("{{ lower }}", Unsupported), ("{{ .name.first }}", Unsupported), ("{{ \"open }}", Unsupported),
])
def test_go_templates_outside_the_subset_are_refused_not_guessed(text: str, error: type) -> None:
    with pytest.raises(error):
        render_text(text, {"name": "web", "labels": {}}, GO)
    with pytest.raises(Unresolved):
        render_text("{{ .nope }}", {}, Syntax(go=True, missing_error=True))


def test_hostile_templates_take_linear_time() -> None:
    start = time.perf_counter()
    for text in ("{{" * 200_000, "{{ " + "| lower " * 100_000 + "}}", "{{ " + '"' * 200_001 + " }}",
                 "{{ .a }}" * 50_000):
        with pytest.raises((Unsupported, Unresolved)):
            render_text(text, {}, GO)
        try:
            render_text(text, {}, Syntax(go=False))  # fasttemplate: an unclosed tag is left as it is
        except Unresolved:
            pass
    assert time.perf_counter() - start < 5


TEMPLATE_PATCH = _appset(
    "web", "    - list:\n        elements:\n          - {env: stage, auto: false}\n          - {env: prod, auto: true}\n",
    _template("web-{{ .env }}", "charts/web", "['values-{{ .env }}.yaml']", namespace="{{ .env }}"),
    go="  goTemplate: true\n  templatePatch: |\n    spec:\n      syncPolicy:\n        automated:\n"
       "          prune: {{ .auto }}\n")


def test_template_patch_merges_over_the_template_when_static(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {
        **_chart("charts/web", "web"), "appsets/web.yaml": TEMPLATE_PATCH,
        "charts/web/values-stage.yaml": "image:\n  tag: 1.0.0\n", "charts/web/values-prod.yaml": "image:\n  tag: 1.0.0\n",
    }, history=[(LATER, "prod hotfix", {"charts/web/values-prod.yaml": HOTFIX})])
    model = discover(root, load_config(root))
    assert [(d.env.name, d.argo.automated) for d in model.apps[0].deployments] == [("stage", True), ("prod", True)]
    assert finding_lines(lint(root)) == [
        "appsets/web.yaml:20:5 argocd/auto-sync-prod prod's Application web-prod syncs automatically "
        "(syncPolicy.automated) from HEAD: every change on HEAD reaches prod with no promotion step",
        "appsets/web.yaml:28:7 argocd/shared-cluster Application web-prod deploys prod to cluster https://kubernetes.default.svc, "
        "the same cluster as stage (namespace stage): only a namespace separates production from them",
        "charts/web/values-prod.yaml:2:8 promotion/untested-tag prod runs registry.example.com/web:1.0.1, which never "
        f"ran in stage (stage ran 1.0.0 on branch main); it reached prod in commit {_sha(root)} (2026-02-01 00:00:00 UTC)",
    ]


GIT = f"    - git:\n        repoURL: {URL}\n"
PLAIN = _template("web-{{env}}", "charts/web", "['values-{{env}}.yaml']")


@pytest.mark.parametrize("generators, template, go, notice", [
    (GIT + "        files: x\n", PLAIN, "",
     "spec.generators[0].git.files is a string, expected a list; its Applications are not modeled"),
    ("    - clusters: {selector: []}\n", PLAIN, "",
     "spec.generators[0].clusters.selector is a list, expected a mapping; its Applications are not modeled"),
    ("    - clusters: {selector: {matchExpressions: [{key: env, operator: Gt}]}}\n", PLAIN, "",
     "spec.generators[0].clusters.selector.matchExpressions[0] is not a key with an operator In, NotIn, Exists or "
     "DoesNotExist (and values: a list for In and NotIn); its Applications are not modeled"),
    ("    - git: {repoURL: 'https://git.example.com/other.git', files: [{path: a.json}]}\n", PLAIN, "",
     "spec.generators[0].git reads 'https://git.example.com/other.git', not this repository; its Applications are "
     "not modeled"),
    (GIT + "        revision: v1.2.0\n        files: [{path: 'envs/*/c.json'}]\n", PLAIN, "",
     "spec.generators[0].git reads revision 'v1.2.0', a tag or commit; only the branch under lint is read, so its "
     "Applications are not modeled"),
    (GIT + "        directories: [{path: 'envs/[ab]*'}]\n", PLAIN, "",
     "spec.generators[0].git.directories[0].path 'envs/[ab]*' uses glob syntax that is not modeled ([...], {a,b}, "
     "escapes, or an unresolved template); its Applications are not modeled"),
    ("    - pullRequest: {github: {owner: o, repo: r}}\n", PLAIN, "",
     "the pullRequest generator is not static; the Applications it makes are not modeled"),
    ("    - matrix: {generators: [{list: {elements: [{env: qa}]}}]}\n", PLAIN, "",
     "spec.generators[0].matrix.generators does not hold two generators; its Applications are not modeled"),
    ("    - list: {elements: [{env: qa}]}\n",
     _template("web-{{ .env }}{{ if .x }}y{{ end }}", "charts/web", "[a.yaml]"), "  goTemplate: true\n",
     "element env=qa: the template uses 'if', which is not evaluated; that Application is not modeled"),
    ("    - list: {elements: [{env: qa}]}\n", _template("web-{{ .region }}", "charts/web", "[a.yaml]"),
     "  goTemplate: true\n  goTemplateOptions: [missingkey=error]\n",
     "element env=qa: map has no entry for key 'region' (missingkey=error); that Application is not modeled"),
    ("    - list: {elements: [{env: qa}]}\n", PLAIN, "  goTemplate: true\n  templatePatch: 5\n",
     "spec.templatePatch is a number, expected text; its Applications are not modeled"),
])
def test_what_cannot_be_resolved_is_a_notice_naming_file_and_key(tmp_path: Path, generators: str, template: str,
                                                                 go: str, notice: str) -> None:
    root = make_repo(tmp_path / "r", {
        **_chart("charts/web", "web"), "charts/web/values-stage.yaml": "a: 1\n", "charts/web/values-prod.yaml": "a: 1\n",
        **_secret("clusters/prod.yaml", "prod", {"env": "prod"}),
        "appsets/web.yaml": _appset("web", generators, template, go=go)})
    assert _unmodeled(root) == [f"appsets/web.yaml: ApplicationSet web: {notice}"]


def test_generated_applications_are_capped_per_application_set(tmp_path: Path) -> None:
    def listed(key: str) -> str:
        items = "".join(f"                - {{{key}: x{i}}}\n" for i in range(40))
        return f"          - list:\n              elements:\n{items}"
    appset = _appset("web", f"    - matrix:\n        generators:\n{listed('env')}{listed('n')}",
                     _template("web-{{env}}-{{n}}", "charts/web", "[a.yaml]", namespace="qa"))
    root = make_repo(tmp_path / "r", {**_chart("charts/web", "web"), "appsets/web.yaml": appset,
                                      "charts/web/values-stage.yaml": "a: 1\n", "charts/web/values-prod.yaml": "a: 1\n"})
    model = discover(root, load_config(root))
    assert model.unmodeled == ["appsets/web.yaml: ApplicationSet web: its generators make 1001 Applications; the "
                               "first 1000 are modeled"]  # 40 × 40 = 1,600, cut at 1,001 while multiplying
    assert len([a for a in model.argo_apps if a.generated_by]) == 1000


# --- corpus (read at run time, never copied into the project) -------------------------------------

CORPUS = Path(os.environ.get("GITOPS_LINT_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
KONFLUX = "redhat-appstudio__infra-deployments"
BRIDGE = "gitops-bridge-dev__gitops-bridge-argocd-control-plane-template"
BRIDGE_URL = "https://github.com/gitops-bridge-dev/gitops-bridge-argocd-control-plane-template"


def _corpus(name: str, dest: Path, extra: dict[str, str] | None = None) -> Path:
    if not (CORPUS / name / "tree").is_dir():
        pytest.skip(f"corpus tree {name} not found under {CORPUS} (set GITOPS_LINT_CORPUS)")
    shutil.copytree(CORPUS / name / "tree", dest)
    return make_repo(dest, extra or {"gitops-lint-test.txt": "copied\n"})


def test_konflux_application_sets_are_judged_as_the_env_overlays_build_them(tmp_path: Path) -> None:
    """SOURCE.md layout: base ApplicationSets (merge of clusters and list) that each env's Kustomize
    overlay patches. Read alone, the base says `environment: staging` and would expand against the
    development overlay's `in-cluster-local` Secret; built, production-downstream keeps the base's
    automated sync from main while staging-downstream removes it: certain #6."""
    root = _corpus(KONFLUX, tmp_path / "repo")
    model = discover(root, load_config(root))
    assert not [a for a in model.argo_apps if a.file.startswith("argo-cd-apps/base/")]
    release = [o for o in model.overlay_objects if o.kind == "ApplicationSet" and o.name == "release"]
    assert sorted((o.overlay, o.file) for o in release) == [
        (f"argo-cd-apps/overlays/{env}", "argo-cd-apps/base/member/infra-deployments/release/release.yaml")
        for env in ("konflux-public-production", "production-downstream")]
    assert [line for line in finding_lines(lint(root)) if "ApplicationSet release " in line] == [
        "argo-cd-apps/base/member/infra-deployments/release/release.yaml:31:9 argocd/auto-sync-prod ApplicationSet "
        "release syncs automatically (spec.template.spec.syncPolicy.automated) from main in konflux-public-production "
        "and production-downstream, as built by argo-cd-apps/overlays/konflux-public-production and "
        "argo-cd-apps/overlays/production-downstream: every change on main reaches production with no promotion step"]


def test_gitops_bridge_addons_expand_once_cluster_secrets_exist(tmp_path: Path) -> None:
    """SOURCE.md layout: clusters generators select on Secret labels and read annotations; the
    Secrets are written by Terraform outside the repo, so the test adds three as a bootstrap would."""
    secrets = {}
    for env in ("dev", "staging", "prod"):
        secrets.update(_secret(f"bootstrap/clusters/{env}.yaml", f"{env}-cluster",
                               {"environment": env, "enable_metrics_server": "'true'"}))
        secrets[f"bootstrap/clusters/{env}.yaml"] = secrets[f"bootstrap/clusters/{env}.yaml"].replace(
            "metadata:\n", f"metadata:\n  annotations:\n    addons_repo_url: {BRIDGE_URL}\n"
            "    addons_repo_basepath: ''\n    addons_repo_revision: main\n    addons_repo_path: bootstrap/control-plane/addons\n")
    root = _corpus(BRIDGE, tmp_path / "repo", secrets)
    git(root, "remote", "add", "origin", BRIDGE_URL)
    model = discover(root, load_config(root))
    metrics = next(a for a in model.apps if a.name == "addon-cluster-metrics-server")
    assert [(d.env.name, d.argo.name if d.argo else "-", d.value_files) for d in metrics.deployments] == [
        (env, f"addon-{env}-cluster-metrics-server", ("environments/default/addons/metrics-server/values.yaml",))
        for env in ("dev", "staging", "prod")]  # env and per-cluster files are missing, and ignored (certain #1)
    assert [line for line in finding_lines(lint(root)) if "auto-sync-prod" in line] == [
        "bootstrap/control-plane/clusters/clusters-appset.yaml:36:9 argocd/auto-sync-prod prod's Application "
        "cluster-prod-cluster syncs automatically (syncPolicy.automated) from main: every change on main reaches "
        "prod with no promotion step"]  # arguable #7


def test_the_run_wide_budget_cuts_the_application_sets_that_come_last() -> None:
    from gitops_lint import argocd
    from gitops_lint.appset_repo import MAX_TOTAL, RepoView

    data = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "s"},
            "spec": {"generators": [{"list": {"elements": [{"env": f"e{i}"} for i in range(5)]}}],
                     "template": {"metadata": {"name": "x-{{env}}"}, "spec": {}}}}
    repo = RepoView(None, [])
    assert repo.remaining == MAX_TOTAL == 10_000
    repo.remaining = 3  # as if 9,997 Applications came from the files before this one
    apps, notices = argocd.parse_doc(data, file="a.yaml", doc=0, is_local=lambda url: True, repo=repo)
    assert [a.name for a in apps] == ["x-e0", "x-e1", "x-e2"] and repo.remaining == 0
    assert notices == ["a.yaml: ApplicationSet s: the ApplicationSets of this repository make more than 10,000 "
                       "Applications in all; 3 of this one's 5 are modeled"]


# --- clusters declared in the config (their Secrets live outside the repo) -------------------------

DECLARED = ("clusters:\n"
            "  - name: workload-stage\n    server: https://stage.k8s.example.com\n    labels: {env: stage}\n"
            "  - name: workload-prod\n    server: https://prod.k8s.example.com\n    labels: {env: prod}\n")


def test_clusters_declared_in_the_config_feed_a_clusters_generator(tmp_path: Path) -> None:
    """gitops-bridge style: Terraform registers the clusters, so the repo has no cluster Secret. Without
    a declaration the ApplicationSet is a note that says how to declare them; with `clusters:` in
    .gitops-lint.yaml its Applications are modeled, per-env values and history included."""
    appset = _appset("web", "    - clusters:\n        selector:\n          matchLabels: {}\n",
                     _template("web-{{metadata.labels.env}}", "charts/web", "['values-{{metadata.labels.env}}.yaml']",
                               server="{{server}}"))
    files = {**_chart("charts/web", "web"), "appsets/web.yaml": appset,
             "charts/web/values-stage.yaml": "image:\n  tag: 1.0.0\n", "charts/web/values-prod.yaml": "image:\n  tag: 1.0.0\n"}
    root = _origin(make_repo(tmp_path / "r", files, history=[(LATER, "prod hotfix", {"charts/web/values-prod.yaml": HOTFIX})]))
    sha = _sha(root)
    assert discover(root, load_config(root)).unmodeled == [
        "appsets/web.yaml: ApplicationSet web: its clusters generator selects Argo CD cluster Secrets, the "
        "repository defines none, and no selector names an env; the Applications it makes are not modeled (declare "
        "the clusters under `clusters:` in .gitops-lint.yaml: docs/layouts.md)"]
    write_files(root, {".gitops-lint.yaml": DECLARED})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "declare the clusters", date="2026-02-02T00:00:00+00:00")
    assert _model(root) == {"web": [("stage", "web-stage", ("charts/web/values.yaml", "charts/web/values-stage.yaml")),
                                    ("prod", "web-prod", ("charts/web/values.yaml", "charts/web/values-prod.yaml"))]}
    assert finding_lines(lint(root)) == [
        "charts/web/values-prod.yaml:2:8 promotion/untested-tag prod runs registry.example.com/web:1.0.1, which never "
        f"ran in stage (stage ran 1.0.0 on branch main); it reached prod in commit {sha} "
        "(2026-02-01 00:00:00 UTC)"]


def test_a_declared_cluster_without_a_name_is_a_config_error(tmp_path: Path) -> None:
    write_files(tmp_path, {".gitops-lint.yaml": "clusters:\n  - server: https://x.example.com\n"})
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == ("gitops-lint: error: .gitops-lint.yaml:2 (clusters[0]): invalid configuration: "
                             "missing the required key name\n")


# --- stand-in clusters: the selectors name the envs, no Secret is in the repo ---------------------

def _addon(name: str, flag: str, default: str, staging: str, prod: str, *, extra_values: str = "") -> str:
    """gitops-bridge's addon shape: merge of a default clusters generator and one per env label."""
    return _appset(
        name,
        "    - merge:\n        mergeKeys: [server]\n        generators:\n"
        "          - clusters:\n              values:\n                addonChart: metrics-server\n"
        f"                addonChartVersion: {default}\n"
        "                addonChartRepository: https://charts.example.com\n"
        "              selector:\n                matchExpressions:\n"
        "                  - {key: akuity.io/argo-cd-cluster-name, operator: NotIn, values: [in-cluster]}\n"
        f"                  - {{key: {flag}, operator: In, values: ['true']}}\n"
        "          - clusters:\n              selector:\n                matchLabels: {environment: staging}\n"
        f"              values: {{addonChartVersion: {staging}}}\n"
        "          - clusters:\n              selector:\n                matchLabels: {environment: prod}\n"
        f"              values: {{addonChartVersion: {prod}}}\n",
        "    metadata:\n      name: addon-{{name}}-{{values.addonChart}}\n    spec:\n      project: default\n"
        "      sources:\n        - repoURL: '{{metadata.annotations.addons_repo_url}}'\n"
        "          targetRevision: '{{metadata.annotations.addons_repo_revision}}'\n          ref: values\n"
        "        - chart: '{{values.addonChart}}'\n          repoURL: '{{values.addonChartRepository}}'\n"
        "          targetRevision: '{{values.addonChartVersion}}'\n          helm:\n"
        "            ignoreMissingValueFiles: true\n            valueFiles:\n"
        "              - $values/{{metadata.annotations.addons_repo_basepath}}environments/"
        "{{metadata.labels.environment}}/addons/{{values.addonChart}}/values.yaml\n"
        f"            values: |\n              region: {{{{metadata.annotations.aws_region}}}}\n{extra_values}"
        "      destination:\n        namespace: '{{metadata.annotations.metrics_namespace}}'\n"
        "        name: '{{name}}'\n      syncPolicy:\n        automated: {}\n")


STAND_IN_NOTE = (
    "1 ApplicationSet (addons/metrics-server.yaml) selects Argo CD clusters that neither the repository nor "
    ".gitops-lint.yaml defines; it is modeled with one stand-in cluster per env the selectors name (environment: "
    "staging, prod). A real cluster's name, server and annotations (addons_repo_basepath, addons_repo_revision, "
    "addons_repo_url, aws_region, …) are not known, so what they decide is not judged; declare the clusters under "
    "`clusters:` in .gitops-lint.yaml (docs/layouts.md)")


def test_env_selectors_model_an_addon_on_stand_in_clusters(tmp_path: Path) -> None:
    """gitops-bridge as Terraform leaves it: no cluster Secret in the repo, but each env's clusters are
    selected by `environment: <env>` with that env's chart version. One stand-in cluster per env named
    there makes the Applications; what only a real cluster knows (the values repo and its revision, the
    namespace annotation) stays unknown and is not judged. Prod then takes chart 3.13.0, which staging
    never ran: found from history like any promotion."""
    files = {"addons/metrics-server.yaml": _addon("addons-metrics-server", "enable_metrics_server",
                                                  "3.12.0", "3.12.0", "3.12.0"),
             "environments/staging/addons/.keep": "", "environments/prod/addons/.keep": ""}
    root = make_repo(tmp_path / "r", files, history=[(LATER, "prod takes metrics-server 3.13.0", {
        "addons/metrics-server.yaml": _addon("addons-metrics-server", "enable_metrics_server",
                                             "3.12.0", "3.12.0", "3.13.0")})])
    model = discover(root, load_config(root))
    [app] = model.apps
    assert [(d.env.name, d.argo.name, d.argo.stand_in, d.argo.dest_server, d.namespace, d.revision, d.value_files,
             [(a.name, a.tag) for a in d.artifacts]) for d in app.deployments] == [
        (env, f"addon-{env}-metrics-server", env, env, None, None, (),
         [("https://charts.example.com/metrics-server", version)])
        for env, version in (("staging", "3.12.0"), ("prod", "3.13.0"))]
    assert app.name == "addon-metrics-server" and model.unmodeled == [STAND_IN_NOTE]
    assert finding_lines(lint(root)) == [
        "addons/metrics-server.yaml:26:43 promotion/untested-tag prod runs chart https://charts.example.com/"
        "metrics-server 3.13.0, which never ran in staging (staging ran 3.12.0 on branch main); it reached prod in "
        f"commit {_sha(root)} (2026-02-01 00:00:00 UTC)"]
    text = CliRunner().invoke(main, ["discover", str(root)]).stdout
    assert ("    application: addon-prod-metrics-server (addons/metrics-server.yaml, from ApplicationSet "
            "addons-metrics-server for a stand-in cluster), auto-sync, namespace -, watches no source in this "
            "repository\n") in text
    strict = CliRunner().invoke(main, ["check", str(root), "--strict"])
    assert strict.exit_code == 1 and "1 seen but not modeled" in strict.stdout


def test_two_sets_on_stand_ins_for_the_same_env_stay_two_apps(tmp_path: Path) -> None:
    """A hub and an ingress variant of one addon both name their Applications `addon-<cluster>-<chart>`,
    each behind its own `enable_*` label: a real cluster runs one of them, so their stand-ins are not
    one cluster and each set is its own app (not compared with the other's)."""
    root = make_repo(tmp_path / "r", {
        "addons/hub.yaml": _addon("addons-hub", "enable_hub", "1.0.0", "1.0.0", "1.0.0"),
        "addons/ingress.yaml": _addon("addons-ingress", "enable_ingress", "1.0.0", "1.0.0", "1.0.0",
                                      extra_values="              replicas: 2\n")})
    assert {app.name: [d.env.name for d in app.deployments] for app in discover(root, load_config(root)).apps} == {
        "addons-hub": ["staging", "prod"], "addons-ingress": ["staging", "prod"]}
    assert finding_lines(lint(root)) == []


def test_no_stand_ins_where_a_cluster_secret_exists_or_no_selector_names_an_env(tmp_path: Path) -> None:
    addon = _addon("addons-metrics-server", "enable_metrics_server", "3.12.0", "3.12.0", "3.12.0")
    root = make_repo(tmp_path / "r", {"addons/metrics-server.yaml": addon.replace("environment: staging", "tier: a")
                                      .replace("environment: prod", "tier: b")})
    assert [a.name for a in discover(root, load_config(root)).apps] == []
    secret = _secret("clusters/prod.yaml", "prod-eu", {"environment": "prod", "enable_metrics_server": "'true'"})
    secret["clusters/prod.yaml"] = secret["clusters/prod.yaml"].replace("metadata:\n", "metadata:\n  annotations: {"
        "addons_repo_url: x, addons_repo_revision: main, addons_repo_basepath: '', aws_region: eu-west-1, "
        "metrics_namespace: kube-system}\n")
    root = make_repo(tmp_path / "s", {"addons/metrics-server.yaml": addon, **secret})
    model = discover(root, load_config(root))
    assert [(d.env.name, d.argo.name, d.argo.stand_in) for a in model.apps for d in a.deployments] == [
        ("prod", "addon-prod-eu-metrics-server", None)]


def test_a_chart_version_from_a_list_element_is_followed_to_that_element(tmp_path: Path) -> None:
    """The template's `targetRevision: '{{chartVersion}}'` is the element's own entry: the finding points
    at prod's element and history follows that line (prod moved to 2.1.0 while stage stayed on 2.0.0)."""
    def appset(prod: str) -> str:
        return _appset("web", "    - list:\n        elements:\n          - {env: stage, chartVersion: 2.0.0}\n"
                              f"          - {{env: prod, chartVersion: {prod}}}\n",
                       "    metadata:\n      name: 'web-{{env}}'\n    spec:\n      project: default\n      source:\n"
                       "        repoURL: https://charts.example.com\n        chart: web\n"
                       "        targetRevision: '{{chartVersion}}'\n      destination:\n"
                       "        server: 'https://{{env}}.k8s.example.com'\n        namespace: web\n")
    root = make_repo(tmp_path / "r", {"appsets/web.yaml": appset("2.0.0")},
                     history=[(LATER, "prod takes web 2.1.0", {"appsets/web.yaml": appset("2.1.0")})])
    assert finding_lines(lint(root)) == [
        "appsets/web.yaml:10:39 promotion/untested-tag prod runs chart https://charts.example.com/web 2.1.0, which "
        f"never ran in stage (stage ran 2.0.0 on branch main); it reached prod in commit {_sha(root)} "
        "(2026-02-01 00:00:00 UTC)"]


def test_a_selector_listing_one_env_many_times_makes_one_stand_in() -> None:
    """Hostile input: an `In` with 30,000 values is read once each (it was quadratic)."""
    from gitops_lint.appset_infer import stand_ins

    spec = {"generators": [{"clusters": {"selector": {"matchExpressions": [
        {"key": "env", "operator": "In", "values": ["prod"] * 30_000 + ["stage"]}]}}}],
        "template": {"metadata": {"name": "web-{{metadata.annotations.team}}"}}}
    inferred = stand_ins(spec, frozenset({"prod", "stage"}))
    assert inferred is not None and inferred.key == "env"
    assert [(c.name, c.labels, c.annotations) for c in inferred.clusters] == [
        ("prod", {"env": "prod"}, {"team": "<metadata.annotations.team>"})]


def test_a_stand_in_application_named_without_its_env_keeps_the_env_its_selector_named(tmp_path: Path) -> None:
    """`name: metrics-server` (no `{{name}}`): both stand-ins make an Application of that name; each is
    the env its selector named, so the app still has staging → prod."""
    addon = _addon("addons-metrics-server", "enable_metrics_server", "3.12.0", "3.12.0", "3.12.0").replace(
        "name: addon-{{name}}-{{values.addonChart}}", "name: '{{values.addonChart}}'")
    root = make_repo(tmp_path / "r", {"addons/metrics-server.yaml": addon})
    model = discover(root, load_config(root))
    assert [(a.name, [(d.env.name, d.env.role, d.argo.name) for d in a.deployments]) for a in model.apps] == [
        ("metrics-server", [("staging", "stage", "metrics-server"), ("prod", "prod", "metrics-server")])]
