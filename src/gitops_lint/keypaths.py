"""Key path patterns: `**.resources`, `ingress.tls`, `*.image.tag` (`*` one key, `**` any number).

Matching keeps the set of key positions a pattern prefix reaches as the bits of one integer, so
`**.**.**…` costs keys × segments, not the exponential number of ways to split the keys.
"""
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
    keys = [str(k) for k in keypath]
    reached = 1  # bit i: the segments so far match keys[:i]
    for segment in _segments(pattern):
        if segment == "**":  # any number of keys: every position from the first one reached
            reached &= -reached
            reached = ((1 << (len(keys) + 1)) - 1) & ~(reached - 1)
            continue
        moved = 0
        for index, key in enumerate(keys):
            if reached >> index & 1 and fnmatch.fnmatchcase(key, segment):
                moved |= 1 << (index + 1)
        reached = moved
        if not reached:
            return False
    return bool(reached >> len(keys) & 1)


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
        return json.dumps(_textual_keys(value), sort_keys=True, default=str, separators=(", ", ": "))
    return str(value)


def _textual_keys(value: Any) -> Any:
    """YAML keys may be null, numbers or booleans next to strings, which json cannot sort together."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else show(k): _textual_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_textual_keys(item) for item in value]
    return value
