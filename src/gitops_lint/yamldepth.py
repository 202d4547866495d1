"""How deep a YAML text nests, known before the composer sees it.

ruamel's C composer recurses once per nesting level without checking the depth: some 30,000
levels (`x: [[[[…`) overflow the C stack and kill the process (SIGSEGV) before yamlconvert can
count anything. libyaml's parser underneath is iterative (an explicit state stack), so reading
*events* is safe at any depth; only composing them into nodes is not.

`deeper_than` first bounds the nesting from the text alone, which settles real files in tens of
microseconds; only when that bound exceeds the limit are the parser's events counted exactly,
stopping at the first collection past the limit. The bound never undercounts:

- Block collections: along any path their start columns never decrease and rise at least every
  second level (a block sequence may sit at its mapping's column). Every such column is where a
  line's content starts, or just after a `- `, `? `, `: ` or `--- ` at the start of a line. So
  block nesting is at most twice the number of distinct columns of that kind.
- Flow collections: each `[` or `{` adds at most two levels (`[a: b]` is a sequence holding a
  mapping). A bracket pair with nothing inside that could hide a bracket, quote or comment
  (`[]`, `{}`, `[a, b]`) closes where it opens, so such pairs are peeled off innermost first,
  each round adding one level, and the brackets left are counted.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# libyaml also breaks lines at CR, NEL, LS and PS; columns restart after each
_BREAKS = str.maketrans({"\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
# a line's indentation and any `- `/`? `/`: ` after it (a superset: more columns only raise the bound);
# matched on "\n" + text, since a pattern that starts with a literal is scanned fast
_LEAD = re.compile(r"\n[ \t]*[-?:][ \t][ \t?:-]*|\n[ \t]+")
_INDICATOR = re.compile(r"[-?:][ \t]+")
_PEEL_ROUNDS = 8  # real files nest such pairs a few levels; past that the exact count decides
_PAIR = re.compile(r"\[[^\[\]{}'\"#!]*\]|\{[^\[\]{}'\"#!]*\}")


def deeper_than(text: str, limit: int) -> tuple[int, int] | None:
    """(line, column), 1-based, of the first collection nested more than `limit` levels deep
    (the top collection is level 0), or None when there is none."""
    if nesting_bound(text, limit + 1) <= limit + 1:
        return None
    return _first_too_deep(text, limit + 1)


def nesting_bound(text: str, cap: int) -> int:
    """At least the number of collections nested on any path; stops counting past `cap`."""
    if any(mark in text for mark in "\r\x85\u2028\u2029"):
        text = text.translate(_BREAKS)
    flow = 2 * (text.count("[") + text.count("{"))
    room = (cap - flow) // 2  # block columns that still fit under the cap
    if room > 0 and not _deep_line(room).search("\n" + text):
        return flow + 2 * room  # no line starts deeper than `room` columns: at most `room` distinct ones
    block = 2 * _block_columns(text, cap)
    rounds = 0
    while block + flow > cap and rounds < _PEEL_ROUNDS:
        peeled = _PAIR.sub("", text)
        if len(peeled) == len(text):
            break
        text, rounds = peeled, rounds + 1
        flow = 2 * (text.count("[") + text.count("{") + rounds)
    return block + flow


def _block_columns(text: str, cap: int) -> int:
    """How many distinct columns block collections can start at (stops counting past `cap`)."""
    columns = {0}
    for lead in set(_LEAD.findall("\n" + text)):
        lead = lead[1:]
        columns.add(len(lead) - len(lead.lstrip(" \t")))
        columns.update(match.end() for match in _INDICATOR.finditer(lead))
        if 2 * len(columns) > cap:
            break
    return len(columns)


@lru_cache(maxsize=None)
def _deep_line(room: int) -> re.Pattern[str]:
    """A line whose start could reach column `room`: that many spaces, tabs or indicator chars."""
    return re.compile(rf"\n[ \t?:-]{{{room}}}")


def _first_too_deep(text: str, cap: int) -> tuple[int, int] | None:
    """Count the parser's events exactly; stop at the first collection nested past `cap`."""
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = 0
    try:
        for event in _events(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > cap:
                    return event.start_mark.line + 1, event.start_mark.column + 1
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except Exception:  # a syntax error: the composer stops at the same place and reports it
        return None
    return None


def _events(text: str) -> Any:
    try:
        from _ruamel_yaml import CParser
    except ImportError:
        from ruamel.yaml import YAML

        yield from YAML(typ="safe", pure=True).parse(text)
        return
    parser = CParser(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()
