"""The promotion rules asked of one past event, as of its commit: what `check` would have said had
it run right after that commit (untested-tag, soak-time, rebuilt-image, mutable-tag).

The questions are the ones checks/history.py and checks/promotion.py ask of HEAD, with the same
helpers (`State.holds`, `before`, the bootstrap exception, `is_mutable`), over indexed timelines so
a long history costs one pass, not one walk per event."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from gitops_lint import images as images_mod
from gitops_lint.audit.model import Violation, duration, iso
from gitops_lint.checks.history import is_mutable, parse_duration, runs_moving, shown_image, version_of
from gitops_lint.model import Env, Severity
from gitops_lint.rules import Configured
from gitops_lint.timeline import ImageRef, State, Timeline, before

UNTESTED, SOAK, REBUILT, MUTABLE = ("promotion/untested-tag", "promotion/soak-time", "promotion/rebuilt-image",
                                    "promotion/mutable-tag")


class Index:
    """A timeline's states oldest first, and which states hold each tag or digest."""

    def __init__(self, timeline: Timeline) -> None:
        self.states = timeline.states
        self.revision = timeline.revision
        self._by_version: dict[str, list[int]] = {}
        for position, state in enumerate(self.states):
            for image in state.images:
                for key in {image.tag, image.digest} - {""}:
                    found = self._by_version.setdefault(key, [])
                    if not found or found[-1] != position:
                        found.append(position)

    def holding(self, image: ImageRef) -> list[int]:
        """Positions of the states that hold `image` (the same build), oldest first."""
        keys = {image.tag, image.digest} - {""}
        candidates = sorted({p for key in keys for p in self._by_version.get(key, ())})
        return [p for p in candidates if self.states[p].holds(image)]

    def held_before(self, image: ImageRef, moment: State) -> int | None:
        """timeline.held_before: the latest state holding `image` strictly before `moment`."""
        return next((p for p in reversed(self.holding(image)) if before(self.states[p], moment)), None)

    def first(self, image: ImageRef) -> int | None:
        found = self.holding(image)
        return found[0] if found else None

    def run_start(self, position: int, image: ImageRef) -> State:
        """The oldest state of the contiguous run of `image` that the state at `position` belongs to."""
        while position > 0 and self.states[position - 1].holds(image):
            position -= 1
        return self.states[position]

    def as_of(self, moment: State) -> State | None:
        """What the env ran when `moment`'s commit landed (states at the same commit included): a
        binary search, as "after `moment`" only grows along the states."""
        low, high = 0, len(self.states)
        while low < high:
            middle = (low + high) // 2
            if before(moment, self.states[middle]):
                high = middle
            else:
                low = middle + 1
        return self.states[low - 1] if low else None


class Rules(NamedTuple):
    """The configured promotion rules (a rule turned off is not judged)."""

    by_id: dict[str, Configured]
    env_words: frozenset[str]

    def severity(self, rule: str, case: str, env: Env) -> Severity:
        item = self.by_id[rule]
        severity = item.severity_by_case.get(case, item.severity)
        if not env.protected and item.severity_unprotected is not None and severity is not Severity.OFF:
            severity = item.severity_unprotected
        return severity

    def on(self, rule: str) -> bool:
        item = self.by_id.get(rule)
        return item is not None and (item.severity is not Severity.OFF or any(
            s is not Severity.OFF for s in item.severity_by_case.values()))

    def min_soak(self, env: Env) -> tuple[str, int] | None:
        setting = self.by_id[SOAK].params.get("min_soak") if self.on(SOAK) else None
        wanted: Any = setting.get(env.role, setting.get(env.name)) if isinstance(setting, dict) else setting
        return (str(wanted), parse_duration(wanted)) if wanted else None


class Moment(NamedTuple):
    """One event to judge: `image` reached `env` at `state` (the env's first state when `first`)."""

    app: str
    env: Env
    state: State
    image: ImageRef
    first: bool
    path: str | None


def _at(state: State) -> str:
    return f"commit {state.commit[:10]} ({iso(state.time)})"


def judge(rules: Rules, moment: Moment, up_env: Env | None, up: Index | None) -> Iterator[Violation]:
    """Every rule the event broke, as of its commit."""
    env, state, image, app = moment.env, moment.state, moment.image, moment.app
    head = f"{env.name} got {shown_image(image, app)} in {_at(state)}"

    def found(rule: str, case: str, message: str) -> Iterator[Violation]:
        severity = rules.severity(rule, case, env)
        if severity is not Severity.OFF:
            yield Violation(rule, case, severity.value, message, moment.path)

    if is_mutable(image):
        if rules.on(MUTABLE):
            case = "empty" if not image.tag else "placeholder" if images_mod.is_placeholder(image.tag) else "default"
            yield from found(MUTABLE, case, f"{head}: the tag '{image.tag}' names no build and can move without "
                                            "a commit")
        return
    if up is None or up_env is None:
        return
    ran = up.held_before(image, state)
    if ran is None and rules.on(UNTESTED) and not _bootstrap(moment, up) and not _moving_upstream(moment, up):
        later = up.first(image)
        if later is not None and up.states[later].commit == state.commit:
            yield from found(UNTESTED, "same-commit", f"{head}, the same commit that gave it to {up_env.name}: it "
                                                      f"never ran in {up_env.name} before")
        elif later is not None:
            took = duration(up.states[later].time - state.time)
            yield from found(UNTESTED, "after", f"{head}, before {up_env.name} ran it: {up_env.name} only got it in "
                                                f"{_at(up.states[later])}, {took} later")
        else:
            yield from found(UNTESTED, "default", f"{head}, which never ran in {up_env.name} ({up.revision})")
    soak = rules.min_soak(env)
    if ran is not None and soak is not None:
        started = up.run_start(ran, image)
        if state.time - started.time < soak[1]:
            yield from found(SOAK, "default", f"{head}, only {duration(state.time - started.time)} after "
                                              f"{up_env.name} started running it ({_at(started)}); the minimum is "
                                              f"{soak[0]}")
    if rules.on(REBUILT):
        yield from _rebuilt(rules, moment, up_env, up, found, head)


def _bootstrap(moment: Moment, up: Index) -> bool:
    """There since the env's history began, no later than the upstream's: not a promotion."""
    up_first = up.states[0] if up.states else None
    return moment.first and (up_first is None or up_first.holds(moment.image) or not before(up_first, moment.state))


def _moving_upstream(moment: Moment, up: Index) -> bool:
    """The upstream ran this image by a mutable tag (`latest`) then: what it ran cannot be told from
    git, so mutable-tag is the finding, not untested-tag (as `check` judges HEAD)."""
    then = up.as_of(moment.state)
    return then is not None and runs_moving(then.images, moment.image)


def _rebuilt(rules: Rules, moment: Moment, up_env: Env, up: Index, found: Any, head: str) -> Iterator[Violation]:
    """The image is another build of what the upstream ran then, at the same key."""
    then = up.as_of(moment.state)
    image = moment.image
    other = next((i for i in then.images if i.keypath == image.keypath), None) if then is not None else None
    if other is None:
        return
    theirs = f"{up_env.name} ran {shown_image(other, moment.app)}"
    if image.name and other.name and image.name != other.name:
        yield from found(REBUILT, "repository", f"{head}, while {theirs}: another repository means another build")
        return
    word = images_mod.env_named_tag(image.tag, rules.env_words)
    if word and image.tag != other.tag:
        yield from found(REBUILT, "env-tag", f"{head}, a tag named after an env ('{word}'), while {theirs}")
    elif image.tag == other.tag and image.digest and other.digest and image.digest != other.digest:
        yield from found(REBUILT, "digest", f"{head}, the tag {version_of(other)} at another digest than {theirs}")
