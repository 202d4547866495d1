"""One interface for "the files of the repo at some point": the work tree, the index, a commit.

Discovery, effective values and suppressions read through a `Snapshot`, so linting the work
tree, the staged changes (`check --staged`) or the base of a pull request (`--base`) is the same
code. Git snapshots read objects with `cat-file` (no checkout, no filters, nothing written);
every read is bounded by the same limits as a file on disk.
"""
from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Protocol

from gitops_lint import gitio, yamlio
from gitops_lint.errors import YamlProblem

_MAX_LINK_HOPS = 8


class Snapshot(Protocol):
    root: Path  # the repository directory (git runs here; paths are relative to it)
    kind: str  # "worktree" | "index" | "commit"
    label: str  # how a message names it: "the working tree", "the staged changes", "commit 1a2b3c4d5e"
    commit: str | None  # the commit it is, for "commit"; None otherwise

    def files(self) -> list[str]: ...

    def read(self, relpath: str) -> bytes: ...

    def close(self) -> None: ...


class WorkTree:
    """The files on disk: tracked and untracked-but-not-ignored (every file outside git)."""

    kind = "worktree"
    label = "the working tree"
    commit = None

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: list[str] | None = None
        self._resolved: dict[str, str] = {}  # directory -> its real path (yamlio.read_bytes)

    def files(self) -> list[str]:
        if self._files is None:
            listed = gitio.list_files(self.root)
            self._files = listed if listed is not None else _walk(self.root)
        return self._files

    def read(self, relpath: str) -> bytes:
        return yamlio.read_bytes(self.root, relpath, resolved=self._resolved)

    def close(self) -> None:
        pass


class GitTree:
    """The files of a commit, or of the index, read from git's object database."""

    def __init__(self, root: Path, kind: str, rev: str | None = None) -> None:
        self.root = root
        self.kind = kind
        self.commit = gitio.resolve(root, rev) if rev else None
        self.label = f"commit {self.commit[:10]}" if self.commit else "the staged changes"
        self._entries = gitio.tree_entries(root, self.commit) if self.commit else gitio.index_entries(root)
        self._reader: gitio.BlobReader | None = None

    def files(self) -> list[str]:
        return sorted(path for path, entry in self._entries.items() if entry.mode != "160000")

    def blobs(self) -> dict[str, str]:
        """path -> blob id: what each file is, without reading it."""
        return {path: entry.blob for path, entry in self._entries.items()}

    def read(self, relpath: str) -> bytes:
        path = relpath
        for _ in range(_MAX_LINK_HOPS):
            entry = self._entries.get(path)
            if entry is None:
                raise YamlProblem("yaml/syntax", f"cannot read the file: not in {self.label}", path=relpath)
            data = self._blob(relpath, entry)
            if entry.mode != "120000":
                return data
            target = data.decode("utf-8", "surrogateescape")
            path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if target.startswith("/") or path == ".." or path.startswith("../"):
                raise YamlProblem("yaml/unsafe", "refused: the symlink leads outside the repository",
                                  path=relpath)
        raise YamlProblem("yaml/unsafe", f"refused: more than {_MAX_LINK_HOPS} symlinks in a row", path=relpath)

    def _blob(self, relpath: str, entry: gitio.Entry) -> bytes:
        limit = yamlio.DEFAULT_LIMITS.max_bytes
        if entry.size is not None and entry.size > limit:
            raise _too_large(relpath, entry.size, limit)
        if self._reader is None:
            self._reader = gitio.BlobReader(self.root, max_bytes=limit)
        data = self._reader.read([entry.blob])[entry.blob]
        if isinstance(data, gitio.TooLarge):
            raise _too_large(relpath, data.size, limit)
        if data is None:
            raise YamlProblem("yaml/syntax", f"cannot read the file: object {entry.blob[:10]} is missing "
                              "(a partial clone?)", path=relpath)
        return data

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


def _too_large(relpath: str, size: int, limit: int) -> YamlProblem:
    return YamlProblem("yaml/unsafe", f"refused: the file is {size} bytes, over the {limit}-byte limit",
                       path=relpath)


def _walk(root: Path) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        rel = Path(dirpath).relative_to(root).as_posix()
        for name in filenames:
            out.append(name if rel == "." else f"{rel}/{name}")
    return sorted(out)
