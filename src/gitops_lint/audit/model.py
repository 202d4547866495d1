"""The audit's records: plain, picklable values (a `--jobs` worker sends them back whole), with
no reference to the repo model, so every format is a pure function of them."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import NamedTuple


class Violation(NamedTuple):
    """A promotion rule broken by one event, judged as of that event's commit."""

    rule: str  # promotion/untested-tag, promotion/soak-time, promotion/rebuilt-image, promotion/mutable-tag
    case: str  # the rule's case: default (never ran upstream), after, same-commit, repository, …
    severity: str  # error | warning | info, as the configuration sets the rule
    message: str
    path: str | None  # the env's file that sets the image (as of HEAD)


class Event(NamedTuple):
    """One env starting to run one image (or chart) version at one commit of the line it watches."""

    repo: str
    app: str
    env: str
    role: str
    kind: str  # initial (the env's history starts) | promotion | rollback (a version it ran before)
    keypath: str
    image: str  # as messages show it: `registry/repo:tag`
    version: str  # tag, else digest
    identity: str  # what two envs must share to run one build
    commit: str
    time: int  # committer time (Unix seconds, non-decreasing along the line)
    author: str
    email: str
    merge: str | None  # the merge commit that landed it, when the line got it by a merge
    pr: str | None  # the pull/merge request number its subject names (`#123`, `!45`)
    subject: str
    violations: tuple[Violation, ...]
    upstream: str | None = None  # the env before this one in the app's chain
    lead: int | None = None  # seconds since the version first ran in any env of the app (DORA lead time)
    hop: int | None = None  # seconds since the upstream env first ran the version (None: it had not)
    soak: int | None = None  # seconds the upstream ran the version (its contiguous run) before this event


class Drift(NamedTuple):
    """Whether two adjacent envs run the same builds, and since when (as of the window's end)."""

    up_env: str
    env: str
    in_sync: bool
    since: int | None  # when the current agreement (or divergence) began
    up_versions: tuple[str, ...]
    versions: tuple[str, ...]


class AppHistory(NamedTuple):
    """Everything measured for one app (events outside the window are kept for the metrics' context)."""

    repo: str
    app: str
    envs: tuple[tuple[str, str, bool], ...]  # (name, role, production) in promotion order
    drift: tuple[Drift, ...]


class RepoAudit(NamedTuple):
    label: str
    path: str
    head: str | None
    events: tuple[Event, ...]
    apps: tuple[AppHistory, ...]
    notices: tuple[str, ...]
    as_of: int  # the newest commit time seen: "now" for durations, reproducible


class Window(NamedTuple):
    since: int | None
    until: int | None

    def holds(self, moment: int) -> bool:
        return (self.since is None or moment >= self.since) and (self.until is None or moment < self.until)


def iso(moment: int | None) -> str | None:
    """Unix seconds as `2026-05-05T08:37:57Z` (UTC), the form every format uses."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(seconds: int | float | None) -> str:
    """`56s`, `38m`, `6h36m`, `2d4h`: short enough for table cells."""
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d{(seconds % 86400) // 3600}h"
