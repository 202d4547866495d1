"""Escaping shared by the formatters. Every string that came from the linted repo (paths, app, env
and Application names, values inside messages, notices) is hostile: a pull request chooses it.

Each format applies its own syntax escaping at its boundary; the helpers here are the parts that
more than one format needs. They change nothing in ordinary text (no control characters)."""
from __future__ import annotations

import re

# C0 and C1 controls (ESC, CR, LF, BEL, NEL, ...), DEL, the Unicode line and paragraph separators,
# bidirectional overrides and isolates (text that reads differently than it is), and lone
# surrogates (undecodable bytes in a file name): none of them belongs in a report line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _show(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        code -= 0xDC00
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` on one line with every control character shown, not obeyed: ESC → `\\x1b`,
    a newline → `\\n`. For formats that people read (text, GitHub, Markdown)."""
    return _CONTROL.sub(_show, text)

