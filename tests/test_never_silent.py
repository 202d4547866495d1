"""A PASS means the tool looked: nothing understood is exit 2; what was seen but not modeled is a
notice, a count in the summary, and a failure under --strict."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from conftest import make_repo
from gitops_lint.cli import main

APPSET = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: web}
spec:
  generators: [{clusters: {selector: {matchLabels: {env: prod}}}}]
  template:
    metadata: {name: 'web-{{name}}'}
    spec:
      source: {repoURL: 'https://git.example.com/x.git', path: web}
      destination: {server: '{{server}}', namespace: web}
"""


def test_a_repo_with_nothing_understood_exits_2(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"manifests/deploy.yaml": "kind: Deployment\n", "README.md": "hi\n"})
    result = CliRunner().invoke(main, ["check", str(root)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(
        f"gitops-lint: error: no multi-environment app found in {root} (no app at all; 2 files, 0 Argo CD "
        "Applications; 0 things seen but not modeled). Looked for: Argo CD Applications and ApplicationSets, charts "
        "that render Applications, Flux Kustomizations and HelmReleases, helmfile environments, charts with "
        "values-<env>.yaml")
    assert "or pass --allow-empty" in result.stderr
    assert CliRunner().invoke(main, ["check", str(root), "--allow-empty"]).exit_code == 0


def test_a_repo_with_only_single_env_apps_exits_2(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"app/values-prod.yaml": "replicaCount: 3\n"})
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 2 and "(1 app(s) with one env each (app);" in result.stderr


def test_unmodeled_generators_are_counted_and_fail_strict(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"app/values-stage.yaml": "replicaCount: 3\n",
                                      "app/values-prod.yaml": "replicaCount: 3\n", "appsets/web.yaml": APPSET})
    result = CliRunner().invoke(main, ["check", str(root), "--no-color"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (  # modeled on a stand-in cluster, and still counted: its server is unknown
        "note: 1 ApplicationSet (appsets/web.yaml) selects Argo CD clusters that neither the repository nor "
        ".gitops-lint.yaml defines; it is modeled with one stand-in cluster per env the selectors name (env: prod). "
        "A real cluster's name and server are not known, so what they decide is not judged; declare the clusters "
        "under `clusters:` in .gitops-lint.yaml (docs/layouts.md)")
    assert result.stdout.splitlines()[-1] == ("PASS  0 errors, 1 warning, 0 info in 2 apps, 3 files read; 1 seen but "
                                              "not modeled (see the notes)")
    assert "appsets/web.yaml:7:22  warning structure/missing-env" in result.stdout  # its selector names prod only
    strict = CliRunner().invoke(main, ["check", str(root), "--strict", "--format", "json"])
    assert strict.exit_code == 1 and '"unmodeled": 1' in strict.stdout and '"result": "fail"' in strict.stdout
