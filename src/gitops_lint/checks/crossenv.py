"""parity/copied-value: a stage or prod value, set in a file of its own, that names an env before it
and is that env's value word for word (`Environment=dev` in prod, `applicationinsights.dev.json` in
preprod): a copy-paste slip that points the env at a lower env's resources."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from gitops_lint import keypaths
from gitops_lint.checks import CheckKind, Hit
from gitops_lint.model import Deployment
from gitops_lint.repo import RepoModel
from gitops_lint.yamlio import format_keypath

_WORD = re.compile(r"[a-z0-9]+")


def copied_values(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    ignore = list(params.get("ignore", ()))
    for app in model.apps:
        for dep in app.deployments:
            if not dep.env.protected:
                continue  # a lower env sharing a higher one's value is often deliberate (read-only data)
            mine = model.effective(dep)
            for path, value in sorted(keypaths.leaves(mine.data).items(), key=lambda item: tuple(map(str, item[0]))):
                if not isinstance(value, str) or any(keypaths.matches(path, p) for p in ignore):
                    continue
                named = _named(value, app.deployments)
                if len(named) != 1 or dep.env.name.lower() in named:
                    continue  # names no env, this one, or several (`dev-to-prod-sync` relates envs)
                hit = _copied_from(model, dep, app.deployments, path, value, named)
                if hit is not None:
                    yield hit


def _copied_from(model: RepoModel, dep: Deployment, others: Any, path: Any, value: str,
                 named: set[str]) -> Hit | None:
    """The Hit when an env before this one, named by the value, sets the same value in a file of its own."""
    origin = model.effective(dep).origin(path)
    if origin is None:
        return None
    for other in others:
        if other.env.name.lower() not in named or other.env.rank >= dep.env.rank:
            continue
        theirs = model.effective(other)
        their_origin = theirs.origin(path)
        if theirs.get(path, None) != value or their_origin is None or their_origin.path == origin.path \
                or origin.path in other.value_files or their_origin.path in dep.value_files:
            continue  # not the same value, or set once in a file both envs read
        position = model.position(their_origin)
        where = f"{their_origin.path}:{position.line}" if position else their_origin.path
        return Hit("default", origin, dep.app, dep.env.name, {
            "env": dep.env.name, "key": format_keypath(path), "value": keypaths.show(value),
            "other_env": other.env.name, "other_where": where, "file": origin.path,
        }, anchor=f"{format_keypath(path)}:{other.env.name}", protected=dep.env.protected)
    return None


def _named(value: str, deployments: Any) -> set[str]:
    """The app's envs, as the repo spells them, that a text names as whole words
    (`applicationinsights.dev.json` -> {dev}); role aliases do not count (`live-router` is no env)."""
    words = _WORD.findall(value.lower())
    joined = f" {' '.join(words)} "
    names = set()
    for dep in deployments:
        name = dep.env.name.lower()
        spelled = _WORD.findall(name)
        if spelled and f" {' '.join(spelled)} " in joined:
            names.add(name)
    return names


KINDS = (CheckKind("copied-value", copied_values, {
    "type": "object", "additionalProperties": False,
    "properties": {"ignore": {"type": "array", "items": {"type": "string", "maxLength": 256}}}},
    "Finds values an env shares word for word with another env they name (a copy-paste slip)."),)
