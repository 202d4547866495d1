"""The only caller of git. Read-only, never runs anything the linted repo configures.

Every call passes `-c core.fsmonitor=false` (a repo's config could name a program to run) and
`GIT_OPTIONAL_LOCKS=0` (so no command refreshes the index, i.e. writes into the repo).
"""
from __future__ import annotations

import os
import re
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from gitops_lint.errors import GitopsLintError

_SAFE = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "safe.directory=*",
         "-c", "core.quotePath=false")


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


def remote_urls(root: Path) -> list[str]:
    if toplevel(root) is None:
        return []
    out = run(root, "config", "--get-regexp", r"^remote\..*\.url$", check=False).decode("utf-8", "replace")
    return sorted({line.split(None, 1)[1] for line in out.splitlines() if " " in line})


def is_shallow(root: Path) -> bool:
    if toplevel(root) is None:
        return False
    return run(root, "rev-parse", "--is-shallow-repository", check=False).decode().strip() == "true"


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


class Commit(NamedTuple):
    sha: str
    time: int  # committer time, Unix seconds
    changes: dict[str, str | None]  # path -> new blob id (None: deleted), only the paths asked for


def resolve(root: Path, ref: str) -> str | None:
    """The commit a branch, tag, remote branch or SHA names, or None when this clone lacks it."""
    candidates = [ref] if ref.upper() != "HEAD" else ["HEAD"]
    if ref.upper() != "HEAD" and not ref.startswith("refs/"):
        candidates += [f"refs/heads/{ref}", f"refs/tags/{ref}", f"refs/remotes/origin/{ref}"]
    for candidate in candidates:
        out = run(root, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", check=False)
        if out.strip():
            return out.decode().strip()
    return None


def ref_kind(root: Path, ref: str) -> str:
    """'tag', 'branch' or 'commit': how to name a revision in a message."""
    if _exists(root, f"refs/tags/{ref}"):
        return "tag"
    if _exists(root, f"refs/heads/{ref}") or _exists(root, f"refs/remotes/origin/{ref}"):
        return "branch"
    return "commit"


def _exists(root: Path, ref: str) -> bool:
    return bool(run(root, "rev-parse", "--verify", "--quiet", ref, check=False).strip())


def current_branch(root: Path) -> str | None:
    out = run(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).decode().strip()
    return out or None


def head_commit(root: Path) -> str | None:
    return resolve(root, "HEAD")


def log_changes(root: Path, rev: str, paths: set[str]) -> list[Commit]:
    """Commits on `rev`'s first-parent line, oldest first, with the blob ids of `paths` (and of every
    YAML file: an older Application may have used files that are gone now) they change.

    One `git log` for all paths: a merge counts as the moment its changes landed on the branch
    (`--first-parent -m`), with the committer time of the merge.
    """
    # newest first as git streams it (--reverse would make git hold the whole log in memory)
    out = run(root, "log", "--first-parent", "-m", "--raw", "--no-renames", "--no-abbrev",
              "--relative", "--format=%x01%H %ct", rev)
    commits: list[Commit] = []
    current: Commit | None = None
    for line in out.decode("utf-8", "surrogateescape").split("\n"):
        if line.startswith("\x01"):
            sha, _, stamp = line[1:].partition(" ")
            current = Commit(sha, int(stamp), {})
            commits.append(current)
        elif line.startswith(":") and current is not None:
            meta, _, path = line.partition("\t")
            path = _unquote(path)
            if path in paths or path.endswith((".yaml", ".yml")):
                new_blob = meta.split()[3]
                current.changes[path] = None if set(new_blob) == {"0"} else new_blob
    commits.reverse()
    return commits


def _unquote(path: str) -> str:
    if not (path.startswith('"') and path.endswith('"')):
        return path
    raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1")
    return raw.decode("utf-8", "surrogateescape")


class BlobReader:
    """One `git cat-file --batch` process for the whole run, asked for one blob at a time.

    History is read newest first and stops as soon as the question is answered, so blobs are
    fetched on demand instead of all up front.
    """

    def __init__(self, root: Path) -> None:
        self._proc = subprocess.Popen(["git", *_SAFE, "-C", str(root), "cat-file", "--batch"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      env=_env())

    def read(self, blobs: list[str]) -> dict[str, bytes | None]:
        """Several blobs in one round trip (requests are small, so writing them all cannot block)."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        out: dict[str, bytes | None] = {}
        for start in range(0, len(blobs), 256):
            chunk = blobs[start:start + 256]
            self._proc.stdin.write("".join(f"{blob}\n" for blob in chunk).encode())
            self._proc.stdin.flush()
            for blob in chunk:
                header = self._proc.stdout.readline().decode().split()
                if len(header) < 3 or header[1] != "blob":
                    out[blob] = None  # "<id> missing": a shallow or partial clone
                    continue
                out[blob] = self._proc.stdout.read(int(header[2]))
                self._proc.stdout.read(1)  # the newline after each object
        return out

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc.wait()
