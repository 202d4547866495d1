"""Per app and env numbers over the window's events (definitions: docs/audit.md).

Percentiles are nearest-rank (p90 of 10 values is the 9th smallest): every number shown is a
duration that really happened, never an interpolation."""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from typing import NamedTuple

from gitops_lint.audit.judge import UNTESTED
from gitops_lint.audit.model import AppHistory, Drift, Event


class Stats(NamedTuple):
    count: int
    median: float | None
    p90: int | None
    minimum: int | None


def stats(values: Iterable[int]) -> Stats:
    ordered = sorted(values)
    if not ordered:
        return Stats(0, None, None, None)
    return Stats(len(ordered), statistics.median(ordered), ordered[math.ceil(0.9 * len(ordered)) - 1], ordered[0])


class EnvMetrics(NamedTuple):
    env: str
    role: str
    production: bool
    upstream: str | None
    promotions: int  # promotions and rollbacks in the window (an env's first state is not one)
    rollbacks: int  # back to a version the env ran before
    skipped: int  # promotions the upstream had not run first (for production: hotfixes)
    violations: int  # events with at least one violation
    hop: Stats  # seconds from the upstream's first run of the version to this env
    soak: Stats  # seconds the upstream ran it (the run it was promoted from)


class AppMetrics(NamedTuple):
    repo: str
    app: str
    envs: tuple[EnvMetrics, ...]
    lead: Stats  # production events: seconds from the first env that ran the version to production
    hotfixes: int
    rollbacks: int
    drift: tuple[Drift, ...]


def bypassed(event: Event) -> bool:
    return any(v.rule == UNTESTED for v in event.violations)


def app_metrics(history: AppHistory, events: list[Event]) -> AppMetrics:
    mine = [e for e in events if e.repo == history.repo and e.app == history.app]
    rows = []
    for name, role, production in history.envs:
        here = [e for e in mine if e.env == name]
        moved = [e for e in here if e.kind != "initial"]
        promoted = [e for e in moved if e.kind == "promotion"]
        rows.append(EnvMetrics(
            env=name, role=role, production=production, upstream=next((e.upstream for e in here), None),
            promotions=len(moved), rollbacks=sum(1 for e in moved if e.kind == "rollback"),
            skipped=sum(1 for e in moved if bypassed(e)), violations=sum(1 for e in here if e.violations),
            hop=stats(e.hop for e in promoted if e.hop is not None),
            soak=stats(e.soak for e in promoted if e.soak is not None)))
    prod = {name for name, _, production in history.envs if production}
    lead = stats(e.lead for e in mine if e.env in prod and e.kind == "promotion" and e.lead is not None)
    return AppMetrics(history.repo, history.app, tuple(rows), lead,
                      hotfixes=sum(r.skipped for r in rows if r.production),
                      rollbacks=sum(r.rollbacks for r in rows), drift=history.drift)


def all_metrics(histories: Iterable[AppHistory], events: list[Event]) -> list[AppMetrics]:
    by_app: dict[tuple[str, str], list[Event]] = {}
    for event in events:
        by_app.setdefault((event.repo, event.app), []).append(event)
    return [app_metrics(h, by_app.get((h.repo, h.app), [])) for h in histories]
