"""Per-env values a helmfile values template (`*.yaml.gotmpl`) writes inline, read without running it.

Teams keep per-env settings in one values template with a branch per env on each line:

    memory: {{ if eq .Environment.Name "production" }} "1024Mi" {{ else if eq .Environment.Name "staging" }} "1250Mi" {{ else }} "1024Mi" {{ end }}

That idiom is static: each env's value is its branch's text (or the `else` text). This module reads
only such lines, with the key path their indentation gives (mappings only: a line inside a list,
a flow collection or a block scalar ends the path), and leaves every other template action alone.
What helmfile would do with the rest of the file does not matter here: the values compared are
the ones the branches spell out, as helmfile would pick them for each env.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from gitops_lint import yamlio

MAX_LINES = 20_000
MAX_DEPTH = 64
_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z0-9_.\-/\"']+):(?P<rest>.*)$")
_BRANCH = re.compile(r"\{\{-?\s*(?:(?P<kw>if|else if)\s+(?P<op>eq|ne)\s+\.Environment\.Name\s+\"(?P<env>[^\"]{1,100})\""
                     r"|(?P<else>else)|(?P<end>end))\s*-?\}\}")


class Branched(NamedTuple):
    keypath: tuple[str, ...]
    line: int  # 1-based
    column: int  # of the value, 1-based
    values: dict[str, str]  # env name -> the text its branch writes
    otherwise: str | None  # the `else` text (envs the branches do not name)

    def value_for(self, env: str) -> str | None:
        return self.values.get(env, self.otherwise)


def read(text: str) -> list[Branched]:
    """Every `key: {{ if eq .Environment.Name "x" }} a {{ else … }} b {{ end }}` line, with its key path."""
    found: list[Branched] = []
    stack: list[tuple[int, str]] = []  # (indent, key) of the mappings above this line
    for number, line in enumerate(text.splitlines()[:MAX_LINES], start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY.match(line)
        if match is None:  # a list item, a continuation, a bare template action: no mapping path here
            indent = len(line) - len(line.lstrip(" "))
            stack = [(i, k) for i, k in stack if i < indent]
            continue
        indent, key, rest = len(match.group("indent")), match.group("key").strip("\"'"), match.group("rest")
        stack = [(i, k) for i, k in stack if i < indent]
        if len(stack) >= MAX_DEPTH:
            continue
        if not rest.strip():
            stack.append((indent, key))
            continue
        branched = _branches(rest)
        if branched is not None:
            values, otherwise = branched
            column = len(line) - len(rest.lstrip()) + 1
            found.append(Branched(tuple(k for _, k in stack) + (key,), number, column, values, otherwise))
    return found


def _branches(rest: str) -> tuple[dict[str, str], str | None] | None:
    """({env: text}, else text) when `rest` is one if/else-if/else/end chain on `.Environment.Name`
    with `eq` conditions and only plain text between them; None otherwise."""
    parts = list(_BRANCH.finditer(rest))
    if len(parts) < 3 or parts[-1].group("end") is None or parts[0].group("kw") != "if" \
            or rest[:parts[0].start()].strip() or rest[parts[-1].end():].strip():
        return None
    values: dict[str, str] = {}
    otherwise: str | None = None
    for part, following in zip(parts, parts[1:]):
        text = rest[part.end():following.start()].strip()
        if "{{" in text or "}}" in text:
            return None  # another action inside a branch: not static
        if part.group("kw"):
            if part.group("op") != "eq":
                return None
            values.setdefault(part.group("env"), _scalar(text))
        elif part.group("else"):
            otherwise = _scalar(text)
        else:
            return None  # an `end` before the last part
    return values, otherwise


def _scalar(text: str) -> str:
    """The text as YAML reads a plain or quoted scalar (`"1024Mi"` -> `1024Mi`)."""
    try:
        data = yamlio.load_text(f"v: {text}\n", "<branch>", positions=False).data
    except Exception:  # noqa: BLE001 - not YAML: compared as written
        return text
    value = data.get("v") if isinstance(data, dict) else None
    return str(value) if value is not None and not isinstance(value, (dict, list)) else text
