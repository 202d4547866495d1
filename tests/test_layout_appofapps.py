"""The argocd-app-of-apps layout: Argo CD Applications that a Helm chart in the repo renders, one per
app per env (`values-<env>.yaml`), modeled like hand-written ones, located at the values entry
that produced them, and followed back in time through the files the chart reads (`.Files.Get`)."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import finding_lines, git, lint, make_repo
from gitops_lint.cli import main
from gitops_lint.demo import write_files
from gitops_lint.render import renderer_for

needs_helm = pytest.mark.skipif(not renderer_for("helm").available(), reason="no Helm backend installed")

TEMPLATE = """\
{{- range .Values.applications }}
{{- $tags := $.Files.Get (printf "tags/%s/%s.yaml" $.Values.env .name) | fromYaml }}
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {{ .name }}-{{ $.Values.env }}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://example.com/org/gitops.git
    path: charts/web
    targetRevision: {{ $.Values.targetRevision }}
    helm:
      values: |
        image:
          repository: registry.example.com/team/{{ .name }}
          tag: {{ $tags.image_tag | quote }}
        {{- toYaml .helmValues | nindent 8 }}
  destination:
    server: https://kubernetes.default.svc
    namespace: {{ .namespace | default (printf "%s-%s" .name $.Values.env) }}
  {{- if $.Values.autoSync }}
  syncPolicy:
    automated:
      prune: true
  {{- end }}
---
{{- end }}
"""

FILES = {
    "apps/Chart.yaml": "apiVersion: v2\nname: apps\nversion: 0.1.0\n",
    "apps/values.yaml": 'env: ""\ntargetRevision: HEAD\nautoSync: false\napplications: []\n',
    "apps/templates/applications.yaml": TEMPLATE,
    "apps/values-staging.yaml": ("env: staging\nautoSync: true\napplications:\n"
                                 "  - name: web\n    helmValues:\n      replicaCount: 1\n"),
    "apps/values-production.yaml": ("env: production\nautoSync: true\ntargetRevision: HEAD\napplications:\n"
                                    "  - name: web\n    helmValues:\n      replicaCount: 3\n"),
    "apps/tags/staging/web.yaml": 'image_tag: "1.0"\n',
    "apps/tags/production/web.yaml": 'image_tag: "1.0"\n',
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": 'replicaCount: 1\nimage:\n  repository: registry.example.com/team/web\n  tag: "0.1"\n',
    "charts/web/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
        "  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n        - name: web\n"
        '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n'),
}
HISTORY = [
    ("2026-02-01T00:00:00+00:00", "staging runs 1.1", {"apps/tags/staging/web.yaml": 'image_tag: "1.1"\n'}),
    ("2026-02-02T00:00:00+00:00", "production runs 1.2", {"apps/tags/production/web.yaml": 'image_tag: "1.2"\n'}),
]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", FILES, HISTORY)


def _sha(root: Path, message: str) -> str:
    return git(root, "log", "--format=%H", f"--grep={message}").split()[0][:10]


@needs_helm
def test_rendered_applications_are_linted_at_their_values_entry(repo: Path) -> None:
    sha = _sha(repo, "production runs 1.2")
    assert finding_lines(lint(repo)) == [
        "apps/values-production.yaml:5:5 argocd/auto-sync-prod production's Application web-production syncs "
        "automatically (syncPolicy.automated) from HEAD: every change on HEAD reaches production with no promotion step",
        "apps/values-production.yaml:5:5 promotion/untested-tag production runs web:1.2, which never ran in staging "
        f"(staging ran 1.0, 1.1 on branch main); it reached production in commit {sha} (2026-02-02 00:00:00 UTC)",
        "apps/values-staging.yaml:4:5 parity/replicas staging sets replicaCount to 1, but production sets 3 "
        "(apps/values-production.yaml:5)",
    ]


@needs_helm
def test_promoted_tag_and_pinned_production_pass(tmp_path: Path) -> None:
    """The good case: staging ran 1.2 first, production is pinned to a tag and scaled like staging."""
    pinned = {**FILES, "apps/values-production.yaml": (
        "env: production\nautoSync: true\ntargetRevision: v1.4.0\napplications:\n"
        "  - name: web\n    helmValues:\n      replicaCount: 1\n")}
    root = make_repo(tmp_path / "repo", pinned, [
        ("2026-02-01T00:00:00+00:00", "staging runs 1.2", {"apps/tags/staging/web.yaml": 'image_tag: "1.2"\n'}),
        ("2026-02-02T00:00:00+00:00", "production runs 1.2", {"apps/tags/production/web.yaml": 'image_tag: "1.2"\n'})])
    git(root, "tag", "v1.4.0")
    assert finding_lines(lint(root)) == []


@needs_helm
def test_discover_names_the_layout_the_chart_and_the_followed_files(repo: Path) -> None:
    result = CliRunner().invoke(main, ["discover", str(repo)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "web  (staging → production)  found by: argocd-app-of-apps",
        "  promotion:",
        "    staging → production  by name (stage comes before prod)",
        "  staging  [protected]",
        "    application: web-staging (apps/values-staging.yaml, from chart apps (values-staging.yaml)), auto-sync, "
        "namespace web-staging, watches HEAD",
        "    chart:  charts/web",
        "    values: charts/web/values.yaml, apps/tags/staging/web.yaml",
        "  production  [protected, production]",
        "    application: web-production (apps/values-production.yaml, from chart apps (values-production.yaml)), "
        "auto-sync, namespace web-production, watches HEAD",
        "    chart:  charts/web",
        "    values: charts/web/values.yaml, apps/tags/production/web.yaml",
    ]


def test_no_render_says_the_chart_is_not_modeled(repo: Path) -> None:
    """--no-render: the app-of-apps chart is named in a notice, and its env files are no app of their own."""
    refused = CliRunner().invoke(main, ["check", str(repo), "--no-render"])
    assert refused.exit_code == 2  # nothing modeled: never a silent pass
    assert refused.stderr.startswith(f"gitops-lint: error: no multi-environment app found in {repo}")
    result = CliRunner().invoke(main, ["check", str(repo), "--no-render", "--allow-empty", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["findings"] == []
    assert "apps: its templates render Argo CD Applications (app of apps), which are not modeled with --no-render" \
        in data["notices"]


@needs_helm
def test_a_field_of_the_wrong_type_is_a_notice_not_a_crash(repo: Path) -> None:
    """A values entry makes the rendered destination.namespace a list: named in a notice, the rest modeled."""
    write_files(repo, {"apps/values-production.yaml": (
        "env: production\nautoSync: true\ntargetRevision: HEAD\napplications:\n"
        "  - name: web\n    namespace: [a, b]\n    helmValues:\n      replicaCount: 3\n")})
    result = lint(repo, only={"argocd/auto-sync-prod"})
    assert finding_lines(result) == [
        "apps/values-production.yaml:5:5 argocd/auto-sync-prod production's Application web-production syncs "
        "automatically (syncPolicy.automated) from HEAD: every change on HEAD reaches production with no promotion step"]
    assert ("apps/values-production.yaml: Application rendered by chart apps (values-production.yaml) web-production: "
            "spec.destination.namespace is a list, expected text; ignored") in result.notices


@needs_helm
def test_a_chart_that_does_not_render_is_a_notice(repo: Path) -> None:
    write_files(repo, {"apps/templates/applications.yaml": TEMPLATE + "{{ fail \"no cluster\" }}\n"})
    result = lint(repo, only={"argocd/auto-sync-prod"})
    assert result.findings == []
    [note] = [n for n in result.notices if n.startswith("apps/values-production.yaml: chart apps")]
    assert note.startswith("apps/values-production.yaml: chart apps (values-production.yaml) renders Argo CD "
                           "Applications but could not be rendered (")
    assert note.endswith("); they are not modeled")


# --- the corpus (read at run time, never copied into the project) ---

CORPUS = Path(os.environ.get("GITOPS_LINT_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
GOVUK = CORPUS / "alphagov__govuk-helm-charts"
EKS = CORPUS / "aws-samples__eks-blueprints-workloads"


# the corpus copy of govuk omits the charts' _helpers.tpl; these stand-ins let app-config render
GOVUK_HELPERS = {"charts/app-config/templates/_helpers.tpl": (
    '{{- define "app-config.labels" -}}\napp.kubernetes.io/part-of: app-config\n{{- end }}\n'
    '{{- define "app-config.helm-release" -}}\n{{- end }}\n{{- define "app-config.router-nginx-config" -}}\n{{- end }}\n')}


def _tree(source: Path, dest: Path) -> Path:
    if not (source / "tree").is_dir():
        pytest.skip(f"corpus not found at {source} (set GITOPS_LINT_CORPUS)")
    shutil.copytree(source / "tree", dest)
    return dest


@needs_helm
def test_govuk_renders_one_application_per_app_and_env(tmp_path: Path) -> None:
    root = _tree(GOVUK, tmp_path / "govuk")
    write_files(root, GOVUK_HELPERS)
    started = time.monotonic()
    result = lint(root, only={"argocd/auto-sync-prod", "parity/replicas"})
    assert time.monotonic() - started < 120
    router = [d for d in result.model.deployments() if d.app == "router"]
    assert [(d.env.name, d.layout, d.value_files[-1]) for d in router] == [
        ("integration", "argocd-app-of-apps", "charts/app-config/image-tags/integration/router"),
        ("staging", "argocd-app-of-apps", "charts/app-config/image-tags/staging/router"),
        ("production", "argocd-app-of-apps", "charts/app-config/image-tags/production/router")]
    auto = [f for f in result.findings if f.rule == "argocd/auto-sync-prod"]
    bootstrap = [f for f in auto if f.app == "app-config"]  # argo-bootstrap, rendered per govukEnvironment
    assert [(f.path, f.line) for f in bootstrap] == [("charts/argo-bootstrap/values.yaml", 2)]
    assert all(f.path == "charts/app-config/values-production.yaml" and f.line for f in auto if f not in bootstrap)
    assert any(f.app == "router" for f in auto)  # SOURCE.md certain #4 (both templates it names)


@needs_helm
def test_eks_blueprints_team_applications_per_env(tmp_path: Path) -> None:
    root = _tree(EKS, tmp_path / "eks")
    result = lint(root, only={"argocd/auto-sync-prod"})
    riker = [(d.env.name, d.layout) for d in result.model.deployments() if d.app == "team-riker"]
    assert riker == [("dev", "argocd-app-of-apps"), ("test", "argocd-app-of-apps"), ("prod", "argocd-app-of-apps")]
    assert "envs/prod/values.yaml" in {f.path for f in result.findings if f.app == "team-riker"}  # certain #1


@needs_helm
def test_govuk_history_v247_reached_production_before_staging_with_no_config(tmp_path: Path) -> None:
    """SOURCE.md certain #1, found through the rendered Applications alone (no `layouts:` entry): the
    replayed image-tags history, with the rest of the tree beside it (untracked, as the corpus has it)."""
    from replay import replay

    if not (GOVUK / "history.json").is_file():
        pytest.skip(f"corpus not found at {GOVUK} (set GITOPS_LINT_CORPUS)")
    root = tmp_path / "govuk"
    shas = replay(GOVUK / "history.json", root)
    for path in sorted((GOVUK / "tree").rglob("*")):
        rel = path.relative_to(GOVUK / "tree")
        if path.is_file() and not (root / rel).exists():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, root / rel)
    write_files(root, GOVUK_HELPERS)
    new = next(sha for orig, sha in shas.items() if orig.startswith("03ed5de436"))
    git(root, "checkout", "-q", "-B", "main", new)
    lines = [line for line in finding_lines(lint(root, only={"promotion/untested-tag"}))
             if line.startswith("charts/app-config/values-production.yaml:2617:5 ")]
    assert (f"charts/app-config/values-production.yaml:2617:5 promotion/untested-tag production runs router:v247, "
            "which never ran in staging (staging ran …, v241, v242, v243, v244, v245, v246 on branch main; v247 was "
            f"only in integration, since 2026-04-30); it reached production in commit {new[:10]} "
            "(2026-05-05 08:37:57 UTC)") in lines


@needs_helm
def test_a_chart_that_renders_over_a_thousand_applications_is_capped_with_a_notice(tmp_path: Path) -> None:
    """Found by the long fuzz run: 1,500 rendered Applications each walked the whole values file to find
    their entry (over 10 s). The values are indexed once; past 1,000 Applications the rest are named."""
    many = "env: production\napplications:\n" + "".join(f"  - name: a{n}\n" for n in range(1200))
    root = make_repo(tmp_path / "repo", {**FILES, "apps/values-production.yaml": many}, HISTORY)
    result = CliRunner().invoke(main, ["discover", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert ("apps/values-production.yaml: chart apps (values-production.yaml) renders 1200 Applications; "
            "only the first 1000 are modeled") in data["notices"]
    names = {a["name"] for a in data["apps"]}
    assert len(names) == 1001 and {"web", "a0", "a999"} <= names and "a1000" not in names


BOOTSTRAP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
spec:
  project: default
  source:
    repoURL: https://example.com/org/gitops.git
    path: charts/web
    helm:
      valueFiles:
        - values.yaml
        - "values-{{ .Values.environment }}.yaml"
  destination:
    server: https://kubernetes.default.svc
    namespace: web
  syncPolicy:
    automated:
      prune: true
"""


@needs_helm
def test_a_chart_that_picks_the_env_file_by_a_parameter_is_rendered_once_per_env(tmp_path: Path) -> None:
    """GOV.UK's argo-bootstrap: `values-{{ .Values.govukEnvironment }}.yaml`, the parameter empty in
    values.yaml and set per cluster at install time. Rendered with it set to each env the repo has a
    values file for; findings point at the parameter."""
    files = {
        "bootstrap/Chart.yaml": "apiVersion: v2\nname: bootstrap\nversion: 0.1.0\n",
        "bootstrap/values.yaml": "environment:\nawsAccountId:\n",
        "bootstrap/templates/web.yaml": BOOTSTRAP,
        "charts/web/Chart.yaml": FILES["charts/web/Chart.yaml"],
        "charts/web/values.yaml": FILES["charts/web/values.yaml"],
        "charts/web/templates/deployment.yaml": FILES["charts/web/templates/deployment.yaml"],
        "charts/web/values-staging.yaml": 'image:\n  tag: "1.1"\n',
        "charts/web/values-production.yaml": 'image:\n  tag: "1.1"\n',
    }
    root = make_repo(tmp_path / "repo", files, [
        ("2026-02-02T00:00:00+00:00", "production runs 1.2", {"charts/web/values-production.yaml": 'image:\n  tag: "1.2"\n'})])
    sha = _sha(root, "production runs 1.2")
    result = CliRunner().invoke(main, ["discover", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "web  (staging → production)  found by: argocd-app-of-apps",
        "  promotion:",
        "    staging → production  by name (stage comes before prod)",
        "  staging  [protected]",
        "    application: web (bootstrap/values.yaml, from chart bootstrap (environment=staging)), auto-sync, "
        "namespace web, watches HEAD",
        "    chart:  charts/web",
        "    values: charts/web/values.yaml, charts/web/values-staging.yaml",
        "  production  [protected, production]",
        "    application: web (bootstrap/values.yaml, from chart bootstrap (environment=production)), auto-sync, "
        "namespace web, watches HEAD",
        "    chart:  charts/web",
        "    values: charts/web/values.yaml, charts/web/values-production.yaml",
    ]
    assert finding_lines(lint(root)) == [
        "bootstrap/values.yaml:1:1 argocd/auto-sync-prod production's Application web syncs automatically "
        "(syncPolicy.automated) from HEAD: every change on HEAD reaches production with no promotion step",
        "charts/web/values-production.yaml:2:8 promotion/untested-tag production runs registry.example.com/team/web:1.2, "
        f"which never ran in staging (staging ran 1.1 on branch main); it reached production in commit {sha} "
        "(2026-02-02 00:00:00 UTC)",
    ]
