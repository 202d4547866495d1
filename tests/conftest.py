"""Shared test helpers: real files, real git repos with fixed commit dates, the real CLI."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gitops_lint.config import load_config
from gitops_lint.demo import write_files
from gitops_lint.engine import Result, run

FIXTURES = Path(__file__).parent / "fixtures"
NOT_REPO_FILES = {"expected.txt", "README.md"}


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="test@example.invalid", GIT_COMMITTER_NAME="Test",
               GIT_COMMITTER_EMAIL="test@example.invalid")
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=True)
    return proc.stdout


def make_repo(root: Path, files: dict[str, str | None] | None = None,
              history: list[tuple[str, str, dict[str, str | None]]] | None = None) -> Path:
    """A git repo: `files` as the first commit, then each (date, message, files) of `history`."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    steps = ([("2026-01-01T00:00:00+00:00", "initial", files)] if files else []) + list(history or [])
    for date, message, changed in steps:
        write_files(root, changed)
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", message, date=date)
    return root


def copy_fixture(case: Path, dest: Path) -> Path:
    shutil.copytree(case, dest, symlinks=True, ignore=lambda d, names: [n for n in names if n in NOT_REPO_FILES and Path(d) == case])
    return dest


def lint(root: Path, *, only: set[str] | None = None) -> Result:
    return run(root, load_config(root), only=only)


def finding_lines(result: Result) -> list[str]:
    """`path:line:col rule message`, the form expected.txt files use."""
    out = []
    for f in result.findings:
        where = f.path or "-"
        if f.line is not None:
            where += f":{f.line}:{f.column}"
        out.append(f"{where} {f.rule} {f.message}")
    return out


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests' parse cache lives in a temp dir, never in the user's ~/.cache."""
    os.environ["GITOPS_LINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("gitops-lint-cache"))


@pytest.fixture
def bad_demo(tmp_path: Path) -> Path:
    """The bundled example after its bad change (5 errors), as a real git repo."""
    from gitops_lint.demo import build_demo

    steps = build_demo(tmp_path / "demo")
    next(steps)
    _, root = next(steps)
    return root


@pytest.fixture
def demo_files() -> dict[str, Any]:
    from gitops_lint.demo import scenario

    return scenario()
