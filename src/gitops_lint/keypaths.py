"""Key path patterns: `**.resources`, `ingress.tls`, `*.image.tag` (`*` one key, `**` any number)."""
from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from gitops_lint.model import KeyPath


@lru_cache(maxsize=1024)
def _segments(pattern: str) -> tuple[str, ...]:
    return tuple(pattern.split("."))


def matches(keypath: KeyPath, pattern: str) -> bool:
    return _match(tuple(str(k) for k in keypath), _segments(pattern))


def _match(keys: tuple[str, ...], segs: tuple[str, ...]) -> bool:
    if not segs:
        return not keys
    head, rest = segs[0], segs[1:]
    if head == "**":
        return any(_match(keys[index:], rest) for index in range(len(keys) + 1))
    return bool(keys) and fnmatch.fnmatchcase(keys[0], head) and _match(keys[1:], rest)


@lru_cache(maxsize=64)
def _last_keys(patterns: tuple[str, ...]) -> frozenset[str] | None:
    """The key names a match can end with, or None when a pattern ends in a wildcard."""
    lasts = set()
    for pattern in patterns:
        last = _segments(pattern)[-1]
        if any(c in last for c in "*?["):
            return None
        lasts.add(last)
    return frozenset(lasts)


def find(data: Any, patterns: list[str], path: KeyPath = ()) -> Iterator[KeyPath]:
    """Outermost mapping keys matching any pattern (a match is not searched inside)."""
    if not isinstance(data, dict):
        return
    lasts = _last_keys(tuple(patterns))
    for key, value in data.items():
        here = path + (key,)
        if (lasts is None or str(key) in lasts) and any(matches(here, pattern) for pattern in patterns):
            yield here
        elif isinstance(value, dict):
            yield from find(value, patterns, here)


def leaves(value: Any, path: KeyPath = ()) -> dict[KeyPath, Any]:
    """Flatten mappings; lists and scalars are leaves."""
    if isinstance(value, dict) and value:
        out: dict[KeyPath, Any] = {}
        for key, item in value.items():
            out.update(leaves(item, path + (key,)))
        return out
    return {path: value}


class _Missing:
    def __repr__(self) -> str:
        return "(not set)"


MISSING: Any = _Missing()


def show(value: Any) -> str:
    """A value as a user would write it in YAML flow style."""
    if value is MISSING:
        return "(not set)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str, separators=(", ", ": "))
    return str(value)
