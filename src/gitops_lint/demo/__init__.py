"""`gitops-lint demo`: the bundled example (the seed layout) as a real git repo with history."""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from gitops_lint import gitio, yamlio
from gitops_lint.errors import GitopsLintError


def scenario() -> dict[str, Any]:
    text = resources.files("gitops_lint.demo").joinpath("manual-app.yaml").read_text("utf-8")
    data: dict[str, Any] = yamlio.load_text(text, "demo/manual-app.yaml", positions=False).data
    return data


def write_files(root: Path, files: dict[str, str | None]) -> None:
    for relpath, text in files.items():
        target = root / relpath
        if text is None:
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def build_demo(directory: Path | None = None) -> Iterator[tuple[str, Path]]:
    """Yield (title, repo) twice: after a clean promotion history, then after a bad change."""
    root = Path(tempfile.mkdtemp(prefix="gitops-lint-demo-")) if directory is None else directory
    if root.exists() and any(root.iterdir()):
        raise GitopsLintError(f"{root} is not empty; give the demo a new directory")
    root.mkdir(parents=True, exist_ok=True)
    data = scenario()
    gitio.init_repo(root)
    write_files(root, data["files"])
    for stage in ("history", "bad"):
        for commit in data[stage]["commits"]:
            write_files(root, commit["files"])
            gitio.commit_all(root, commit["message"], commit["date"])
        yield data[stage]["title"], root
