"""A content-addressed cache on disk, outside the linted repo, for work that never changes.

Every key names immutable content: a file's SHA-1 (what it parses to), a git blob id (what an
old version prunes to), a commit id (its first-parent log). A stale entry is impossible, so
there is nothing to invalidate; a damaged cache file is ignored and rewritten. The cache lives in
`$GITOPS_LINT_CACHE_DIR`, else `$XDG_CACHE_HOME/gitops-lint`, else `~/.cache/gitops-lint`;
`GITOPS_LINT_CACHE_DIR=off` (or `--no-cache`) turns it off.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when what is stored changes shape
MAX_ENTRIES = 400_000  # past this the cache starts over: it only ever saves work


def default_dir() -> Path | None:
    configured = os.environ.get("GITOPS_LINT_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in ("", "off", "0", "false", "no") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gitops-lint"


def for_repo(root: Path, enabled: bool = True) -> DiskCache:
    """The cache file of one repository (keys are content digests; the split keeps loads small)."""
    directory = default_dir() if enabled else None
    return DiskCache(directory, f"repo-{digest(str(root.resolve()).encode())[:16]}")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Of the linter's own code and rules: what a file parses to, or prunes to, depends on it, so an
    entry written by another version of gitops-lint is never read (~1 ms, once per run)."""
    package = Path(__file__).parent
    sources = sorted(p for p in package.rglob("*") if p.suffix in (".py", ".yaml", ".json") and p.is_file())
    hasher = hashlib.sha1()
    for path in sources:
        hasher.update(path.relative_to(package).as_posix().encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()[:12]


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


class DiskCache:
    """Entries keyed by content; loaded once, written back once (atomically) when new ones came."""

    def __init__(self, directory: Path | None, namespace: str = "entries") -> None:
        self.directory = directory
        self.namespace = namespace  # one file per repo (or "rules"): a run loads only what it can use
        self._entries: dict[str, Any] | None = None
        self._dirty = False

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def _file(self, name: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{name}-v{FORMAT}-{code_digest()}.bin"

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = self._read(self.namespace) or {}
        return self._entries

    def get(self, key: str) -> Any:
        if not self.enabled:
            return None
        return self._load().get(key)

    def put(self, key: str, value: Any) -> None:
        if self.enabled:
            self._load()[key] = value
            self._dirty = True

    def get_blob(self, name: str) -> Any:
        """A whole stored object of its own (a git log), or None."""
        return self._read(name) if self.enabled else None

    def put_blob(self, name: str, value: Any) -> None:
        if self.enabled:
            self._write(name, value)

    def save(self) -> None:
        if not self.enabled or not self._dirty or self._entries is None:
            return
        entries = self._entries if len(self._entries) <= MAX_ENTRIES else {}
        self._write(self.namespace, entries)
        self._dirty = False

    def _read(self, name: str) -> Any:
        try:
            return marshal.loads(self._file(name).read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None  # missing or damaged: the work is simply done again

    def _write(self, name: str, value: Any) -> None:
        try:
            target = self._file(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".tmp-", delete=False) as handle:
                handle.write(marshal.dumps(value))
            os.replace(handle.name, target)
        except (OSError, ValueError):
            pass  # a cache that cannot be written costs speed, never correctness
