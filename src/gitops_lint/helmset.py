"""Argo CD `helm.parameters` as Helm reads them: `--set name=value`, by Helm's strvals rules.

Argo CD passes each parameter as `--set name=value` (commas escaped). Helm's parser
(helm/pkg/strvals/parser.go) reads the name as keys split on `.`, with `[i]` list indexes and
`\\` escaping any character, and refuses: an index above MaxIndex (65,536) or below 0, or that is
not a whole number; more than MaxNestedNameLevel (30) nested names; text after `]` other than
`.`, `[` or the end; a key that is a list in one parameter and a map (or a value) in another. A
name that starts with `[` or `.` sets nothing. Each refusal is a ParameterError: the Application
gets a notice, and the parameter is left out of the effective values, as Helm would fail on it.
A name is parsed before the tree is touched, so a refused parameter changes nothing.
"""
from __future__ import annotations

import re
from typing import Any

from gitops_lint.model import KeyPath

MAX_INDEX = 65_536  # Helm's strvals.MaxIndex
MAX_NESTED_NAME_LEVEL = 30  # Helm's strvals.MaxNestedNameLevel
MAX_DEPTH = 64  # list indexes nest without a Helm limit; values files stop at 64 levels
MAX_NEW_ITEMS = MAX_INDEX + 1  # list entries the parameters of one source may create: one list at Helm's
# largest index. Each generated Application holds its own tree, so this is what an ApplicationSet multiplies.
_INT64 = re.compile(r"[+-]?[0-9]{1,19}")


class ParameterError(ValueError):
    """Helm would refuse this parameter (`helm template` fails)."""


class Budget:
    """List entries still allowed to be created, over all parameters of one source."""

    def __init__(self, items: int = MAX_NEW_ITEMS) -> None:
        self.items = items


def parameter_problems(parameters: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """(name, why) for each parameter Helm would refuse or set nothing for, in order."""
    tree: dict[str, Any] = {}
    budget = Budget()
    problems = []
    for name, value in parameters:
        try:
            if not apply(tree, name, value, budget):
                problems.append((name, "it names no key, so Helm sets nothing"))
        except ParameterError as error:
            problems.append((name, str(error)))
    return problems


def apply(tree: dict[str, Any], name: str, value: str, budget: Budget) -> KeyPath:
    """Set `name=value` in `tree` as Helm would; the key path set, () when Helm sets nothing."""
    key, sep, rest = _cut(name, "=")  # `--set a=b=c`: the key ends at the first `=`
    path = parse_name(key)
    if not path or path[0] == "":
        return ()  # Helm's set() skips an empty key: `[0]=x` and `.a=x` set nothing
    _check_types(tree, path)
    _spend(tree, path, budget)
    _assign(tree, path, typed(rest + "=" + value) if sep else typed(value))
    return path


def parse_name(name: str) -> KeyPath:
    """`a.b\\.c[0][1]` -> ('a', 'b.c', 0, 1), or ParameterError where Helm fails."""
    path: list[Any] = []
    level = 0
    rest = name
    while True:
        key, stop, rest = _until(rest, ".[,")
        if stop == ",":  # Argo CD escapes commas in values only: in a name one ends the key
            raise ParameterError("a comma ends the key (Helm: 'key has no value')")
        if key == "" and path and stop != "[":
            raise ParameterError("a key is empty (Helm: 'key map has no value')")
        path.append(key)
        while stop == "[":
            index, closed, rest = _until(rest, "]")
            if closed != "]":
                raise ParameterError("an index is not closed with ']'")
            path.append(_index(index))
            stop, rest = rest[:1], rest[1:]
            if stop not in ("", ".", "["):
                raise ParameterError("unexpected text after ']'")
        if len(path) > MAX_DEPTH:
            raise ParameterError(f"nested deeper than {MAX_DEPTH} levels")
        if stop == "":
            return tuple(path)
        if not isinstance(path[-1], int):  # Helm counts the dots after a key, not after an index
            level += 1
            if level > MAX_NESTED_NAME_LEVEL:
                raise ParameterError(f"more than {MAX_NESTED_NAME_LEVEL} nested names (Helm's limit)")


def typed(text: str) -> Any:
    """Helm's value typing: `{a,b}` a list; true/false/null; whole numbers without a leading 0."""
    if text.startswith("{") and text.endswith("}"):
        items = _split_unescaped(text[1:-1], ",")
        return [_scalar(_unescape(item)) for item in items]
    return _scalar(_unescape(text))


def _scalar(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if text == "0":
        return 0
    if text[:1] != "0" and _INT64.fullmatch(text) and -(1 << 63) <= int(text) < (1 << 63):
        return int(text)
    return text


def _index(text: str) -> int:
    if not _INT64.fullmatch(text):
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise ParameterError(f"index {shown!r} is not a whole number")
    index = int(text)
    if index < 0:
        raise ParameterError(f"negative index {index} (Helm refuses it)")
    if index > MAX_INDEX:
        raise ParameterError(f"index {index} is over Helm's maximum of {MAX_INDEX}")
    return index


def _check_types(tree: dict[str, Any], path: KeyPath) -> None:
    """Helm fails with 'unable to parse key' when a name goes into a value of the wrong kind."""
    node: Any = tree
    for position, step in enumerate(path[:-1]):
        wants_list = isinstance(path[position + 1], int)
        if isinstance(step, str):
            if step not in node:
                return
            child = node[step]
            if not isinstance(child, list if wants_list else dict):
                raise ParameterError(f"{step!r} was set as {_kind(child)} by another parameter and is used as "
                                     f"{'a list' if wants_list else 'a map'} here (Helm: 'unable to parse key')")
        else:
            child = node[step] if step < len(node) else None
            if child is None or not wants_list and not isinstance(child, dict):
                return  # nothing there yet, or an item Helm replaces with a map
            if wants_list and not isinstance(child, list):
                raise ParameterError(f"item {step} was set as {_kind(child)} by another parameter and is used as "
                                     "a list here (Helm: 'unable to parse key')")
        node = child


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else "a map" if isinstance(value, dict) else "a value"


def _spend(tree: Any, path: KeyPath, budget: Budget) -> None:
    """Charge the list entries this name would create; refuse past the budget."""
    node: Any = tree
    new = 0
    for step in path:
        if isinstance(step, int):
            length = len(node) if isinstance(node, list) else 0
            new += max(0, step + 1 - length)
            node = node[step] if step < length else None
        else:
            node = node.get(step) if isinstance(node, dict) else None
    if new > budget.items:
        raise ParameterError(f"with the parameters before it, its list indexes would create more than "
                             f"{MAX_NEW_ITEMS} list entries (one list at Helm's largest index)")
    budget.items -= new


def _assign(tree: dict[str, Any], path: KeyPath, value: Any) -> None:
    node: Any = tree
    for position, step in enumerate(path):
        last = position == len(path) - 1
        if isinstance(step, int):
            node.extend([None] * (step + 1 - len(node)))
        if last:
            node[step] = value
            return
        empty: Any = [] if isinstance(path[position + 1], int) else {}
        current = node.get(step) if isinstance(node, dict) else node[step]
        if not isinstance(current, type(empty)):
            node[step] = current = empty
        node = current


def _until(text: str, stops: str) -> tuple[str, str, str]:
    """Read `text` up to the first unescaped stop: (the text unescaped, the stop or '', the rest)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            out.append(text[index + 1])
            index += 2
            continue
        if char in stops:
            return "".join(out), char, text[index + 1:]
        out.append(char)
        index += 1
    return "".join(out), "", ""


def _cut(text: str, stop: str) -> tuple[str, str, str]:
    """Split at the first unescaped `stop`, keeping escapes (the parts are parsed again)."""
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == stop:
            return text[:index], stop, text[index + 1:]
        index += 1
    return text, "", ""


def _split_unescaped(text: str, stop: str) -> list[str]:
    parts = []
    while True:
        head, sep, text = _cut(text, stop)
        parts.append(head)
        if not sep:
            return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)
