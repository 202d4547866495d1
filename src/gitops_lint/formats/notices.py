"""Notices grouped by kind for people: an ApplicationSet-heavy repo gives fifty notes that differ
only in a file name. Two notices are of one kind when they read the same once every path, name,
number and quoted value in them is blanked; a kind is shown once, with its first example and how
many more there are. JSON and `--verbose` keep every notice."""
from __future__ import annotations

import re
from typing import NamedTuple

# tokens that name a thing rather than say what happened: paths, quoted text, numbers, hex ids, names with - _ .
_VARIABLE = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|\([^()]*\)|\S*[/.\d_@:-]\S*")


_MAX_GROUPS = 200  # groups a notice is compared with (the newest): bounds the work on hostile repos


class Group(NamedTuple):
    example: str
    count: int


def kind(notice: str) -> str:
    return _VARIABLE.sub("…", notice)


def grouped(notices: tuple[str, ...] | list[str]) -> list[Group]:
    """One group per kind, in first-seen order. Names without a telltale character (`Application
    web` / `Application api`) are not blanked, so notices also join a group whose first notice has
    as many words and differs in at most one word in eight (at least two)."""
    groups: list[tuple[list[str], list[str]]] = []  # (words of the first notice's kind, notices)
    for notice in notices:
        words = kind(notice).split()
        for first, items in groups[-_MAX_GROUPS:]:
            if len(first) == len(words) and \
                    sum(a != b for a, b in zip(first, words)) <= max(2, len(words) // 8):
                items.append(notice)
                break
        else:
            groups.append((words, [notice]))
    return [Group(items[0], len(items)) for _, items in groups]


def lines(notices: tuple[str, ...] | list[str], *, verbose: bool) -> list[str]:
    """What to show: every notice (verbose), else one per kind with `(and N more like it)`."""
    if verbose:
        return list(notices)
    return [g.example + (f" (and {g.count - 1} more like it; --verbose lists them)" if g.count > 1 else "")
            for g in grouped(notices)]
