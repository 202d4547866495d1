"""The CI recipes users copy are the ones tested: the GitHub Action's script (action.yml) on the
checkout GitHub makes for a pull request, and the GitLab job from docs/ci.md on a merged results
pipeline's checkout. Only the install lines are skipped (this test runs the installed CLI)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import git, make_repo, write_files
from gitops_lint import yamlio
from test_pr_workflows import SEED, URL, _envs

ROOT = Path(__file__).resolve().parents[1]


def _bad_pr_clone(tmp_path: Path) -> tuple[Path, str]:
    """origin with the promotion history; a PR branch that sets prod to 17, which stage never ran."""
    origin = make_repo(tmp_path / "origin", history=SEED)
    git(origin, "checkout", "-qb", "promote-prod")
    write_files(origin, _envs(prod="17"))
    git(origin, "commit", "-qam", "prod 17", date="2026-10-09T10:00:00+00:00")
    pr_head = git(origin, "rev-parse", "HEAD").strip()
    git(origin, "checkout", "-q", "main")
    clone = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "config", f"url.{origin}.insteadOf", URL)
    git(clone, "remote", "set-url", "origin", URL)
    git(clone, "fetch", "-q", "origin", pr_head)
    git(clone, "checkout", "-q", "--detach", "origin/main")
    git(clone, "merge", "-q", "--no-ff", "-m", "Merge pull request", pr_head, date="2026-10-09T11:00:00+00:00")
    git(clone, "branch", "-D", "main")  # the merge checkout has no local branch
    return clone, pr_head


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env.update(extra)
    return env


def test_github_action_script_on_a_pull_request_merge_checkout(tmp_path: Path) -> None:
    clone, _ = _bad_pr_clone(tmp_path)
    action = yamlio.load_text((ROOT / "action.yml").read_text(), "action.yml").data
    step = next(s for s in action["runs"]["steps"] if s.get("name") == "Run gitops-lint")
    workflow = (ROOT / "docs" / "ci.md").read_text()
    assert "format('origin/{0}', github.base_ref)" in workflow  # what `base` is given on pull_request
    summary = tmp_path / "summary.md"
    proc = subprocess.run(["bash", "-c", step["run"]], cwd=clone, capture_output=True, text=True, env=_env(
        GL_PATH=".", GL_ARGS="", GL_BASE="origin/main", GL_SARIF=str(tmp_path / "gitops-lint.sarif"),
        GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary)))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"^::error file=app/values-prod.yaml,line=3,col=8,title=promotion/untested-tag::prod runs "
                     r"registry.example.com/team/app:17, which never ran in stage", proc.stdout, re.M)
    assert (tmp_path / "gitops-lint.sarif").is_file() and summary.read_text().startswith("## gitops-lint")


def test_gitlab_job_from_the_docs_on_a_merged_results_checkout(tmp_path: Path) -> None:
    clone, _ = _bad_pr_clone(tmp_path)
    git(clone, "update-ref", "-d", "refs/remotes/origin/main")  # GitLab fetched only the pipeline ref
    text = (ROOT / "docs" / "ci.md").read_text()
    block = text.split("## GitLab CI", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    job = yamlio.load_text(block, "ci.md").data["gitops-lint"]
    script = "\n".join(line for line in job["script"] if not line.startswith("pip install"))
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=clone, capture_output=True, text=True,
                          env=_env(CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main", CI="true"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "app/values-prod.yaml:3:8  error   promotion/untested-tag" in proc.stdout
    assert (clone / "gitops-lint-junit.xml").is_file() and (clone / "gl-code-quality.json").is_file()


def test_the_readme_gitlab_job_is_the_tested_one() -> None:
    def job(text: str, heading: str) -> str:
        return text.split(heading, 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]

    assert job((ROOT / "README.md").read_text(), "### GitLab CI\n") == \
        job((ROOT / "docs" / "ci.md").read_text(), "## GitLab CI\n")


_PUBLIC = "https://github.com/gitops-lint/gitops-lint"


def _recipes() -> list[str]:
    text = (ROOT / "README.md").read_text() + (ROOT / "docs" / "ci.md").read_text()
    return sorted(set(re.findall(r"gitops-lint(?:\[\w+\])? @ git\+" + re.escape(_PUBLIC) + r"@[\w.]+", text)))


def test_every_install_recipe_names_this_release() -> None:
    from gitops_lint import __version__

    recipes = _recipes()
    text = (ROOT / "README.md").read_text() + (ROOT / "docs" / "ci.md").read_text()
    assert recipes and all(r.endswith(f"@v{__version__}") for r in recipes)
    assert "pip install gitops-lint " not in text and "pip install gitops-lint\n" not in text  # not on PyPI
    for pinned in re.findall(r"rev: (v[\w.]+)|gitops-lint/gitops-lint@(v[\w.]+)", text):
        assert f"v{__version__}" in pinned


def test_the_install_recipe_installs_from_the_tag(tmp_path: Path) -> None:
    """The recipe as written, with the public URL pointed at a clone of this repository. The release
    tag is made in the clone when the checkout under test has none (CI clones carry no tags); the
    release itself is tagged by hand (CONTRIBUTING.md)."""
    from gitops_lint import __version__

    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(ROOT), str(clone))
    if not git(clone, "tag", "--list", f"v{__version__}").strip():
        git(clone, "tag", f"v{__version__}")
    spec = next(r for r in _recipes() if "[" not in r).replace(f"git+{_PUBLIC}", f"git+file://localhost{clone}")
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), spec],
                          capture_output=True, text=True, env=_env())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (target / f"gitops_lint-{__version__}.dist-info").is_dir()


def test_every_action_we_ship_or_recommend_runs_on_node24() -> None:
    """GitHub forces node20 actions onto node24 and then removes node20: checkout@v4, setup-python@v5
    and upload-sarif@v3 (the majors the recipes named) run on node20."""
    text = "".join((ROOT / name).read_text() for name in ("README.md", "docs/ci.md", "action.yml"))
    used = set(re.findall(r"uses: ([\w-]+/[\w/-]+)@(v\d+)", text))
    node24 = {"actions/checkout": 5, "actions/setup-python": 6, "github/codeql-action/upload-sarif": 4}
    assert {name for name, _ in used} >= set(node24)
    for name, major in used:
        if name in node24:
            assert int(major[1:]) >= node24[name], f"{name}@{major} runs on node20"
