"""Promotion events of one app: every commit at which an env started running a version, judged as
of that commit, with its lead, hop and soak times; and where adjacent envs stand (drift).

The timelines are the ones `check` reads (`RepoModel.timeline`: the revision each env watches,
first-parent, the files its Application wired at the time); the change under test (uncommitted
edits, `PROPOSED`) is not history and is left out."""
from __future__ import annotations

from typing import Any

from gitops_lint.audit.judge import Index, Moment, Rules, judge
from gitops_lint.audit.model import AppHistory, Drift, Event
from gitops_lint.checks.history import image_location, is_mutable, running_keys, shown_image, version_of
from gitops_lint.model import Deployment
from gitops_lint.repo import AppModel, RepoModel
from gitops_lint.timeline import PROPOSED, ImageRef, State, before


def app_events(model: RepoModel, app: AppModel, rules: Rules, repo: str, as_of: int) -> tuple[list[Event], AppHistory]:
    deps = list(app.deployments)
    indexes = [Index(_committed(model, dep)) for dep in deps]
    events: list[Event] = []
    for position, dep in enumerate(deps):
        up = model.upstream(dep)
        up_at = next((i for i, d in enumerate(deps) if d is up), None)
        events += _env_events(model, deps, indexes, position, up_at, rules, repo)
    drift = tuple(_drift(deps[i - 1].env.name, indexes[i - 1], dep.env.name, indexes[i], as_of)
                  for i, dep in enumerate(deps) if i and model.upstream(dep) is deps[i - 1])
    envs = tuple((d.env.name, d.env.role, d.env.production) for d in deps)
    return events, AppHistory(repo, app.name, envs, drift)


class _Committed:
    """A timeline without the change under test: the audit judges what git recorded."""

    def __init__(self, timeline: Any) -> None:
        self.revision = timeline.revision
        self.states = tuple(s for s in timeline.states if s.commit != PROPOSED)


def _committed(model: RepoModel, dep: Deployment) -> Any:
    return _Committed(model.timeline(dep))


def _env_events(model: RepoModel, deps: list[Deployment], indexes: list[Index], position: int, up_at: int | None,
                rules: Rules, repo: str) -> list[Event]:
    dep, index = deps[position], indexes[position]
    up_dep, up = (deps[up_at], indexes[up_at]) if up_at is not None else (None, None)
    running = running_keys(model, dep)
    events: list[Event] = []
    previous: State | None = None
    for at, state in enumerate(index.states):
        for image in state.images:
            if (previous is not None and previous.holds(image)) or (running is not None and image.keypath not in running):
                continue
            kind = "initial" if previous is None else \
                "rollback" if any(p < at for p in index.holding(image)) else "promotion"
            where = image_location(model, dep, image)
            moment = Moment(dep.app, dep.env, state, image, previous is None, where.path if where else None)
            violations = tuple(judge(rules, moment, up_dep.env if up_dep else None, up))
            # a tag that names no build (`app_version`, `latest`) times nothing: no lead, hop or soak
            lead, hop, soak = _times(indexes, state, image, up) if kind == "promotion" and not is_mutable(image) \
                else (None, None, None)
            events.append(Event(
                repo=repo, app=dep.app, env=dep.env.name, role=dep.env.role, kind=kind, keypath=image.keypath,
                image=shown_image(image, dep.app), version=version_of(image), identity=image.identity, commit=state.commit,
                time=state.time, author="", email="", merge=None, pr=None, subject="", violations=violations,
                upstream=up_dep.env.name if up_dep else None, lead=lead, hop=hop, soak=soak))
        previous = state
    return events


def _times(indexes: list[Index], state: State, image: ImageRef, up: Index | None) -> tuple[int, int | None, int | None]:
    """Lead (since the first run in any env), hop (since the upstream's first run), soak (the
    upstream's run that this promotion took it from)."""
    firsts = [index.states[p].time for index in indexes if (p := index.first(image)) is not None
              and not before(state, index.states[p])]
    lead = state.time - min(firsts, default=state.time)
    if up is None:
        return lead, None, None
    first, ran = up.first(image), up.held_before(image, state)
    hop = state.time - up.states[first].time if first is not None and before(up.states[first], state) else None
    soak = state.time - up.run_start(ran, image).time if ran is not None else None
    return lead, hop, soak


def _drift(up_env: str, up: Index, env: str, index: Index, as_of: int) -> Drift:
    """Walk both envs' states in time order (up to `as_of`): in sync when both run the same builds;
    `since`: when the current agreement or divergence began."""
    changes = sorted([(s.time, 0, s) for s in up.states if s.time <= as_of]
                     + [(s.time, 1, s) for s in index.states if s.time <= as_of], key=lambda c: (c[0], c[1]))
    current: list[State | None] = [None, None]
    in_sync: bool | None = None
    since: int | None = None
    for number, (moment, side, state) in enumerate(changes):
        current[side] = state
        if number + 1 < len(changes) and changes[number + 1][0] == moment:
            continue  # one instant: judge once both sides moved
        agree = _builds(current[0]) == _builds(current[1]) and current[0] is not None
        if agree != in_sync:
            in_sync, since = agree, moment
    return Drift(up_env, env, bool(in_sync), since, _versions(current[0]), _versions(current[1]))


def _builds(state: State | None) -> frozenset[str]:
    return frozenset(image.identity for image in state.images) if state is not None else frozenset()


def _versions(state: State | None) -> tuple[str, ...]:
    return tuple(sorted({version_of(image) for image in state.images})) if state is not None else ()
