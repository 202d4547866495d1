"""The only caller of git. Read-only, never runs anything the linted repo configures.

Every call passes `-c core.fsmonitor=false` and `core.hooksPath=/dev/null` (a repo's config could
name a program to run) and `GIT_OPTIONAL_LOCKS=0` (so no command refreshes the index, i.e. writes
into the repo); `git diff` against the work tree refreshes the index regardless, so it runs on a
private copy of it (`GIT_INDEX_FILE`). File contents are read as git objects (`cat-file`), never through `archive`,
`checkout` or `show`, so no filter, textconv or smudge driver a repo names can run. There is no
`safe.directory=*`: git's ownership check stays on, and a refusal is reported with its fix.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from gitops_lint.errors import GitopsLintError

_SAFE = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.quotePath=false",
         "-c", "diff.external=", "-c", "core.pager=cat")


class GitError(GitopsLintError):
    exit_code = 2


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C", **(extra or {}))
    return env


def run(root: Path, *args: str, check: bool = True, input_bytes: bytes | None = None,
        extra_env: dict[str, str] | None = None) -> bytes:
    try:
        proc = subprocess.run(["git", *_SAFE, "-C", str(root), *args], input=input_bytes,
                              capture_output=True, env=_env(extra_env), check=False)
    except FileNotFoundError:
        raise GitError("git is not installed; history rules need it (or pass --no-history)") from None
    if b"dubious ownership" in proc.stderr:
        raise GitError(f"git refuses to read {root}: it is owned by another user. Mark it as safe for this "
                       f"user (git config --global --add safe.directory {root}; actions/checkout does this)")
    if check and proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {detail[-1] if detail else proc.returncode}")
    return proc.stdout


@lru_cache(maxsize=16)
def toplevel(root: Path) -> Path | None:
    """The work tree that holds `root`, or None when it is not in a git work tree."""
    try:
        out = run(root, "rev-parse", "--show-toplevel", check=False).decode().strip()
    except GitError:
        return None
    return Path(out) if out else None


def list_files(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files under `root`, relative to it; None outside git."""
    if toplevel(root) is None:
        return None
    out = run(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".")
    names = {name for name in out.decode("utf-8", "surrogateescape").split("\0") if name}
    return sorted(name for name in names if (root / name).is_file() or (root / name).is_symlink())


def local_tags(root: Path) -> frozenset[str]:
    if toplevel(root) is None:
        return frozenset()
    out = run(root, "tag", "--list", check=False).decode("utf-8", "replace")
    return frozenset(out.split())


_SCP = re.compile(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+)$")


def normalize_url(url: str) -> str:
    """Compare repo URLs loosely: scheme, user, port, `.git` and case do not matter."""
    text = url.strip().rstrip("/")
    match = _SCP.match(text)
    if match and "://" not in text:
        host, path = match.groups()
    else:
        text = re.sub(r"^[a-z+]+://", "", text, flags=re.I)
        text = text.split("@", 1)[-1]
        host, _, path = text.partition("/")
        host = host.split(":", 1)[0]
    path = re.sub(r"\.git$", "", path.strip("/"))
    return f"{host.lower()}/{path.lower()}"


def init_repo(root: Path) -> None:
    """Create a repository for the demo (the only writing git call, and never on a linted repo)."""
    run(root, "init", "-q", "-b", "main")
    run(root, "config", "user.name", "gitops-lint demo")
    run(root, "config", "user.email", "demo@gitops-lint.invalid")


def commit_all(root: Path, message: str, when: str) -> None:
    """Commit every change with author and committer date `when` (ISO 8601)."""
    run(root, "add", "-A")
    run(root, "commit", "-q", "--no-verify", "-m", message,
        extra_env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})


def resolve(root: Path, rev: str) -> str | None:
    """The commit any revision expression names (`origin/main`, `HEAD~1`, a SHA), or None."""
    if rev.startswith("-"):
        return None  # never an option
    out = run(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
    return out.decode().strip() or None


def refs(root: Path) -> dict[str, str]:
    """Every ref -> the commit it names (annotated tags peeled)."""
    out = run(root, "for-each-ref", "--format=%(objectname) %(*objectname) %(refname)", check=False)
    found: dict[str, str] = {}
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3:
            found[parts[2]] = parts[1] or parts[0]
    return found


def remotes(root: Path) -> dict[str, str]:
    """Remote name -> its fetch URL."""
    out = run(root, "config", "--get-regexp", r"^remote\..*\.url$", check=False).decode("utf-8", "replace")
    found = {}
    for line in out.splitlines():
        key, _, url = line.partition(" ")
        found[key[len("remote."):-len(".url")]] = url
    return found


def remote_urls(root: Path) -> list[str]:
    return sorted(set(remotes(root).values())) if toplevel(root) is not None else []


def is_shallow(root: Path) -> bool:
    if toplevel(root) is None:
        return False
    return run(root, "rev-parse", "--is-shallow-repository", check=False).decode().strip() == "true"


def current_branch(root: Path) -> str | None:
    out = run(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).decode().strip()
    return out or None


def head_commit(root: Path) -> str | None:
    return resolve(root, "HEAD")


def merge_base(root: Path, a: str, b: str) -> str | None:
    out = run(root, "merge-base", a, b, check=False).decode().strip()
    return out.split()[0] if out else None


def changed_paths(root: Path, *revs: str, cached: bool = False) -> set[str]:
    """Paths that differ between two commits, a commit and the index (`cached`), or a commit and
    the work tree (one rev) — names only, so no diff driver or textconv runs."""
    args = ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv", "--relative"]
    if cached or len(revs) != 1:
        out = run(root, *args, *(["--cached"] if cached else []), *revs, "--")
    else:
        with _scratch_index(root) as env:  # against the work tree, `git diff` rewrites the index it
            out = run(root, *args, *revs, "--", extra_env=env)  # refreshes, whatever GIT_OPTIONAL_LOCKS says
    return {name for name in out.decode("utf-8", "surrogateescape").split("\0") if name}


@contextlib.contextmanager
def _scratch_index(root: Path) -> Iterator[dict[str, str]]:
    """A private copy of the repo's index for a command that may refresh it (found by the fuzz run:
    files whose stat info changed made `git diff HEAD` write .git/index)."""
    where = run(root, "rev-parse", "--git-path", "index", check=False).decode("utf-8", "surrogateescape").strip()
    index = Path(where) if os.path.isabs(where) else root / where
    with tempfile.TemporaryDirectory(prefix="gitops-lint-index-") as scratch:
        copy = Path(scratch) / "index"
        try:
            if where and stat.S_ISREG(os.stat(index).st_mode):
                shutil.copy2(index, copy)  # its mtime too: git's racy-clean check compares entries with it
        except OSError:
            pass
        yield {"GIT_INDEX_FILE": str(copy)} if copy.is_file() else {}


def staged_changes(root: Path) -> list[tuple[str, str]] | None:
    """(status letter, path) of what the index changes against HEAD; None before the first commit."""
    if head_commit(root) is None:
        return None
    out = run(root, "diff", "--cached", "--name-status", "-z", "--no-renames", "--relative", "HEAD", "--")
    parts = out.decode("utf-8", "surrogateescape").split("\0")
    return [(parts[i][:1], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]


def untracked(root: Path) -> set[str]:
    out = run(root, "ls-files", "-z", "--others", "--exclude-standard", "--", ".")
    return {name for name in out.decode("utf-8", "surrogateescape").split("\0") if name}


class Entry(NamedTuple):
    mode: str  # "100644", "100755", "120000" (symlink), "160000" (submodule)
    blob: str
    size: int | None


def tree_entries(root: Path, rev: str) -> dict[str, Entry]:
    """The files of a commit under `root`, relative to it, from the object database."""
    out = run(root, "ls-tree", "-r", "-l", "-z", "--end-of-options", rev, "--", ".")
    entries = {}
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = record.partition("\t")
        parts = meta.split()
        if len(parts) == 4 and parts[1] == "blob":
            entries[path] = Entry(parts[0], parts[2], int(parts[3]) if parts[3].isdigit() else None)
    return entries


def index_entries(root: Path) -> dict[str, Entry]:
    """The staged files under `root` (stage 0; unmerged paths are left out)."""
    out = run(root, "ls-files", "-s", "-z", "--", ".")
    entries = {}
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = record.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[2] == "0" and parts[0] != "160000":
            entries[path] = Entry(parts[0], parts[1], None)
    return entries


def reflog(root: Path, ref: str) -> list[str]:
    """Commits a ref has pointed at, newest first ([] when git kept no reflog, e.g. in CI clones)."""
    out = run(root, "reflog", "show", "--format=%H", "--end-of-options", ref, "--", check=False)
    return out.decode().split()


class TooLarge(NamedTuple):
    size: int


class BlobReader:
    """One `git cat-file --batch` process for the whole run, asked for one blob at a time.

    History is read newest first and stops as soon as the question is answered, so blobs are
    fetched on demand instead of all up front. A blob over `max_bytes` is skipped unread (in
    chunks, never held whole) and answered with its size.
    """

    def __init__(self, root: Path, max_bytes: int = 4 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._proc = subprocess.Popen(["git", *_SAFE, "-C", str(root), "cat-file", "--batch"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      env=_env())

    def read(self, blobs: list[str]) -> dict[str, bytes | TooLarge | None]:
        """Several blobs in one round trip (requests are small, so writing them all cannot block)."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        out: dict[str, bytes | TooLarge | None] = {}
        for start in range(0, len(blobs), 256):
            chunk = blobs[start:start + 256]
            self._proc.stdin.write("".join(f"{blob}\n" for blob in chunk).encode())
            self._proc.stdin.flush()
            for blob in chunk:
                header = self._proc.stdout.readline().decode().split()
                if len(header) < 3 or header[1] != "blob":
                    out[blob] = None  # "<id> missing": a shallow or partial clone
                    continue
                size = int(header[2])
                if size > self.max_bytes:
                    self._skip(size + 1)
                    out[blob] = TooLarge(size)
                    continue
                out[blob] = self._proc.stdout.read(size)
                self._proc.stdout.read(1)  # the newline after each object
        return out

    def _skip(self, count: int) -> None:
        assert self._proc.stdout is not None
        while count > 0:
            count -= len(self._proc.stdout.read(min(count, 1 << 20)) or b"\0" * count)

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc.wait()
