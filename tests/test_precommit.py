"""The real pre-commit, running this repo's hook (`pre-commit try-repo`) in fixture git repos."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git, make_repo, write_files

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (ROOT / ".git").exists(), reason="try-repo needs this project as a git repo")]


def _values(tag: str) -> str:
    return f"image:\n  repository: registry.example.com/team/app\n  tag: \"{tag}\"\n"


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(repo: Path, home: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or "pre-commit"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    return subprocess.run([exe, "try-repo", str(ROOT), "gitops-lint", *extra], cwd=repo, capture_output=True,
                          text=True, env=env, timeout=600)


@pytest.fixture
def promoted(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {f"app/values-{e}.yaml": _values("14") for e in ("dev", "stage", "prod")}),
        ("2026-10-02T09:00:00+00:00", "dev 15", {"app/values-dev.yaml": _values("15")}),
        ("2026-10-03T09:00:00+00:00", "stage 15", {"app/values-stage.yaml": _values("15")}),
    ])


def test_clean_promotion_passes(promoted: Path, pre_commit_home: Path) -> None:
    write_files(promoted, {"app/values-prod.yaml": _values("15")})
    git(promoted, "add", "-A")
    proc = _try_repo(promoted, pre_commit_home, "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "gitops-lint..............................................................Passed" in proc.stdout


def test_staged_untested_prod_tag_fails(promoted: Path, pre_commit_home: Path) -> None:
    write_files(promoted, {"app/values-prod.yaml": _values("18")})
    git(promoted, "add", "-A")
    proc = _try_repo(promoted, pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "gitops-lint..............................................................Failed" in proc.stdout
    assert ("app/values-prod.yaml:3:8  error   promotion/untested-tag\n    prod runs registry.example.com/team/app:18, "
            "which never ran in stage (stage ran 14, 15 on branch main; 18 never ran in dev either); it reached prod "
            "in the staged changes (not committed yet)") in proc.stdout


def test_only_staged_content_is_judged(promoted: Path, pre_commit_home: Path) -> None:
    """pre-commit stashes unstaged changes: a bad edit that is not staged does not fail the commit."""
    write_files(promoted, {"app/values-prod.yaml": _values("15")})
    git(promoted, "add", "-A")
    write_files(promoted, {"app/values-prod.yaml": _values("18")})  # unstaged
    proc = _try_repo(promoted, pre_commit_home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (promoted / "app/values-prod.yaml").read_text() == _values("18")  # pre-commit restored it


def test_hook_and_action_manifests() -> None:
    """The hook must see the whole repo at once; the action must wire every input it declares."""
    from gitops_lint import yamlio

    [hook] = yamlio.load_text((ROOT / ".pre-commit-hooks.yaml").read_text(), "hooks").data
    assert (hook["id"], hook["entry"], hook["language"], hook["pass_filenames"], hook["require_serial"],
            hook["always_run"], "files" in hook) == ("gitops-lint", "gitops-lint check --staged", "python", False, True,
                                                      True, False)
    action = yamlio.load_text((ROOT / "action.yml").read_text(), "action.yml").data
    assert action["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text()
    for name in action["inputs"]:
        assert f"inputs.{name}" in text, f"input {name} is declared but not used"


def test_blocks_a_commit_on_a_feature_branch_ahead_of_main(tmp_path: Path, pre_commit_home: Path) -> None:
    """Real `git commit` through an installed hook: the branch's first commit promoted stage, the
    second (being committed) promotes prod. Both land on main together, so prod never ran in stage."""
    origin = make_repo(tmp_path / "origin", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {f"app/values-{e}.yaml": _values("14") for e in ("dev", "stage", "prod")}),
        ("2026-10-02T09:00:00+00:00", "dev 15", {"app/values-dev.yaml": _values("15")})])
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(repo))
    git(repo, "checkout", "-qb", "promote-15")
    write_files(repo, {"app/values-stage.yaml": _values("15")})
    git(repo, "commit", "-qam", "stage 15", date="2026-10-03T09:00:00+00:00")
    write_files(repo, {"app/values-prod.yaml": _values("15")})
    git(repo, "add", "-A")
    proc = _try_repo(repo, pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    head = git(repo, "rev-parse", "HEAD").strip()[:10]
    assert (f"prod runs registry.example.com/team/app:15, which this change (HEAD {head} and the staged changes, "
            "not on branch main yet) gives stage and prod together: it never ran in stage before prod"
            ) in proc.stdout.replace("\n    ", " ")


def test_fires_for_an_extensionless_image_tag_file(tmp_path: Path, pre_commit_home: Path) -> None:
    layout = {".gitops-lint.yaml": 'layouts:\n  - files: "image-tags/{env}/{app}"\n'}
    repo = make_repo(tmp_path / "repo", history=[
        ("2026-10-01T09:00:00+00:00", "bootstrap", {**layout, **{f"image-tags/{e}/router": "image_tag: v14\n"
                                                               for e in ("integration", "staging", "production")}})])
    write_files(repo, {"image-tags/production/router": "image_tag: v15\n"})
    git(repo, "add", "-A")
    proc = _try_repo(repo, pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "image-tags/production/router:1:12  error   promotion/untested-tag" in proc.stdout
