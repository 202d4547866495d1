"""Promotion history from real git repos with fixed commit dates: untested tags, soak time,
digests rebuilt over time, release branches, merges, the working tree, and missing history."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from click.testing import CliRunner

from conftest import finding_lines, git, lint, make_repo, write_files
from gitops_lint.cli import main

REPO = "registry.example.com/team/app"


def _values(tag: str, digest: str = "") -> str:
    text = f"image:\n  repository: {REPO}\n  tag: \"{tag}\"\n"
    return text + (f"  digest: {digest}\n" if digest else "")


def _envs(dev: str | None = None, stage: str | None = None, prod: str | None = None) -> dict[str, str | None]:
    files: dict[str, str | None] = {}
    for env, tag in (("dev", dev), ("stage", stage), ("prod", prod)):
        if tag is not None:
            files[f"app/values-{env}.yaml"] = _values(tag)
    return files


def _sha(root: Path, message: str) -> str:
    for line in git(root, "log", "--all", "--format=%H %s").splitlines():
        sha, _, subject = line.partition(" ")
        if subject == message:
            return sha[:10]
    raise AssertionError(message)


def _untested(root: Path) -> list[str]:
    return finding_lines(lint(root, only={"promotion/untested-tag"}))


SEED = [
    ("2026-10-01T09:00:00+00:00", "bootstrap", _envs("14", "14", "14")),
    ("2026-10-02T10:00:00+00:00", "dev 15", _envs(dev="15")),
    ("2026-10-03T11:00:00+00:00", "stage 15", _envs(stage="15")),
    ("2026-10-06T14:00:00+00:00", "prod 15", _envs(prod="15")),
    ("2026-10-08T09:30:00+00:00", "dev 16", _envs(dev="16")),
    ("2026-10-09T10:00:00+00:00", "stage 16", _envs(stage="16")),
    ("2026-10-13T15:00:00+00:00", "prod 16", _envs(prod="16")),
]


def test_clean_seed_flow_has_no_findings(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=SEED)
    assert finding_lines(lint(root)) == []


def test_prod_tag_that_never_ran_anywhere(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=[*SEED, ("2026-10-14T17:45:00+00:00", "prod 99", _envs(prod="99"))])
    assert _untested(root) == [
        "app/values-prod.yaml:3:8 promotion/untested-tag prod runs registry.example.com/team/app:99, which never ran "
        "in stage (stage ran 14, 15, 16 on branch main; 99 never ran in dev either); it reached prod in commit "
        f"{_sha(root, 'prod 99')} (2026-10-14 17:45:00 UTC)"]


def test_prod_tag_that_only_ran_in_dev(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=[
        *SEED, ("2026-10-14T08:00:00+00:00", "dev 17", _envs(dev="17")),
        ("2026-10-14T17:45:00+00:00", "hotfix prod 17", _envs(prod="17"))])
    assert _untested(root) == [
        "app/values-prod.yaml:3:8 promotion/untested-tag prod runs registry.example.com/team/app:17, which never ran "
        "in stage (stage ran 14, 15, 16 on branch main; 17 was only in dev, since 2026-10-14); it reached prod in "
        f"commit {_sha(root, 'hotfix prod 17')} (2026-10-14 17:45:00 UTC)"]


def test_prod_before_stage_is_caught_although_now_they_agree(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=[
        *SEED, ("2026-10-14T08:00:00+00:00", "dev 17", _envs(dev="17")),
        ("2026-10-15T08:37:57+00:00", "prod 17", _envs(prod="17")),
        ("2026-10-15T08:38:53+00:00", "stage 17", _envs(stage="17"))])
    assert _untested(root) == [
        "app/values-prod.yaml:3:8 promotion/untested-tag prod runs registry.example.com/team/app:17 since commit "
        f"{_sha(root, 'prod 17')} (2026-10-15 08:37:57 UTC), but stage only ran it from commit "
        f"{_sha(root, 'stage 17')} (2026-10-15 08:38:53 UTC): it reached prod before stage ran it"]


def test_one_commit_moving_stage_and_prod_together_is_not_a_promotion(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=[
        *SEED, ("2026-10-14T08:00:00+00:00", "dev 17", _envs(dev="17")),
        ("2026-10-15T09:00:00+00:00", "stage+prod 17", _envs(stage="17", prod="17"))])
    assert _untested(root) == [
        "app/values-prod.yaml:3:8 promotion/untested-tag prod runs registry.example.com/team/app:17, which one commit "
        f"(commit {_sha(root, 'stage+prod 17')} (2026-10-15 09:00:00 UTC)) gave stage and prod together: it never "
        "ran in stage before prod"]


def test_bootstrap_with_the_same_tag_everywhere_is_not_flagged(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=[("2026-10-01T09:00:00+00:00", "bootstrap", _envs("7", "7", "7"))])
    assert _untested(root) == []


def test_working_tree_change_is_judged_like_a_commit(tmp_path: Path) -> None:
    """pre-commit: only the working tree changes prod's tag."""
    root = make_repo(tmp_path / "r", history=SEED)
    write_files(root, _envs(prod="18"))
    assert _untested(root) == [
        "app/values-prod.yaml:3:8 promotion/untested-tag prod runs registry.example.com/team/app:18, which never ran "
        "in stage (stage ran 14, 15, 16 on branch main; 18 never ran in dev either); it reached prod in the working "
        "tree (not committed yet)"]
    write_files(root, _envs(prod="16"))  # undoing it makes the repo clean again
    assert _untested(root) == []


def test_tag_in_a_shared_chart_values_file_counts(tmp_path: Path) -> None:
    """A tag change in any file of the env (here chart values.yaml) changes what the env runs."""
    base = {"app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
            "app/values.yaml": _values("1"),
            "app/values-stage.yaml": "replicaCount: 2\n", "app/values-prod.yaml": "replicaCount: 2\n"}
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", base),
        ("2026-10-02T09:00:00+00:00", "bump default tag", {"app/values.yaml": _values("2")})])
    # the default moves stage and prod in one commit: prod got 2 when stage did
    [line] = _untested(root)
    assert line.startswith("app/values.yaml:3:8 promotion/untested-tag prod runs registry.example.com/team/app:2, which "
                           "one commit (commit")


def _app(env: str, revision: str) -> str:
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: app-{env}\nspec:\n  source:\n"
            f"    repoURL: https://git.example.com/team/deploy.git\n    path: app\n    targetRevision: {revision}\n"
            f"    helm:\n      valueFiles: [values-{env}.yaml]\n  destination:\n"
            f"    server: https://kubernetes.default.svc\n    namespace: {env}\n")


def test_release_branch_stage_never_ran_the_tag_that_sits_on_main(tmp_path: Path) -> None:
    apps = {"argocd/app-stage.yaml": _app("stage", "release"), "argocd/app-prod.yaml": _app("prod", "main"),
            "app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n"}
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {**apps, **_envs(stage="15", prod="15")})])
    git(root, "branch", "release")
    for date, message, files in [("2026-10-02T09:00:00+00:00", "stage 16 on main", _envs(stage="16")),
                                 ("2026-10-05T09:00:00+00:00", "prod 16", _envs(prod="16"))]:
        write_files(root, files)
        git(root, "commit", "-qam", message, date=date)
    assert _untested(root) == [
        "app/values-prod.yaml:3:8 promotion/untested-tag prod runs registry.example.com/team/app:16, which never ran "
        "in stage (stage ran 15 on branch release); it reached prod in commit "
        f"{_sha(root, 'prod 16')} (2026-10-05 09:00:00 UTC)"]
    # once release gets 16 before prod does, it is a real promotion
    git(root, "checkout", "-q", "release")
    write_files(root, _envs(stage="16"))
    git(root, "commit", "-qam", "release: stage 16", date="2026-10-03T09:00:00+00:00")
    git(root, "checkout", "-q", "main")
    assert _untested(root) == []


def test_merge_counts_when_it_lands_on_the_branch(tmp_path: Path) -> None:
    """A PR branch written before stage had the tag, merged after: the merge time is the promotion."""
    root = make_repo(tmp_path / "r", history=[*SEED, ("2026-10-14T08:00:00+00:00", "dev 17", _envs(dev="17"))])
    git(root, "checkout", "-qb", "promote-prod-17")
    write_files(root, _envs(prod="17"))
    git(root, "commit", "-qam", "prod 17 (PR)", date="2026-10-14T09:00:00+00:00")
    git(root, "checkout", "-q", "main")
    write_files(root, _envs(stage="17"))
    git(root, "commit", "-qam", "stage 17", date="2026-10-14T10:00:00+00:00")
    git(root, "merge", "-q", "--no-ff", "-m", "Merge prod 17", "promote-prod-17", date="2026-10-16T10:00:00+00:00")
    assert _untested(root) == []


def test_revision_missing_from_the_clone_exits_2_with_the_fix(tmp_path: Path) -> None:
    """Never a pass with a notice: a history that cannot be read is a run that cannot lint."""
    apps = {"argocd/app-stage.yaml": _app("stage", "release-2026"), "argocd/app-prod.yaml": _app("prod", "main"),
            "app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n"}
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {**apps, **_envs(stage="15", prod="15")})])
    result = CliRunner().invoke(main, ["check", str(root)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "gitops-lint: error: app/stage: its Application app-stage watches revision 'release-2026', which is not in "
        "this clone, so its history cannot be read: fetch it (git fetch origin release-2026; actions/checkout: "
        "fetch-depth: 0), or pass --no-history to skip the history rules\n")
    assert CliRunner().invoke(main, ["check", str(root), "--no-history"]).exit_code == 0


def test_soak_time(tmp_path: Path) -> None:
    config = {".gitops-lint.yaml": "rules:\n  promotion/soak-time:\n    severity: error\n    min_soak: {prod: 24h}\n"}
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {**config, **_envs("14", "14", "14")}),
        ("2026-10-02T09:00:00+00:00", "dev 15", _envs(dev="15")),
        ("2026-10-02T10:00:00+00:00", "stage 15", _envs(stage="15")),
        ("2026-10-02T13:30:00+00:00", "prod 15", _envs(prod="15"))])
    assert finding_lines(lint(root, only={"promotion/soak-time"})) == [
        "app/values-prod.yaml:3:8 promotion/soak-time prod got registry.example.com/team/app:15 at commit "
        f"{_sha(root, 'prod 15')} (2026-10-02 13:30:00 UTC), only 3h30m after stage started running it (commit "
        f"{_sha(root, 'stage 15')} (2026-10-02 10:00:00 UTC)); the minimum is 24h"]
    write_files(root, _envs(prod="14"))
    git(root, "commit", "-qam", "rollback", date="2026-10-02T14:00:00+00:00")
    write_files(root, _envs(prod="15"))
    git(root, "commit", "-qam", "prod 15 again", date="2026-10-04T10:00:00+00:00")
    assert finding_lines(lint(root, only={"promotion/soak-time"})) == []


def test_digest_rebuilt_after_stage_tested_the_tag(tmp_path: Path) -> None:
    aaa, bbb = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {"app/values-stage.yaml": _values("15", aaa),
                                                   "app/values-prod.yaml": _values("14")}),
        ("2026-10-03T09:00:00+00:00", "stage 16", {"app/values-stage.yaml": _values("16")}),
        ("2026-10-04T09:00:00+00:00", "prod 15", {"app/values-prod.yaml": _values("15", bbb)})])
    assert finding_lines(lint(root, only={"promotion/rebuilt-image"})) == [
        f"app/values-prod.yaml:3:8 promotion/rebuilt-image prod runs 15 at digest {bbb}, but when stage ran 15 it "
        f"was {aaa}: the tag was rebuilt after stage tested it"]


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_shallow_clone_fails_loudly_unless_no_history(tmp_path: Path) -> None:
    origin = make_repo(tmp_path / "origin", history=SEED)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)], check=True)
    code, out, err = _cli("check", str(clone))
    assert (code, out) == (2, "")
    assert err == ("gitops-lint: error: this is a shallow clone, so promotion/untested-tag cannot see when each "
                   "image ran where. Fetch the full history (actions/checkout: fetch-depth: 0; or git fetch "
                   "--unshallow), or pass --no-history to skip these rules\n")
    code, out, err = _cli("check", str(clone), "--no-history", "--format", "json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert (report["history"], report["notices"]) == ("skipped", ["--no-history: promotion/untested-tag did not run"])


def test_outside_git_history_rules_are_skipped_out_loud(tmp_path: Path) -> None:
    write_files(tmp_path / "plain", _envs("1", "1", "2"))
    code, out, err = _cli("check", str(tmp_path / "plain"))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == ("note: plain is not a git repository, so the history rules "
                                   "(promotion/untested-tag) could not run: they need the git history of the env files")
    code, out, _ = _cli("check", str(tmp_path / "plain"), "--format", "json")
    assert json.loads(out)["history"] == "unavailable"


def test_history_follows_the_files_an_application_used_then(tmp_path: Path) -> None:
    """An env's past is read through the files its Application pointed at then, not today's."""
    apps = {"argocd/app-stage.yaml": _app("stage", "main"), "argocd/app-prod.yaml": _app("prod", "main"),
            "app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n"}
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {**apps, **_envs(stage="15", prod="15")}),
        ("2026-10-02T09:00:00+00:00", "stage 16", _envs(stage="16")),
        ("2026-10-05T09:00:00+00:00", "prod 16", _envs(prod="16")),
        # stage moves to a copy of the chart; its values file comes along unchanged
        ("2026-10-08T09:00:00+00:00", "fork the chart for stage", {
            "app-v2/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.2.0\n",
            "app-v2/values-stage.yaml": _values("16"),
            "argocd/app-stage.yaml": _app("stage", "main").replace("path: app", "path: app-v2")}),
    ])
    # prod's 16 ran in stage (through app/values-stage.yaml) before it reached prod
    assert _untested(root) == []
    # and a prod Application rewired to stage's values file is argocd/values-file's finding, not a promotion
    write_files(root, {"argocd/app-prod.yaml": _app("prod", "main").replace("values-prod.yaml", "values-stage.yaml")})
    git(root, "commit", "-qam", "prod uses the stage file", date="2026-10-09T09:00:00+00:00")
    assert _untested(root) == []


def test_history_window_start_is_a_bootstrap(tmp_path: Path) -> None:
    """A history that starts mid-flight (an import, a squash): different tags at the first commit
    of both files are not promotions."""
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "import", _envs("17", "16", "15")),
        ("2026-10-02T09:00:00+00:00", "stage 17", _envs(stage="17"))])
    assert _untested(root) == []


def _param_app(env: str, tag: str) -> str:
    """`_app` whose image tag is a helm.parameters entry."""
    return _app(env, "main").replace(f"      valueFiles: [values-{env}.yaml]\n", (
        f"      valueFiles: [values-{env}.yaml]\n      parameters:\n        - name: image.tag\n"
        f"          value: \"{tag}\"\n"))


def test_helm_parameters_tags_are_followed_through_history(tmp_path: Path) -> None:
    """The tag lives in each Application's helm.parameters; history reads it from each version."""
    base = {"app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
            **{f"app/values-{e}.yaml": f"image:\n  repository: {REPO}\n" for e in ("stage", "prod")}}
    root = make_repo(tmp_path / "r", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {**base, "argocd/stage.yaml": _param_app("stage", "14"),
                                                     "argocd/prod.yaml": _param_app("prod", "14")}),
        ("2026-10-02T09:00:00+00:00", "stage 15", {"argocd/stage.yaml": _param_app("stage", "15")}),
        ("2026-10-05T09:00:00+00:00", "prod 15", {"argocd/prod.yaml": _param_app("prod", "15")})])
    assert _untested(root) == []
    write_files(root, {"argocd/prod.yaml": _param_app("prod", "16")})
    git(root, "commit", "-qam", "prod 16", date="2026-10-06T09:00:00+00:00")
    assert _untested(root) == [
        "argocd/prod.yaml:12:7 promotion/untested-tag prod runs registry.example.com/team/app:16, which never ran "
        "in stage (stage ran 14, 15 on branch main); it reached prod in commit "
        f"{_sha(root, 'prod 16')} (2026-10-06 09:00:00 UTC)"]


def test_an_env_after_one_on_a_moving_tag_is_not_judged_against_it(tmp_path: Path) -> None:
    """Found on cds-snc: dev pins `latest`, so which builds it ran is unknowable; staging's tags are not
    'never ran in dev' (promotion/mutable-tag reports dev instead). Production is still judged."""
    image = "image:\n  repository: registry.example.com/api\n  tag: {tag}\n"
    root = make_repo(tmp_path / "r", {"api/values-dev.yaml": image.format(tag="latest"),
                                      "api/values-staging.yaml": image.format(tag="a1"),
                                      "api/values-production.yaml": image.format(tag="a1")}, history=[
        ("2026-03-01T10:00:00+00:00", "staging a2", {"api/values-staging.yaml": image.format(tag="a2")}),
        ("2026-03-02T10:00:00+00:00", "production a3", {"api/values-production.yaml": image.format(tag="a3")}),
    ])
    lines = [line for line in finding_lines(lint(root)) if "untested-tag" in line]
    assert len(lines) == 1 and lines[0].startswith(
        "api/values-production.yaml:3:8 promotion/untested-tag production runs registry.example.com/api:a3, which "
        "never ran in staging (staging ran a1, a2 on branch main")


def test_an_application_of_another_repository_needs_none_of_its_branches_here(tmp_path: Path) -> None:
    """Found on gitops-promoter's demo: Applications whose repoURL is a placeholder (another repo)
    watch environment/* branches; check exited 2 asking to fetch branches this repo never had."""
    app = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web-{env}\nspec:\n  source:\n"
           "    repoURL: https://github.com/<ORG>/<REPO>.git\n    path: web\n    targetRevision: environment/{env}\n"
           "  destination:\n    namespace: web-{env}\n")
    root = make_repo(tmp_path / "r", {"apps/stage.yaml": app.format(env="stage"), "apps/prod.yaml": app.format(env="prod"),
                                      "web/values-stage.yaml": "replicaCount: 3\n", "web/values-prod.yaml": "replicaCount: 3\n"})
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 0, result.output


def _chart_app(env: str, version: str) -> str:
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web-{env}\nspec:\n"
            f"  project: default\n  source:\n    repoURL: https://charts.example.com\n    chart: web\n"
            f"    targetRevision: {version}\n  destination:\n    server: https://{env}.k8s.example.com\n"
            f"    namespace: web\n")


def test_a_helm_repository_chart_version_is_promoted_like_an_image(tmp_path: Path) -> None:
    """Issue 10: prod's chart version must have run in stage first. 1.3.0 went stage → prod (fine);
    1.4.0 went to prod only. The chart version lives in the Application file, which history follows."""
    root = make_repo(tmp_path / "repo", {"argocd/web-stage.yaml": _chart_app("stage", "1.2.0"),
                                         "argocd/web-prod.yaml": _chart_app("prod", "1.2.0")}, [
        ("2026-03-02T00:00:00+00:00", "stage chart 1.3.0", {"argocd/web-stage.yaml": _chart_app("stage", "1.3.0")}),
        ("2026-03-03T00:00:00+00:00", "prod chart 1.3.0", {"argocd/web-prod.yaml": _chart_app("prod", "1.3.0")}),
        ("2026-03-04T00:00:00+00:00", "prod chart 1.4.0", {"argocd/web-prod.yaml": _chart_app("prod", "1.4.0")}),
    ])
    sha = git(root, "rev-parse", "--short=10", "HEAD").strip()
    assert finding_lines(lint(root)) == [
        "argocd/web-prod.yaml:10:21 promotion/untested-tag prod runs chart https://charts.example.com/web 1.4.0, which "
        f"never ran in stage (stage ran 1.2.0, 1.3.0 on branch main); it reached prod in commit {sha} "
        "(2026-03-04 00:00:00 UTC)"]
    git(root, "reset", "-q", "--hard", "HEAD~1")  # prod on 1.3.0, which stage ran first: nothing to say
    assert finding_lines(lint(root)) == []
