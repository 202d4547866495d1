"""Which repo files a render reads, and their private copy outside the repo.

The linted repo is hostile, so nothing renders in place: every file a render may read is read
through the snapshot (bounded, refusing symlinks that leave the repo), hashed for the cache key,
and written as a plain file into a fresh temp dir under the same relative path. A path that
would leave the repo is refused here, before any tool sees it.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import tempfile
from pathlib import Path
from typing import Any

from gitops_lint import yamlio
from gitops_lint.errors import GitopsLintError
from gitops_lint.snapshot import Snapshot

from .base import Options, Plan


class Refused(Exception):
    """A render that must not run; the message is the `Rendered.error`."""


def plan_or_refusal(plan: Any, snapshot: Any, request: Any, options: Any) -> Any:
    """A backend's `plan`, with a refusal turned into a Plan that carries it as its one-line error."""
    from .base import Plan

    try:
        return plan(snapshot, request, options)
    except Refused as exc:
        return Plan((), " ".join(str(exc).split()))


def inside(base: str, relpath: str) -> str:
    """`relpath` (relative to the repo dir `base`) as a repo path; refused when it leaves the repo."""
    if relpath.startswith("/") or "\\" in relpath or "\0" in relpath:
        raise Refused(f"{relpath} is not a relative path inside the repository")
    joined = posixpath.normpath(posixpath.join(base, relpath))
    if joined == ".." or joined.startswith("../"):
        raise Refused(f"{relpath} (from {base}) leads outside the repository")
    return joined


def under(files: list[str], directory: str) -> list[str]:
    """The snapshot's files inside `directory` ("." is the whole repo), sorted."""
    if directory in ("", "."):
        return list(files)
    prefix = directory.rstrip("/") + "/"
    return [f for f in files if f.startswith(prefix)]


def is_dir(files: list[str], directory: str) -> bool:
    return bool(under(files, directory)) if directory not in ("", ".") else True


def load_yaml(snapshot: Snapshot, relpath: str, data: dict[str, bytes]) -> Any:
    """The first document of a repo YAML file (kept in `data` for the copy)."""
    raw = read(snapshot, relpath, data)
    try:
        return yamlio.load_text(yamlio.decode(raw, relpath), relpath, positions=False).data
    except GitopsLintError as exc:
        raise Refused(str(exc)) from None


def read(snapshot: Snapshot, relpath: str, data: dict[str, bytes]) -> bytes:
    if relpath not in data:
        try:
            data[relpath] = snapshot.read(relpath)
        except GitopsLintError as exc:
            raise Refused(str(exc)) from None
    return data[relpath]


def plan_files(snapshot: Snapshot, copies: list[tuple[str, str]], options: Options, *,
               data: dict[str, bytes], sources: tuple[tuple[str, str], ...] = ()) -> Plan:
    """Read every (private path, repo path) of `copies`; the plan names each by content digest."""
    unique = sorted(set(copies))
    if len(unique) > options.max_files:
        raise Refused(f"the render would read {len(unique)} files, over the limit of {options.max_files}")
    total = 0
    files = []
    for dest, repo_path in unique:
        raw = read(snapshot, repo_path, data)
        total += len(raw)
        if total > options.max_bytes:
            raise Refused(f"the render would read over {options.max_bytes} bytes of files")
        files.append((dest, repo_path, hashlib.sha1(raw).hexdigest()))
    dests = {dest for dest, _, _ in files}
    for dest in dests:  # a file that is also a directory (a symlinked dir, a case clash) cannot be copied
        parent = posixpath.dirname(dest)
        while parent:
            if parent in dests:
                raise Refused(f"{parent} is both a file and a directory in the render's copy")
            parent = posixpath.dirname(parent)
    return Plan(tuple(files), None, sources, data)


def materialize(snapshot: Snapshot, plan: Plan) -> Path:
    """A fresh temp dir holding the planned files as plain files; the caller removes it (`discard`)."""
    top = Path(tempfile.mkdtemp(prefix="gitops-lint-render-"))
    root = top / "repo"
    root.mkdir()
    try:
        data = plan.data if plan.data is not None else {}
        for dest, repo_path, _ in plan.files:
            raw = read(snapshot, repo_path, data)
            target = root.joinpath(*dest.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(target, flags, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
    except BaseException:
        discard(top)
        raise
    return top


def discard(top: Path) -> None:
    shutil.rmtree(top, ignore_errors=True)
