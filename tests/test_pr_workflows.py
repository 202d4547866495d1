"""The change under test, in every workflow a team has: PR branches, detached tips, CI merge
commits, pre-commit on main and on feature branches, rebases, merges of every kind, clock skew,
revisions resolved like Argo CD, remotes that are forks or aliases, and the tricks a pull request
could use to weaken its own check. Real git repos with fixed commit dates, the real CLI."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import git, make_repo, write_files
from gitops_lint.cli import main

REPO = "registry.example.com/team/app"
URL = "https://git.example.com/team/gitops.git"


def _values(tag: str) -> str:
    return f"image:\n  repository: {REPO}\n  tag: \"{tag}\"\n"


def _envs(dev: str | None = None, stage: str | None = None, prod: str | None = None) -> dict[str, str | None]:
    return {f"app/values-{env}.yaml": _values(tag) for env, tag in (("dev", dev), ("stage", stage), ("prod", prod))
            if tag is not None}


def _app(env: str, revision: str = "main", *, auto: bool = False, name: str | None = None) -> str:
    sync = "  syncPolicy:\n    automated: {}\n" if auto else ""
    return (f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name or f'app-{env}'}\n"
            f"spec:\n  project: default\n  source:\n    repoURL: {URL}\n    targetRevision: {revision}\n"
            f"    path: app\n    helm:\n      valueFiles: [values-{env}.yaml]\n"
            f"  destination:\n    server: https://kubernetes.default.svc\n    namespace: {env}\n{sync}")


APPS = {f"argocd/app-{e}.yaml": _app(e) for e in ("dev", "stage", "prod")}
CHART = {"app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n"}
SEED = [
    ("2026-10-01T09:00:00+00:00", "bootstrap", {**CHART, **APPS, **_envs("14", "14", "14")}),
    ("2026-10-02T10:00:00+00:00", "dev 15", _envs(dev="15")),
    ("2026-10-03T11:00:00+00:00", "stage 15", _envs(stage="15")),
    ("2026-10-06T14:00:00+00:00", "prod 15", _envs(prod="15")),
    ("2026-10-08T09:30:00+00:00", "dev 17", _envs(dev="17")),
]
UNTESTED_17 = ("app/values-prod.yaml:3:8 promotion/untested-tag prod runs registry.example.com/team/app:17, which never "
               "ran in stage (stage ran 14, 15 on branch main; 17 was only in dev, since 2026-10-08); it reached prod "
               "in this change (HEAD {head}, not on branch main yet)")


def _cli(root: Path, *args: str) -> tuple[int, list[str], str]:
    """exit code, `path:line:col rule message` of each unsuppressed finding, stderr."""
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", *args])
    if result.exit_code not in (0, 1):
        return result.exit_code, [], result.stderr
    report = json.loads(result.stdout)
    lines = [f"{f['path']}:{f['line']}:{f['column']} {f['rule']} {f['message']}" for f in report["findings"]
             if f["suppressed"] is None]
    return result.exit_code, lines, " | ".join(report["notices"])


def _commit(root: Path, message: str, date: str, files: dict[str, str | None]) -> str:
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=date)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A CI-style clone: origin holds the promotion history; the clone's origin URL is the repoURL."""
    origin = make_repo(tmp_path / "origin", history=SEED)
    git(origin, "config", "receive.denyCurrentBranch", "updateInstead")  # the tests push to it
    root = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(root))
    git(root, "config", f"url.{origin}.insteadOf", URL)  # fetches go to the test's origin
    git(root, "remote", "set-url", "origin", URL)
    return root


def _pr(root: Path, commits: list[tuple[str, dict[str, str | None]]], branch: str = "pr") -> str:
    git(root, "checkout", "-qb", branch, "origin/main")
    head = ""
    for index, (message, files) in enumerate(commits):
        head = _commit(root, message, f"2026-10-09T1{index}:00:00+00:00", files)
    return head


def _github_merge(root: Path, pr_head: str) -> str:
    """actions/checkout of refs/pull/N/merge: detached at a merge of the PR into origin/main, no local main."""
    git(root, "checkout", "-q", "--detach", "origin/main")
    git(root, "merge", "-q", "--no-ff", "-m", f"Merge {pr_head[:7]} into main", pr_head, date="2026-10-09T20:00:00+00:00")
    git(root, "branch", "-D", "main", "pr")
    return git(root, "rev-parse", "HEAD").strip()


# ---- the pull request's change is judged, wherever CI checks it out -----------------------------

@pytest.mark.parametrize("base", [(), ("--base", "origin/main"), ("--base", "<base sha>")],
                         ids=["no-base", "base", "base-sha"])
@pytest.mark.parametrize("checkout", ["branch", "detached-tip", "github-merge", "gitlab-merged-results"])
def test_a_pr_that_ships_an_untested_tag_to_prod_fails(clone: Path, checkout: str, base: tuple[str, ...]) -> None:
    """`--base <sha>` (`github.event.pull_request.base.sha`, `HEAD^1` of a merge checkout) stands for the
    branch the change lands on, at that commit (it used to pass: a commit-kind base never moved)."""
    base_sha = git(clone, "rev-parse", "origin/main").strip()
    head = _pr(clone, [("prod 17", _envs(prod="17"))])
    if checkout == "detached-tip":
        git(clone, "checkout", "-q", "--detach", head)
    elif checkout in ("github-merge", "gitlab-merged-results"):
        head = _github_merge(clone, head)
    base = tuple(base_sha if arg == "<base sha>" else arg for arg in base)
    code, lines, _ = _cli(clone, "--rule", "promotion/untested-tag", *base)
    assert (code, lines) == (1, [UNTESTED_17.format(head=head[:10])])


@pytest.mark.parametrize("base", [(), ("--base", "origin/main")], ids=["no-base", "base"])
def test_a_pr_that_moves_stage_and_prod_in_two_commits_fails(clone: Path, base: tuple[str, ...]) -> None:
    head = _pr(clone, [("stage 17", _envs(stage="17")), ("prod 17", _envs(prod="17"))])
    code, lines, _ = _cli(clone, "--rule", "promotion/untested-tag", *base)
    assert (code, lines) == (1, [
        "app/values-prod.yaml:3:8 promotion/untested-tag prod runs registry.example.com/team/app:17, which this change "
        f"(HEAD {head[:10]}, not on branch main yet) gives stage and prod together: it never ran in stage before prod"])


@pytest.mark.parametrize("base", [(), ("--base", "origin/main")], ids=["no-base", "base"])
def test_a_pr_that_promotes_what_its_upstream_ran_for_days_passes(clone: Path, base: tuple[str, ...]) -> None:
    _pr(clone, [("stage 17", _envs(stage="17"))])  # dev has run 17 since 2026-10-08
    git(clone, "checkout", "-q", "--detach")
    assert _cli(clone, *base)[:2] == (0, [])


def test_a_pr_whose_base_moved_on_is_judged_against_the_new_base(tmp_path: Path) -> None:
    """The PR forked before stage ran 17; main promoted stage since. Its prod 17 is now a promotion."""
    origin = make_repo(tmp_path / "origin", history=SEED)
    root = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(root))
    _pr(root, [("prod 17", _envs(prod="17"))])
    assert _cli(root, "--rule", "promotion/untested-tag")[0] == 1
    _commit(origin, "stage 17", "2026-10-09T12:00:00+00:00", _envs(stage="17"))
    git(root, "fetch", "-q", "origin")
    assert _cli(root, "--rule", "promotion/untested-tag")[:2] == (0, [])
    assert _cli(root, "--rule", "promotion/untested-tag", "--base", "origin/main")[:2] == (0, [])


# ---- hooks: the index is the change; the branch's unpushed commits land with it ------------------

def test_staged_is_judged_not_the_work_tree(clone: Path) -> None:
    git(clone, "checkout", "-q", "main")
    write_files(clone, _envs(prod="15"))  # staged: a clean promotion
    git(clone, "add", "-A")
    write_files(clone, _envs(prod="17"))  # unstaged: a bad edit that is not being committed
    assert _cli(clone, "--staged", "--rule", "promotion/untested-tag")[:2] == (0, [])
    assert _cli(clone, "--rule", "promotion/untested-tag")[0] == 1  # the work tree has it
    git(clone, "add", "-A")
    write_files(clone, _envs(prod="15"))
    code, lines, _ = _cli(clone, "--staged", "--rule", "promotion/untested-tag")
    assert (code, [line.split(" which")[0] for line in lines]) == (1, [
        "app/values-prod.yaml:3:8 promotion/untested-tag prod runs registry.example.com/team/app:17,"])
    assert "it reached prod in the staged changes (not committed yet)" in lines[0]


def test_amend_on_main_ahead_of_origin(clone: Path) -> None:
    """Local main has an unpushed 'stage 17'; amending it to also set prod 17 lands both at once."""
    git(clone, "checkout", "-q", "main")
    _commit(clone, "stage 17", "2026-10-09T10:00:00+00:00", _envs(stage="17"))
    write_files(clone, _envs(prod="17"))
    git(clone, "add", "-A")
    code, lines, _ = _cli(clone, "--staged", "--rule", "promotion/untested-tag")
    assert code == 1 and "gives stage and prod together" in lines[0]


def test_rebase_exec_stops_at_the_bad_commit(clone: Path) -> None:
    """`git rebase --exec 'gitops-lint check --staged'` runs detached at each replayed commit."""
    _pr(clone, [("stage 17", _envs(stage="17")), ("prod 17", _envs(prod="17"))])
    exe = Path(__import__("sys").executable).parent / "gitops-lint"
    proc = subprocess.run(["git", "-C", str(clone), "rebase", "--exec",
                           f"{exe} check --staged --rule promotion/untested-tag .", "origin/main"],
                          capture_output=True, text=True, env={"HOME": str(clone), "PATH": "/usr/bin:/bin",
                                                                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"})
    assert proc.returncode != 0
    assert "gives stage and prod together" in proc.stdout + proc.stderr
    git(clone, "rebase", "--abort")


def test_a_commit_that_touches_no_env_file_costs_only_start_up(tmp_path: Path) -> None:
    layout = {".gitops-lint.yaml": 'layouts:\n  - files: "tags/{env}/{app}"\n', "README.md": "docs\n",
              "src/main.py": "print(1)\n", **{f"tags/{e}/web": "image_tag: v1\n" for e in ("dev", "stage", "prod")}}
    root = make_repo(tmp_path / "r", layout)

    def staged(files: dict[str, str | None]) -> tuple[int, str]:
        write_files(root, files)
        git(root, "add", "-A")
        result = CliRunner().invoke(main, ["check", str(root), "--staged"])
        return result.exit_code, result.stderr

    assert staged({}) == (0, "")  # a full run (nothing cached yet for these manifests)
    assert staged({"README.md": "more docs\n"}) == (0, (
        "gitops-lint: the staged change only edits files no env depends on (as of the last full check of these "
        "manifests); nothing to judge\n"))
    assert staged({"src/main.py": "print(2)\n"})[1].startswith("gitops-lint: the staged change only edits")
    assert staged({"src/new.py": "x = 1\n"}) == (0, "")  # an added file: a full run
    code, err = staged({"tags/prod/web": "image_tag: v2\n"})  # an extensionless env file: judged
    assert (code, err) == (1, "")


# ---- merges of every kind, clock skew ------------------------------------------------------------

@pytest.mark.parametrize("how", ["squash", "rebase", "no-ff"])
def test_merged_prs_are_judged_when_they_land(tmp_path: Path, how: str) -> None:
    root = make_repo(tmp_path / "r", history=SEED)
    for message, files in (("stage 17", _envs(stage="17")), ("prod 17", _envs(prod="17"))):
        branch = message.replace(" ", "-")
        git(root, "checkout", "-qb", branch, "main")
        _commit(root, message, "2026-10-09T10:00:00+00:00", files)
        git(root, "checkout", "-q", "main")
        if how == "squash":
            git(root, "merge", "-q", "--squash", branch)
            git(root, "commit", "-q", "-m", f"{message} (#1)", date="2026-10-10T10:00:00+00:00")
        elif how == "rebase":
            git(root, "rebase", "-q", "main", branch)
            git(root, "checkout", "-q", "main")
            git(root, "merge", "-q", "--ff-only", branch)
        else:
            git(root, "merge", "-q", "--no-ff", "-m", f"Merge {message}", branch,
                date="2026-10-10T10:00:00+00:00")
    assert _cli(root, "--rule", "promotion/untested-tag")[:2] == (0, [])


def test_one_squashed_pr_for_stage_and_prod_fails(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=SEED)
    git(root, "checkout", "-qb", "both", "main")
    _commit(root, "stage 17", "2026-10-09T10:00:00+00:00", _envs(stage="17"))
    _commit(root, "prod 17", "2026-10-09T11:00:00+00:00", _envs(prod="17"))
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--squash", "both")
    git(root, "commit", "-q", "-m", "promote 17 (#2)", date="2026-10-10T10:00:00+00:00")
    code, lines, _ = _cli(root, "--rule", "promotion/untested-tag")
    assert code == 1 and "which one commit (commit" in lines[0] and "gave stage and prod together" in lines[0]


@pytest.mark.parametrize("stage_date,prod_date,expected", [
    ("2026-10-09T12:00:00+00:00", "2026-10-09T08:00:00+00:00", 0),  # stage first in the graph, its clock is late
    ("2026-10-09T08:00:00+00:00", "2026-10-09T12:00:00+00:00", 0),
], ids=["skewed", "in-order"])
def test_clock_skew_cannot_flip_the_graph_order(tmp_path: Path, stage_date: str, prod_date: str, expected: int) -> None:
    root = make_repo(tmp_path / "r", history=[*SEED, (stage_date, "stage 17", _envs(stage="17")),
                                              (prod_date, "prod 17", _envs(prod="17"))])
    assert _cli(root, "--rule", "promotion/untested-tag")[0] == expected


def test_prod_first_in_the_graph_fails_even_if_its_clock_says_later(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=[*SEED, ("2026-10-09T12:00:00+00:00", "prod 17", _envs(prod="17")),
                                              ("2026-10-09T08:00:00+00:00", "stage 17", _envs(stage="17"))])
    code, lines, _ = _cli(root, "--rule", "promotion/untested-tag")
    assert code == 1 and "it reached prod before stage ran it" in lines[0]


def test_a_foxtrot_merge_follows_the_remote_line_when_the_reflog_knows_it(clone: Path) -> None:
    """Someone pushed 'stage 17'; locally 'prod 17' was committed earlier, then `git pull` merged
    origin/main into main (first parent: the local line) and pushed. Prod got 17 when the merge
    landed, after stage: a promotion. Without the reflog the order is ambiguous and said so."""
    origin = Path(git(clone, "config", "--get-regexp", r"url\..*\.insteadof").split()[0][4:-len(".insteadof")])
    _commit(origin, "stage 17", "2026-10-09T10:00:00+00:00", _envs(stage="17"))
    git(clone, "checkout", "-q", "main")
    _commit(clone, "prod 17", "2026-10-09T09:00:00+00:00", _envs(prod="17"))
    git(clone, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    git(clone, "push", "-q", "origin", "main")
    assert _cli(clone, "--rule", "promotion/untested-tag")[:2] == (0, [])
    git(clone, "reflog", "expire", "--expire=now", "--all")  # a fresh CI clone knows no earlier tips
    code, lines, notices = _cli(clone, "--rule", "promotion/untested-tag")
    assert code == 1 and "it reached prod before stage ran it" in lines[0]
    assert "(a `git pull` merge), so which of its two lines ran first is ambiguous" in notices


def test_a_foxtrot_merge_is_said_to_be_ambiguous(clone: Path) -> None:
    git(clone, "checkout", "-q", "main")
    _commit(clone, "stage 17", "2026-10-09T10:00:00+00:00", _envs(stage="17"))
    git(clone, "checkout", "-q", "--detach", "origin/main")
    _commit(clone, "readme", "2026-10-09T09:00:00+00:00", {"README.md": "hi\n"})
    other = git(clone, "rev-parse", "HEAD").strip()
    git(clone, "checkout", "-q", "main")
    git(clone, "merge", "-q", "--no-ff", "-m", f"Merge branch 'main' of {URL}", other, date="2026-10-09T11:00:00+00:00")
    git(clone, "update-ref", "refs/remotes/origin/main", "HEAD")
    notices = _cli(clone, "--rule", "promotion/untested-tag")[2]
    assert "(a `git pull` merge), so which of its two lines ran first is ambiguous" in notices


# ---- revisions resolved like Argo CD -------------------------------------------------------------

def test_semver_range_resolves_to_the_highest_matching_tag(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=SEED)
    git(root, "tag", "v1.0.0", "HEAD~2")  # prod 14 era... (stage 15 commit)
    git(root, "tag", "v1.1.0", "HEAD~1")  # prod 15
    git(root, "tag", "v2.0.0", "HEAD")
    write_files(root, {"argocd/app-prod.yaml": _app("prod", "1.*", auto=True)})
    git(root, "commit", "-qam", "prod follows 1.*", date="2026-10-09T09:00:00+00:00")
    code, lines, _ = _cli(root, "--rule", "argocd/auto-sync-prod", "--rule", "promotion/untested-tag")
    assert code == 1
    assert [line.split(" ", 2)[1] for line in lines] == ["argocd/auto-sync-prod"]  # a range moves; history on v1.1.0


def test_a_branch_named_like_a_tag_is_a_branch(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=[*SEED, ("2026-10-09T09:00:00+00:00", "prod on v2.0",
                                                      {"argocd/app-prod.yaml": _app("prod", "v2.0", auto=True)})])
    git(root, "branch", "v2.0")
    code, lines, _ = _cli(root, "--rule", "argocd/auto-sync-prod")
    assert code == 1 and lines[0].startswith("argocd/app-prod.yaml:") and "from v2.0" in lines[0]
    git(root, "branch", "-D", "v2.0")
    git(root, "tag", "v2.0")
    assert _cli(root, "--rule", "argocd/auto-sync-prod")[:2] == (0, [])


def test_remote_only_and_stale_local_branches(clone: Path) -> None:
    """stage watches `release`, which only origin has; local main is behind origin/main."""
    origin = Path(git(clone, "config", f"--get-regexp", r"url\..*\.insteadof").split()[0][4:-len(".insteadof")])
    git(origin, "checkout", "-qb", "release")
    _commit(origin, "release: stage 17", "2026-10-09T09:00:00+00:00",
            {**_envs(stage="17"), "argocd/app-stage.yaml": _app("stage", "release")})
    git(origin, "checkout", "-q", "main")
    _commit(origin, "stage watches release", "2026-10-09T10:00:00+00:00",
            {"argocd/app-stage.yaml": _app("stage", "release")})
    _commit(origin, "prod 17", "2026-10-10T10:00:00+00:00", _envs(prod="17"))
    git(clone, "fetch", "-q", "origin")  # local main stays behind (stale); origin/release is remote-only
    git(clone, "checkout", "-qb", "pr", "origin/main")
    assert _cli(clone, "--rule", "promotion/untested-tag")[:2] == (0, [])
    assert git(clone, "rev-parse", "main") != git(clone, "rev-parse", "origin/main")


def test_env_files_renamed_with_git_mv_keep_their_history(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", history=[(d, m, {k: v for k, v in f.items() if not k.startswith("argocd/")})
                                              for d, m, f in SEED])
    git(root, "mv", "app/values-prod.yaml", "app/values.prod.yaml")
    git(root, "commit", "-qm", "rename", date="2026-10-09T09:00:00+00:00")
    _commit(root, "prod 17 hotfix", "2026-10-09T10:00:00+00:00", {"app/values.prod.yaml": _values("17")})
    code, lines, _ = _cli(root, "--rule", "promotion/untested-tag")
    assert code == 1 and lines[0].startswith("app/values.prod.yaml:3:8 promotion/untested-tag prod runs")
    _commit(root, "back to 15", "2026-10-09T11:00:00+00:00", {"app/values.prod.yaml": _values("15")})
    assert _cli(root, "--rule", "promotion/untested-tag")[:2] == (0, [])  # 15 ran in stage before the rename


@pytest.mark.parametrize("url", ["git@github-work:team/gitops.git", "https://github.com/me/gitops-fork.git",
                                 "https://mirror.internal/mirrors/team/gitops.git"])
def test_fork_mirror_or_ssh_alias_remotes_still_lint_the_applications(tmp_path: Path, url: str) -> None:
    root = make_repo(tmp_path / "r", history=[*SEED, ("2026-10-09T09:00:00+00:00", "prod 17", _envs(prod="17"))])
    git(root, "remote", "add", "origin", url)
    code, lines, notices = _cli(root, "--rule", "promotion/untested-tag")
    assert code == 1 and len(lines) == 1
    assert ("no git remote matches the Applications' repoURL (git.example.com/team/gitops); they are treated as "
            "this repository because their paths exist here") in notices
    out = CliRunner().invoke(main, ["discover", str(root)]).stdout
    assert "app-prod" in out and "→ prod → prod" not in out


# ---- a pull request cannot weaken its own check ---------------------------------------------------

def _weakened(clone: Path, files: dict[str, str | None], *args: str) -> tuple[int, list[str], str]:
    _pr(clone, [("prod 17, and a trick", {**_envs(prod="17"), **files})])
    return _cli(clone, "--base", "origin/main", *args)


def test_new_inline_suppression_is_not_honoured(clone: Path) -> None:
    code, lines, _ = _weakened(clone, {"app/values-prod.yaml": _values("17").replace(
        '"17"', '"17"  # gitops-lint: ignore[*] any reason')})
    assert code == 1
    assert [line.split(" ", 2)[1] for line in lines] == ["meta/suppression", "promotion/untested-tag"]
    assert lines[0] == ("app/values-prod.yaml:3:1 meta/suppression this change adds a suppression of * ('any reason'); "
                        "a change cannot silence its own findings, so it is not applied until it is reviewed")
    code, lines, _ = _cli(clone, "--base", "origin/main", "--trust-new-suppressions")
    assert code == 0


@pytest.mark.parametrize("trick", ["delete", "rename-without-env", "excluded-folder"])
def test_prod_application_made_invisible_is_an_error(clone: Path, trick: str) -> None:
    files: dict[str, str | None] = {"argocd/app-prod.yaml": None}
    if trick == "rename-without-env":
        files["argocd/app-main.yaml"] = _app("prod", name="app-main").replace("namespace: prod", "namespace: web")
    if trick == "excluded-folder":
        files["legacy/app-prod.yaml"] = _app("prod")
        write_files(clone, {".gitops-lint.yaml": 'exclude: ["legacy/**"]\n'})
        git(clone, "add", "-A")
        git(clone, "commit", "-qm", "policy", date="2026-10-08T12:00:00+00:00")
        git(clone, "push", "-q", "origin", "HEAD:main")
        git(clone, "fetch", "-q")
    code, lines, _ = _weakened(clone, files)
    assert code == 1
    assert ("argocd/app-prod.yaml:4:9 structure/removed app's prod env (Application app-prod in argocd/app-prod.yaml "
            "on the base) is gone in this change: nothing here checks what prod runs any more") in lines


@pytest.mark.parametrize("spelling", ["json", "list", "escaped-apiversion"])
def test_applications_are_recognised_in_any_spelling(clone: Path, spelling: str) -> None:
    from gitops_lint import yamlio

    data = yamlio.load_text(_app("prod", auto=True), "x").data
    if spelling == "json":
        files = {"argocd/app-prod.yaml": None, "argocd/app-prod.json": json.dumps(data)}
    elif spelling == "list":
        files = {"argocd/app-prod.yaml": "apiVersion: v1\nkind: List\nitems:\n"
                                         + "".join(f"  {line}\n" if i else f"- {line}\n"
                                                   for i, line in enumerate(_app("prod", auto=True).splitlines()))}
    else:
        files = {"argocd/app-prod.yaml": _app("prod", auto=True).replace("argoproj.io/v1alpha1",
                                                                         '"argoproj\\x2eio/v1alpha1"')}
    _pr(clone, [("prod auto-sync", files)])
    code, lines, _ = _cli(clone, "--base", "origin/main", "--rule", "argocd/auto-sync-prod", "--rule", "structure/removed")
    assert code == 1 and [line.split(" ", 2)[1] for line in lines] == ["argocd/auto-sync-prod"]


def test_pr_mode_runs_no_filter_driver_and_leaks_no_config_secret(clone: Path, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    git(clone, "config", "filter.evil.smudge", f"touch {canary}; cat")
    git(clone, "config", "filter.evil.clean", "cat")
    git(clone, "config", "diff.evil.textconv", f"touch {canary}; cat")
    secret = tmp_path / "credentials"
    secret.write_text("https://ghp_SECRETSECRET@github.com\n")
    _pr(clone, [("attributes", {".gitattributes": "*.yaml filter=evil diff=evil\n"})])
    git(clone, "push", "-q", "origin", "HEAD:main")
    git(clone, "fetch", "-q")
    _pr(clone, [("prod 17", _envs(prod="17"))], branch="pr2")
    (clone / ".gitops-lint.yaml").symlink_to(secret)
    result = CliRunner().invoke(main, ["check", str(clone), "--base", "origin/main"])
    assert not canary.exists()
    assert "SECRET" not in result.stdout + result.stderr
    assert result.exit_code == 2 and "refused: the symlink leads outside the repository" in result.stderr
    (clone / ".gitops-lint.yaml").unlink()
    assert CliRunner().invoke(main, ["check", str(clone), "--base", "origin/main"]).exit_code == 1
    assert not canary.exists()


@pytest.mark.parametrize("text", ["rules:\n  ghp_CANARYSECRET: off\n  ghp_CANARYSECRET: off\n",
                                  "a: &x 1\nb: &x 2\nc: *ghp_CANARYSECRET\n"])
@pytest.mark.parametrize("args", [(), ("--staged",), ("--base", "main")])
def test_the_policy_file_is_never_echoed(tmp_path: Path, text: str, args: tuple[str, ...]) -> None:
    root = make_repo(tmp_path / "r", {**_envs("14", "14", "14"), ".gitops-lint.yaml": text})
    result = CliRunner().invoke(main, ["check", str(root), *args])
    assert result.exit_code == 2 and "CANARY" not in result.stdout + result.stderr


def test_a_pr_that_only_renames_the_app_removes_no_env(tmp_path: Path) -> None:
    """A Chart.yaml added beside env files renames the app (`deploy` -> `web`, the chart's name): every
    env is still deployed from the same files, so nothing is 'gone' (was three structure/removed errors,
    seen replaying the MoJ corpus repo)."""
    files = {f"deploy/values-{env}.yaml": "image:\n  repository: r.example.com/web\n  tag: '1'\n"
             for env in ("dev", "stage", "prod")}
    root = make_repo(tmp_path / "repo", files)
    git(root, "checkout", "-qb", "add-chart")
    write_files(root, {"deploy/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
                       "deploy/web/values.yaml": "replicaCount: 2\n"})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "chart", date="2026-01-02T00:00:00+00:00")
    code, lines, _ = _cli(root, "--base", "main", "--rule", "structure/removed")
    assert (code, lines) == (0, [])
    write_files(root, {"deploy/values-prod.yaml": None})  # a real removal is still one
    code, lines, _ = _cli(root, "--base", "main", "--rule", "structure/removed")
    assert lines == ["deploy/values-prod.yaml:None:None structure/removed deploy's prod env (deploy/values-prod.yaml on "
                     "the base) is gone in this change: nothing here checks what prod runs any more"]
