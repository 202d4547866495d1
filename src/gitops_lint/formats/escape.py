"""Escaping shared by the formatters. Every string that came from the linted repo (paths, app, env
and Application names, values inside messages, notices) is hostile: a pull request chooses it.

Each format applies its own syntax escaping at its boundary; the helpers here are the parts that
more than one format needs. They change nothing in ordinary text.

Any report may end up in a CI log, and a GitHub Actions runner obeys two command syntaxes in every
line it reads (actions/runner, ActionCommand.cs): `::name k=v::data` at the start of a line after
white space, and the legacy `##[name k=v]data` anywhere in a line. `visible` and `json_document`
break `##[`, `visible` and `not_a_command` keep a repo string from starting a line with `::`."""
from __future__ import annotations

import json
import re
from typing import Any

# C0 and C1 controls (ESC, CR, LF, BEL, NEL, ...), DEL, the Unicode line and paragraph separators,
# bidirectional overrides and isolates (text that reads differently than it is), and lone
# surrogates (undecodable bytes in a file name): none of them belongs in a report line.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# What XML 1.0 allows (production [2] Char); anything else makes the document unparseable.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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
    a newline → `\\n`, and the runner's legacy `##[` → `##\\x5b`. For formats people read."""
    return _CONTROL.sub(_show, text).replace("##[", "##\\x5b")


def not_a_command(line: str) -> str:
    """A report line that a runner cannot take for a `::command`: a leading `::` (after white
    space) can only come from the repo, and its first colon is shown as `\\x3a`."""
    body = line.lstrip()
    if not body.startswith("::"):
        return line
    return f"{line[:len(line) - len(body)]}\\x3a{body[1:]}"


def xml_chars(text: str) -> str:
    """`text` with the characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF)
    shown as `\\x1b`-style escapes, so the document still parses; everything else is kept as data."""
    return _NOT_XML.sub(_show, text)


def json_document(data: Any) -> str:
    """`data` as indented JSON through json.dumps, parsing back to exactly `data`. Two characters
    are written as JSON escapes: a lone surrogate (a file name byte that was not UTF-8, which UTF-8
    text cannot hold) as `\\udcff`, and the `[` of `##[` as `\\u005b`."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    text = _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    # `#` occurs only inside strings, where `[` may be written `\\u005b`: the same data, no command
    return text.replace("##[", "##\\u005b") + "\n"
