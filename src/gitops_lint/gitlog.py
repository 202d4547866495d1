"""First-parent history as git prints it: `git log --raw` and `git diff-tree --raw`, parsed into
commits with the blob ids of the paths history follows. git itself runs through gitio.run."""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from gitops_lint.gitio import run


class Commit(NamedTuple):
    sha: str
    time: int  # committer time, Unix seconds
    changes: dict[str, str | None]  # path -> new blob id (None: deleted), only the paths asked for
    parents: tuple[str, ...] = ()
    subject: str = ""
    renames: dict[str, str] | None = None  # new path -> old path, for exact renames (`git mv`)


def log_changes(root: Path, rev: str, paths: set[str]) -> list[Commit]:
    """Commits on `rev`'s first-parent line, oldest first, with the blob ids of `paths` (and of every
    YAML file: an older Application may have used files that are gone now) they change.

    One `git log` for all paths: a merge counts as the moment its changes landed on the branch
    (`--first-parent -m`), with the committer time of the merge. Exact renames (`git mv`: a path
    deleted and another added with the same blob) are recorded so history follows them.
    """
    # newest first as git streams it (--reverse would make git hold the whole log in memory)
    out = run(root, "log", "--first-parent", "-m", "--raw", "--no-renames", "--no-abbrev",
              "--relative", "--format=%x01%H %ct %P%x02%s", "--end-of-options", rev, "--")
    commits: list[Commit] = []
    current: Commit | None = None
    gone: dict[str, str] = {}  # old blob -> deleted path, in the current commit
    for line in out.decode("utf-8", "surrogateescape").split("\n"):
        if line.startswith("\x01"):
            head, _, subject = line[1:].partition("\x02")
            sha, stamp, *parents = head.split(" ")
            current = Commit(sha, int(stamp), {}, tuple(p for p in parents if p), subject)
            commits.append(current)
            gone = {}
        elif line.startswith(":") and current is not None:
            commits[-1] = current = _record(current, line, paths, gone)
    commits.reverse()
    return commits


def diff_changes(root: Path, parent: str, commit: str, paths: set[str]) -> dict[str, str | None]:
    """What `commit` changes against `parent` (for a merge read along its second parent)."""
    out = run(root, "diff-tree", "-r", "--raw", "--no-renames", "--no-abbrev", "--relative", parent, commit, "--")
    found = Commit(commit, 0, {})
    for line in out.decode("utf-8", "surrogateescape").split("\n"):
        if line.startswith(":"):
            found = _record(found, line, paths, {})
    return found.changes


def _record(commit: Commit, line: str, paths: set[str], gone: dict[str, str]) -> Commit:
    """One `--raw` line into the commit's changes (and exact renames)."""
    meta, _, path = line.partition("\t")
    path = _unquote(path)
    fields = meta.split()
    old_blob, new_blob = fields[2], fields[3]
    if set(new_blob) == {"0"}:
        gone[old_blob] = path
    if path in paths or path.endswith((".yaml", ".yml")):
        commit.changes[path] = None if set(new_blob) == {"0"} else new_blob
    if set(old_blob) == {"0"} and new_blob in gone and path in commit.changes:
        if commit.renames is None:
            commit = commit._replace(renames={})
        commit.renames[path] = gone[new_blob]  # type: ignore[index]
    return commit


def _unquote(path: str) -> str:
    if not (path.startswith('"') and path.endswith('"')):
        return path
    raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1")
    return raw.decode("utf-8", "surrogateescape")
