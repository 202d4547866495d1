"""Deployment timelines: what each app x env ran, commit by commit, on the revision it watches.

Built from one `git log` per watched revision and one `git cat-file --batch` for every file
version the envs use. Each version is parsed once (no positions) and pruned to the keys that
define images, so memory stays small on long histories. The working tree is the newest state
of the checked-out branch ("now"), so a pre-commit run judges the change being committed.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint import gitio, images, yamlio
from gitops_lint.errors import YamlProblem
from gitops_lint.model import Deployment, Image
from gitops_lint.values import merge

WORKING_TREE = "working tree"
_LEAF_KEYS = frozenset({"repository", "tag", "digest", "sha", "registry", "name", "image_tag", "imageTag",
                        "newName", "newTag"})


class ImageRef(NamedTuple):
    keypath: str
    name: str  # normalised registry/repository ('' when only a tag is known)
    tag: str
    digest: str

    @property
    def identity(self) -> str:
        """What must match for two envs to run the same build: the digest when pinned."""
        return self.digest if self.digest else f"{self.name}:{self.tag}"

    def same_build(self, other: ImageRef) -> bool:
        if self.digest or other.digest:
            return bool(self.digest) and self.digest == other.digest
        if not self.name or not other.name:  # a bare tag file: compare tags
            return self.tag == other.tag
        return self.name == other.name and self.tag == other.tag


class State(NamedTuple):
    commit: str  # a SHA, or WORKING_TREE
    time: int
    images: tuple[ImageRef, ...]

    def holds(self, image: ImageRef) -> bool:
        return any(image.same_build(other) for other in self.images)


class Timeline(NamedTuple):
    revision: str  # as the Application names it ("main", "v1.4.0", "HEAD")
    states: tuple[State, ...]  # oldest first; a new state only when the images change


def ref_of(image: Image) -> ImageRef:
    return ImageRef(yamlio.format_keypath(image.keypath), images.normalized_name(image) if image.repository else "",
                    image.tag, image.digest)


def prune(node: Any) -> Any:
    """Keep only what can define an image (and nulls, which delete keys when merged)."""
    if isinstance(node, dict):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            if value is None or (key in _LEAF_KEYS and not isinstance(value, (dict, list))):
                out[key] = value
            elif isinstance(value, str) and images.is_image_key(key):
                out[key] = value
            elif isinstance(value, (dict, list)):
                kept = prune(value)
                if kept:
                    out[key] = kept
        return out
    if isinstance(node, list):
        kept_items = [prune(item) if isinstance(item, (dict, list)) else None for item in node]
        return kept_items if any(kept_items) else []
    return node


class HistoryStore:
    """Timelines for every deployment of a model, computed on first use, revision by revision."""

    def __init__(self, root: Path, *, tracked: set[str], current_branch_files: dict[str, Any],
                 head: str | None = None, chart_versions: bool = True) -> None:
        self.root = root
        self._tracked = tracked  # every file any env's values come from
        self.notices: list[str] = []
        self._current = current_branch_files  # path -> parsed working-tree data (the newest state)
        self._head = gitio.resolve(root, head) if head else gitio.head_commit(root)
        self._head_name = head
        self._logs: dict[str, list[gitio.Commit]] = {}
        self._pruned: dict[str | None, Any] = {None: None}
        self._timelines: dict[tuple[Any, ...], Timeline] = {}
        self._now = int(time.time())
        self._chart_versions = chart_versions

    def revision(self, dep: Deployment) -> tuple[str, str | None]:
        """(revision as named, commit) the env watches; the checked-out branch when unknown."""
        named = (dep.revision or "HEAD").strip() or "HEAD"
        if named.upper() == "HEAD":
            branch = self._head_name or gitio.current_branch(self.root)
            return (f"branch {branch}" if branch else "HEAD"), self._head
        sha = gitio.resolve(self.root, named)
        if sha is None:
            self.notices.append(f"{dep.app}/{dep.env.name}: revision {named!r} is not in this clone; "
                                "its history is read from the checked-out branch instead")
            return f"{named} (not found; read HEAD)", self._head
        return f"{gitio.ref_kind(self.root, named)} {named}", sha

    def timeline(self, dep: Deployment, *, chart_file: str | None) -> Timeline:
        key = (dep.app, dep.env.name, dep.value_files, chart_file)
        if key not in self._timelines:
            self._timelines[key] = self._build(dep, chart_file)
        return self._timelines[key]

    def _build(self, dep: Deployment, chart_file: str | None) -> Timeline:
        named, sha = self.revision(dep)
        if sha is None:
            return Timeline(named, ())
        paths = list(dep.value_files) + ([chart_file] if chart_file else [])
        commits = self._log(sha)
        blobs: dict[str, str | None] = {}
        states: list[State] = []
        for commit in commits:
            touched = [p for p in paths if p in commit.changes]
            if not touched and states:
                continue
            for path in touched:
                blobs[path] = commit.changes[path]
            if not any(blobs.get(p) for p in dep.value_files):
                continue
            found = self._images([self._pruned.get(blobs.get(p)) for p in dep.value_files],
                                 self._pruned.get(blobs.get(chart_file)) if chart_file else None)
            if not states or found != states[-1].images:
                states.append(State(commit.sha, commit.time, found))
        if sha == self._head and all(p in self._current for p in dep.value_files):
            found = self._images([prune(self._current[p]) for p in dep.value_files],
                                 prune(self._current.get(chart_file)) if chart_file else None)
            if not states or found != states[-1].images:
                last = states[-1].time if states else 0
                states.append(State(WORKING_TREE, max(self._now, last + 1), found))
        return Timeline(named, tuple(states))

    def _log(self, sha: str) -> list[gitio.Commit]:
        if sha not in self._logs:
            commits = gitio.log_changes(self.root, sha, self._tracked)
            wanted = {blob for c in commits for blob in c.changes.values() if blob and blob not in self._pruned}
            for blob, data in gitio.read_blobs(self.root, wanted):
                self._pruned[blob] = _parse(data)
            self._logs[sha] = commits
        return self._logs[sha]

    def _images(self, layers: list[Any], chart: Any) -> tuple[ImageRef, ...]:
        merged: Any = {}
        for layer in layers:
            if isinstance(layer, dict):
                merged = merge(merged, layer)
        version = chart.get("appVersion") if isinstance(chart, dict) and self._chart_versions else None
        found = []
        for image in images.find_images(merged):
            if not image.tag and not image.digest and image.kind == "mapping" and version not in (None, ""):
                image = image._replace(tag=str(version))
            found.append(ref_of(image))
        return tuple(sorted(set(found)))


def _parse(data: bytes) -> Any:
    try:
        return prune(yamlio.load_text(yamlio.decode(data, "<history>"), "<history>", positions=False).data)
    except YamlProblem:
        return None  # a version that did not parse ran nothing we can know


def arrival(timeline: Timeline, image: ImageRef) -> int | None:
    """Index of the state that brought `image` in for its current run (the latest run's start)."""
    states = timeline.states
    if not states or not states[-1].holds(image):
        return None
    index = len(states) - 1
    while index > 0 and states[index - 1].holds(image):
        index -= 1
    return index


def runs(timeline: Timeline, image: ImageRef) -> Iterator[State]:
    return (state for state in timeline.states if state.holds(image))
