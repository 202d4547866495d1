"""A watched revision's first-parent line: the commits that changed the files history follows, read
once per tip (cached on disk), indexed by path and commit, with `git pull` merges straightened out
where the remote-tracking branch's reflog says how."""
from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import NamedTuple

from gitops_lint import gitio, gitlog
from gitops_lint.cache import DiskCache, digest
from gitops_lint.revisions import Watched

_FOXTROT = re.compile(r"^Merge (?:branch '(?P<b>[^']+)' of |remote-tracking branch '[^/']+/(?P<r>[^']+)')")


class Line(NamedTuple):
    """A watched revision's first-parent history, oldest first."""

    watched: Watched
    commits: list[gitlog.Commit]
    by_path: dict[str, list[int]]  # path -> positions of the commits that change it
    index: dict[str, int]  # sha -> position
    times: list[int]  # committer times, made non-decreasing along the line


class LineReader:
    def __init__(self, root: Path, tracked: set[str], disk: DiskCache, notices: list[str]) -> None:
        self.root = root
        self._tracked = tracked
        self._disk = disk
        self.notices = notices

    def read(self, watched: Watched) -> Line:
        """The first-parent log of a revision (cached on disk by its tip), indexed by path and commit."""
        extra = sorted(p for p in self._tracked if not p.endswith((".yaml", ".yml")))
        name = f"log2-{watched.tip}-{digest(chr(0).join(extra).encode())[:12]}"
        stored = self._disk.get_blob(name)
        if stored is not None:
            commits = [gitlog.Commit(*fields) for fields in stored]
        else:
            commits = gitlog.log_changes(self.root, watched.tip, self._tracked)
            self._disk.put_blob(name, [tuple(c) for c in commits])
        if watched.ref and watched.ref.startswith("refs/remotes/"):
            commits = self._unfoxtrot(commits, set(gitio.reflog(self.root, watched.ref)))
        by_path: dict[str, list[int]] = {}
        times: list[int] = []
        for index, commit in enumerate(commits):
            times.append(max(commit.time, times[-1]) if times else commit.time)
            for path in commit.changes:
                by_path.setdefault(path, []).append(index)
        self._note_foxtrots(watched, commits)
        return Line(watched, commits, by_path, {c.sha: i for i, c in enumerate(commits)}, times)

    def _unfoxtrot(self, commits: list[gitlog.Commit], tips: set[str]) -> list[gitlog.Commit]:
        """Follow the remote's line through `git pull` merges: where a merge's second parent was a tip
        of the remote-tracking branch (its reflog says so) and its first parent never was, the second
        parent is the line the remote had; the merge then brings the local side's changes."""
        for position in range(len(commits) - 1, -1, -1):
            merge = commits[position]
            if len(merge.parents) > 1 and merge.parents[1] in tips and merge.parents[0] not in tips:
                local, remote = merge.parents[0], merge.parents[1]
                brought = gitlog.diff_changes(self.root, remote, merge.sha, self._tracked)
                older = self._unfoxtrot(gitlog.log_changes(self.root, remote, self._tracked), tips)
                fixed = merge._replace(changes=brought, parents=(remote, local), subject="")
                return older + [fixed] + commits[position + 1:]
        return commits

    def _note_foxtrots(self, watched: Watched, commits: list[gitlog.Commit]) -> None:
        """A `git pull` merge of a branch into itself puts the local line first: say the order near it
        is ambiguous rather than assert one."""
        if not watched.moves:
            return
        for commit in reversed(commits):
            match = _FOXTROT.match(commit.subject) if len(commit.parents) > 1 else None
            if match and (match.group("b") or match.group("r")) == watched.name:
                self.notices.append(
                    f"{watched.shown}: merge {commit.sha[:10]} ('{commit.subject[:80]}') joined a local line into "
                    f"{watched.name} (a `git pull` merge), so which of its two lines ran first is ambiguous; "
                    "promotion order across it is read along its first parent. Prefer `git pull --rebase`")
                return


def blob_at(line: Line, index: int, path: str) -> str | None:
    """The path's blob as of commit `index`: its last change at or before it."""
    indexes = line.by_path.get(path, [])
    position = bisect.bisect_right(indexes, index)
    return line.commits[indexes[position - 1]].changes[path] if position else None
