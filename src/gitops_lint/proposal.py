"""The commit under test, as a proposed future on top of each watched branch.

For an env that watches branch B, its past is B's first-parent history (as the remote has it).
If the change under test lands on B, whatever it adds on top of B's tip lands at one instant,
"now": the files it changed since it forked from B (merge-base), plus the uncommitted or staged
edits. Files it did not touch are B's, so a pull request whose base moved on is judged against the
new base. The change lands on the `--base` branch; else on the checked-out branch when an env
watches it (a release branch); else on the default branch (a feature branch, or a detached CI
checkout, lands there by a pull request) — for a CI merge commit, on the branch whose tip is its
first parent. Envs that watch another branch, a tag or a commit are not moved by it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from gitops_lint import gitio
from gitops_lint.revisions import Resolver, Watched

_LOCAL_LABELS = {"worktree": "the working tree (not committed yet)",
                 "index": "the staged changes (not committed yet)"}


class Proposal:
    def __init__(self, root: Path, kind: str, commit: str | None, files: dict[str, Any],
                 resolver: Resolver) -> None:
        self.root = root
        self.kind = kind  # the snapshot's kind: "worktree", "index" or "commit"
        self.head = commit if kind == "commit" else gitio.head_commit(root)
        self._resolver = resolver
        self._lands_on: str | None | bool = None if kind == "commit" else False  # False: not decided yet
        self._files = files  # path -> parsed data in the snapshot (absent: not there)
        self._local: set[str] | None = None
        self._changed: dict[str, set[str] | None] = {}

    def changed(self, watched: Watched) -> set[str] | None:
        """Paths the change under test sets differently from the watched revision's tip; None: every
        path (nothing is committed yet, or the two share no history). Empty when it does not land there."""
        if not watched.moves or watched.name != self._lands_on:
            return set()
        tip = watched.tip
        if tip not in self._changed:
            self._changed[tip] = self._compute(tip)
        return self._changed[tip]

    def watching(self, branches: set[str]) -> None:
        """Told which branches the envs watch, decide where the change lands."""
        if self._lands_on is False:
            self._lands_on = _target(self.root, self.head, self._resolver, branches)

    def _compute(self, tip: str) -> set[str] | None:
        if self.head is None:
            return None
        local = self._local_changes()
        if tip == self.head:
            return local
        fork = gitio.merge_base(self.root, tip, self.head)
        if fork is None:
            return None
        return local | (gitio.changed_paths(self.root, fork, self.head) if fork != self.head else set())

    def _local_changes(self) -> set[str]:
        if self._local is None:
            assert self.head is not None
            if self.kind == "worktree":
                self._local = gitio.changed_paths(self.root, self.head) | gitio.untracked(self.root)
            elif self.kind == "index":
                self._local = gitio.changed_paths(self.root, self.head, cached=True)
            else:
                self._local = set()
        return self._local

    def data(self, path: str) -> Any:
        return self._files.get(path)

    def label(self, tip: str, watched: str) -> str:
        """How a message names the proposed state on the line whose tip is `tip`."""
        if self.head is None or (tip == self.head and self.kind in _LOCAL_LABELS):
            return _LOCAL_LABELS.get(self.kind, "this change")
        local = {"index": " and the staged changes", "worktree": " and the uncommitted edits"}.get(self.kind, "")
        return f"this change (HEAD {self.head[:10]}{local if self._local_changes() else ''}, not on {watched} yet)"


def _target(root: Path, head: str | None, resolver: Resolver, watched: set[str]) -> str | None:
    """The branch the change under test lands on."""
    if resolver.base is not None:
        if resolver.base.kind == "branch":
            return resolver.base.name
        default = resolver.default_branch()
        return default.name if default else None
    branch = gitio.current_branch(root)
    if branch is not None and (branch in watched or head is None):
        return branch
    parents = gitio.run(root, "rev-list", "--parents", "-n", "1", head, check=False).decode().split()[1:] \
        if branch is None and head is not None else []
    if len(parents) > 1:  # a CI merge commit (refs/pull/N/merge): its first parent is the target's tip
        for ref, sha in sorted(resolver.refs.items()):
            if sha == parents[0] and ref.startswith(("refs/remotes/", "refs/heads/")) and not ref.endswith("/HEAD"):
                return ref.split("/", 3)[3] if ref.startswith("refs/remotes/") else ref[len("refs/heads/"):]
    default = resolver.default_branch()
    return default.name if default else None
