"""What each env ran over time: image references, states, timelines, and the questions the
promotion rules ask of them. Built by history.HistoryStore from git; read newest first.

"Before" is decided by the commit graph: two states on one first-parent line compare by their
position on it, so clock skew cannot flip an order. Committer times (made non-decreasing along
each line) are used only where two lines share no commit, and for durations. The change under
test (`PROPOSED`) comes after every commit, at one instant: two envs it moves together moved at
the same moment.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from gitops_lint import images, yamlio
from gitops_lint.model import Image

PROPOSED = "proposed"
LEAF_KEYS = frozenset({"repository", "tag", "digest", "sha", "registry", "name", "image_tag", "imageTag",
                       "newName", "newTag", "appVersion"})


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
        if not self.name and not other.name:  # bare tags (API_DOCKER_TAG, ADMIN_DOCKER_TAG): one image per key
            return self.tag == other.tag and self.keypath == other.keypath
        if not self.name or not other.name:  # a bare tag file: compare tags
            return self.tag == other.tag
        return self.name == other.name and self.tag == other.tag


class State(NamedTuple):
    commit: str  # a SHA, or PROPOSED
    time: int  # committer time, non-decreasing along the line; "now" for a proposal
    images: tuple[ImageRef, ...]
    order: int = 0  # position on its line, oldest first; a proposal comes after every commit
    line: Any = None  # the line it was read on: anything with `index: dict[sha, position]`
    label: str = ""  # how a message names a proposal ("this change (…)")

    def holds(self, image: ImageRef) -> bool:
        return any(image.same_build(other) for other in self.images)


def before(a: State, b: State) -> bool:
    """`a` happened strictly before `b`: by position on a first-parent line both lie on, else by time."""
    if a.commit == PROPOSED or a.commit == b.commit:
        return False
    if b.commit == PROPOSED:
        return True
    for line in (b.line, a.line):
        index = getattr(line, "index", None)
        if index is not None and a.commit in index and b.commit in index:
            return bool(index[a.commit] < index[b.commit])
    return a.time < b.time


class Timeline:
    """What one env ran, newest first, computed only as far back as a question needs.

    A state starts at the commit where the env's images last changed. `newest()` walks back
    lazily (parsing each file version on first use); `states` materialises the whole history.
    """

    def __init__(self, revision: str, versions: Iterator[State]) -> None:
        self.revision = revision  # as the Application names it ("branch main", "tag v1.4.0")
        self._versions = versions  # one per change, newest first
        self._states: list[State] = []  # newest first, runs of equal images folded
        self._pending: State | None = None
        self._done = False

    def newest(self) -> Iterator[State]:
        index = 0
        while True:
            while index >= len(self._states) and not self._done:
                self._advance()
            if index >= len(self._states):
                return
            yield self._states[index]
            index += 1

    def _advance(self) -> None:
        """Fold the next run of versions with the same images into one state (its oldest commit)."""
        run = self._pending or next(self._versions, None)
        self._pending = None
        if run is None:
            self._done = True
            return
        for older in self._versions:
            if older.images != run.images:
                self._pending = older
                break
            run = older
        else:
            self._done = True
        self._states.append(run)

    @property
    def states(self) -> tuple[State, ...]:
        """Every state, oldest first (walks the whole history)."""
        return tuple(reversed(list(self.newest())))

    def latest(self) -> State | None:
        return next(self.newest(), None)

    def oldest(self) -> State | None:
        """The first state (walks the whole history)."""
        found = None
        for found in self.newest():
            pass
        return found


def ref_of(image: Image) -> ImageRef:
    return ImageRef(yamlio.format_keypath(image.keypath), images.normalized_name(image) if image.repository else "",
                    image.tag, image.digest)


def prune(node: Any, extra: frozenset[str] = frozenset()) -> Any:
    """Keep only what can define an image (and nulls, which delete keys when merged); `extra`: more
    leaf keys that do (learned from a render: `image_version`)."""
    if isinstance(node, dict):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            if value is None or ((key in LEAF_KEYS or key in extra or images.is_tag_only_key(key))
                                 and not isinstance(value, (dict, list))):
                out[key] = value
            elif isinstance(value, str) and images.is_image_key(key):
                out[key] = value
            elif isinstance(value, (dict, list)):
                kept = prune(value, extra)
                if kept:
                    out[key] = kept
        return out
    if isinstance(node, list):
        kept_items = [prune(item, extra) if isinstance(item, (dict, list)) else None for item in node]
        return kept_items if any(kept_items) else []
    return node


def arrival(timeline: Timeline, image: ImageRef) -> State | None:
    """The state that brought `image` in for its current run (walking back while it is held)."""
    brought = None
    for state in timeline.newest():
        if not state.holds(image):
            break
        brought = state
    return brought


def held_before(timeline: Timeline, image: ImageRef, moment: State) -> State | None:
    """The latest state that held `image` and started strictly before the state `moment`."""
    return next((s for s in timeline.newest() if s.holds(image) and before(s, moment)), None)


def first_holding(timeline: Timeline, image: ImageRef) -> State | None:
    """The oldest state that held `image` (walks the whole history)."""
    found = None
    for state in timeline.newest():
        if state.holds(image):
            found = state
    return found
