"""parity/copied-value: an env's own value that names another env and is that env's value, word for
word (`Environment=dev` in prod, `applicationinsights.dev.json` in preprod): a copy-paste slip that
points one env at another's resources."""
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
            mine = model.effective(dep)
            for path, value in sorted(keypaths.leaves(mine.data).items(), key=lambda item: tuple(map(str, item[0]))):
                if not isinstance(value, str) or any(keypaths.matches(path, p) for p in ignore):
                    continue
                roles = _roles(model, value)
                if len(roles) != 1 or dep.env.role in roles:
                    continue  # names no env, this one, or several (`dev-to-prod-sync` relates envs)
                hit = _copied_from(model, dep, app.deployments, path, value, roles)
                if hit is not None:
                    yield hit


def _copied_from(model: RepoModel, dep: Deployment, others: Any, path: Any, value: str,
                 roles: set[str]) -> Hit | None:
    """The Hit when another env that the value names sets the same value in a file of its own."""
    origin = model.effective(dep).origin(path)
    if origin is None:
        return None
    for other in others:
        if other.env.role not in roles or other.env.role == dep.env.role:
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


def _roles(model: RepoModel, value: str) -> set[str]:
    """The env roles a text names as whole words (`applicationinsights.dev.json` -> {dev})."""
    roles = set()
    for word in _WORD.findall(value.lower()):
        role = model.scheme.role_of(word)
        if role is not None:
            roles.add(role)
    found = model.scheme.find(value)  # multi-word names (`pre-prod`)
    if found is not None:
        roles.add(found[0])
    return roles


KINDS = (CheckKind("copied-value", copied_values, {
    "type": "object", "additionalProperties": False,
    "properties": {"ignore": {"type": "array", "items": {"type": "string", "maxLength": 256}}}},
    "Finds values an env shares word for word with another env they name (a copy-paste slip)."),)
