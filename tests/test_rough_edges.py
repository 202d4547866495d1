"""Issue 12's rough edges, each as a new user meets it: through the real CLI."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_repo
from gitops_lint.cli import main

APP = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
spec:
  source:
    repoURL: https://git.example.com/acme/deploy.git
    path: {name}
  destination:
    namespace: tools
"""
BASE = {"web/values-stage.yaml": "replicaCount: 2\n", "web/values-prod.yaml": "replicaCount: 3\n"}


def _repo(tmp_path: Path) -> Path:
    files = dict(BASE)
    for name in ("alpha", "beta", "gamma"):  # three Applications with no env: three notices of one kind
        files[f"argocd/{name}.yaml"] = APP.format(name=name)
        files[f"{name}/deploy.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
    return make_repo(tmp_path / "r", files)


def _check(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", str(root), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("output", "message"), [
    ("sariff=x.sarif", "gitops-lint: error: --output sariff=x.sarif: unknown format 'sariff' "
                       "(formats: text, json, sarif, junit, github, markdown, gitlab)"),
    ("sarif", "gitops-lint: error: --output sarif: name the file too (--output sarif=FILE), or use --format sarif "
              "for stdout"),
    ("json=", "gitops-lint: error: --output json=: name the file after '='"),
])
def test_an_output_that_names_no_known_format_or_no_file_is_refused(tmp_path: Path, output: str, message: str) -> None:
    root = make_repo(tmp_path / "r", BASE)
    code, _, err = _check(root, "-o", output)
    assert (code, err.strip()) == (2, message)
    assert not (root / output).exists() and not Path(output).exists()


def test_an_output_file_with_an_equals_sign_in_a_path_is_still_a_file(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", BASE)
    target = tmp_path / "out" / "a=b.txt"
    target.parent.mkdir()
    code, _, _ = _check(root, "-o", str(target))
    assert code == 0 and "parity/replicas" in target.read_text()


@pytest.mark.parametrize(("env", "flag", "colored"), [
    ({}, None, False),                      # piped: no colour
    ({"FORCE_COLOR": "1"}, None, True),
    ({"FORCE_COLOR": "0"}, None, False),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, None, False),
    ({"NO_COLOR": "1"}, "--color", True),   # the flag wins
    ({}, "--color", True),
])
def test_color_follows_the_flag_then_no_color_then_force_color(tmp_path: Path, env: dict[str, str], flag: str | None,
                                                               colored: bool) -> None:
    root = make_repo(tmp_path / "r", BASE)
    _, out, _ = _check(root, *([flag] if flag else []), env={"NO_COLOR": "", "FORCE_COLOR": None, **env})  # type: ignore[dict-item]
    assert ("\x1b[" in out) is colored


def test_notes_of_one_kind_are_one_line_with_a_count_and_verbose_lists_them(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _, out, _ = _check(root)
    notes = [line for line in out.splitlines() if line.startswith("note: ")]
    assert notes == ["note: argocd/alpha.yaml: Application alpha deploys from this repository, but no env is named in "
                     "its name, valueFiles or namespace; it is not modeled (name it after an env, or add the name "
                     "under environments.aliases) (and 2 more like it; --verbose lists them)"]
    _, out, _ = _check(root, "--verbose")
    assert [line[:24] for line in out.splitlines() if line.startswith("note: ")] == [
        "note: argocd/alpha.yaml:", "note: argocd/beta.yaml: ", "note: argocd/gamma.yaml:"]
    _, out, _ = _check(root, "--format", "github")
    assert len([line for line in out.splitlines() if line.startswith("::notice")]) == 1


def test_quiet_shows_findings_and_the_summary_only(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    code, out, _ = _check(root, "-q")
    assert code == 0
    assert out.splitlines() == [
        "web/values-stage.yaml:1:15  warning parity/replicas",
        "    stage sets replicaCount to 2, but prod sets 3 (web/values-prod.yaml:1)",
        "    fix: set replicaCount to 3 in web/values-stage.yaml, or lower this rule's severity in .gitops-lint.yaml "
        "if a smaller stage is intended",
        "",
        "PASS  0 errors, 1 warning, 0 info in 1 app (stage → prod), 5 files read; 3 seen but not modeled (see the notes)",
    ]


def test_every_config_problem_is_shown_at_its_line_in_plain_words_with_a_suggestion(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {**BASE, ".gitops-lint.yaml": (
        "rules:\n  parity/drift: loud\n  parity/drfit: off\n  parity/replicas: {skip_when_autoscale: true}\n"
        "environments:\n  ordr: [dev]\nexemptions:\n  - rule: parity/replicas\n    reason: scaled down until Q3\n"
        "    expires: 2026-13-45\n")})
    code, out, err = _check(root)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "gitops-lint: error: .gitops-lint.yaml:2 (rules.parity/drift): invalid configuration: expected one of off, "
        "error, warning, info, or a mapping, got a string",
        "gitops-lint: error: .gitops-lint.yaml:3 (rules.*): unknown rule; did you mean parity/drift? "
        "(see `gitops-lint rules`)",
        "gitops-lint: error: .gitops-lint.yaml:4 (rules.parity/replicas): invalid parameters: unknown key (did you "
        "mean skip_when_autoscaled? allowed here: allow, envs, ignore_env_names, keys, rendered_scaling, "
        "rendered_shaping, resources_by_shape, skip_when_autoscaled)",
        "gitops-lint: error: .gitops-lint.yaml:6 (environments): invalid configuration: unknown key (did you mean "
        "order? allowed here: aliases, order, production, protected)",
        "gitops-lint: error: .gitops-lint.yaml:10 (exemptions[0].expires): invalid configuration: expected a real "
        "calendar date (YYYY-MM-DD)",
    ]


def test_an_inline_suppression_of_a_rule_that_does_not_exist_says_so(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {
        "web/values-stage.yaml": "replicaCount: 2  # gitops-lint: ignore[parity/drfit] stage is small until Q3\n",
        "web/values-prod.yaml": "replicaCount: 3\n"})
    _, out, _ = _check(root, "-q")
    assert out.splitlines()[:2] == [
        "web/values-stage.yaml:1:1  warning meta/suppression",
        "    the suppression names parity/drfit, which is no rule (did you mean parity/drift?); it suppresses nothing"]


def test_explain_lists_only_the_rules_own_options_and_documents_severity_by_case() -> None:
    drift = CliRunner().invoke(main, ["explain", "parity/drift"]).stdout
    replicas = CliRunner().invoke(main, ["explain", "parity/replicas"]).stdout
    assert "`skip_when_autoscaled`" not in drift and "`rendered_scaling`" not in drift and "`rendered_shaping`" in drift
    assert "`skip_when_autoscaled`" in replicas and "`rendered_shaping`" not in replicas
    assert ("`severity_by_case` per message case (`extra`, `missing`, `presence`, `default`), e.g. "
            "`rules: {parity/drift: {severity: warning}}`.") in drift


def test_sarif_rules_link_to_their_section_of_the_rule_reference(tmp_path: Path) -> None:
    import json

    from gitops_lint import __version__

    root = make_repo(tmp_path / "r", BASE)
    _, out, _ = _check(root, "--format", "sarif")
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    reference = (Path(__file__).parents[1] / "docs" / "rules.md").read_text()
    assert rules and all(r["helpUri"] == f"https://github.com/gitops-lint/gitops-lint/blob/v{__version__}/docs/"
                         f"rules.md#{r['id'].replace('/', '-')}" for r in rules)
    assert all(f'<a id="{r["id"].replace("/", "-")}"></a>' in reference for r in rules)
    assert "file://" not in out and str(tmp_path) not in out


@pytest.mark.parametrize(("base", "hint"), [
    ("origin/nope", "`git fetch origin nope`"),
    ("upstream/release-1", "`git fetch upstream release-1`"),
    ("nope", "`git fetch origin nope`"),
    ("refs/heads/nope", "`git fetch origin nope`"),
])
def test_the_fetch_hint_for_a_missing_base_names_the_remote_once(tmp_path: Path, base: str, hint: str) -> None:
    from conftest import git

    root = make_repo(tmp_path / "r", BASE)
    git(root, "remote", "add", "origin", "https://git.example.com/acme/deploy.git")
    git(root, "remote", "add", "upstream", "https://git.example.com/upstream/deploy.git")
    code, _, err = _check(root, "--base", base)
    assert code == 2 and err.strip() == (f"gitops-lint: error: --base {base}: no such revision in this clone (fetch "
                                         f"it first: {hint}, or check out with fetch-depth: 0)")


def test_junit_test_names_are_unique_and_say_the_env(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    from conftest import lint
    from gitops_lint.formats import render

    root = make_repo(tmp_path / "r", BASE)
    report = lint(root).report()
    [finding] = [f for f in report.findings if f.rule == "parity/replicas"]
    twice = report._replace(findings=(finding, finding._replace(fingerprint="other")))
    cases = ET.fromstring(render("junit", twice).split("\n", 1)[1]).iter("testcase")
    names = [c.get("name") for c in cases if c.get("classname") == "parity/replicas"]
    assert names == ["web/values-stage.yaml:1 (stage)", "web/values-stage.yaml:1 (stage) #2"]


def test_the_config_schema_is_published_for_editors_and_is_the_one_the_linter_uses() -> None:
    import json

    from gitops_lint.configcheck import config_schema

    published = Path(__file__).parents[1] / "docs" / "schemas" / "config.schema.json"
    assert json.loads(published.read_text()) == config_schema()
    assert config_schema()["$id"] == ("https://raw.githubusercontent.com/gitops-lint/gitops-lint/main/docs/schemas/"
                                      "config.schema.json")
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "# yaml-language-server: $schema=" + config_schema()["$id"] in readme


def test_a_values_file_in_an_env_directory_belongs_to_that_env_whatever_its_name_says(tmp_path: Path) -> None:
    """Found on govuk: image-tags/staging/govuk-synthetic-test-app-canary was reported as 'the values
    file of test' for the staging Application: the env word was inside the app's name."""
    app = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: canary-{env}\nspec:\n  source:\n"
           "    repoURL: https://git.example.com/acme/deploy.git\n    path: charts/canary\n    targetRevision: main\n"
           "    helm:\n      valueFiles: [../../tags/{env}/synthetic-test-app-canary]\n"
           "  destination:\n    namespace: canary-{env}\n")
    root = make_repo(tmp_path / "r", {
        "apps/staging.yaml": app.format(env="staging"), "apps/production.yaml": app.format(env="production"),
        "charts/canary/Chart.yaml": "apiVersion: v2\nname: canary\nversion: 1.0.0\n",
        "tags/staging/synthetic-test-app-canary": "image_tag: v2\n",
        "tags/production/synthetic-test-app-canary": "image_tag: v2\n"})
    code, out, _ = _check(root, "-q", "--rule", "argocd/values-file")
    assert (code, out.splitlines()[-1]) == (0, "PASS  0 errors, 0 warnings, 0 info in 1 app (staging → production), "
                                                "4 files read")
