"""ApplicationSet template text -> rendered text, for both syntaxes Argo CD accepts.

Fasttemplate (`{{path.basename}}`) looks a name up in flat parameters and leaves unknown tags as
they are. Go templates (`goTemplate: true`) are evaluated by a small interpreter of the subset real
ApplicationSets use: field access, literals, `index`, `default`, `lower`/`upper`, `replace`,
`trimPrefix`/`trimSuffix` and pipelines. Anything else (`if`, `range`, variables, parentheses,
other functions) raises Unsupported: it is never guessed. Scanning is one pass over the text (no
regex on repo strings), so a hostile template costs time linear in its length.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

KEYWORDS = frozenset({"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil"})
MISSING = object()  # a key the parameters do not have (Go prints "<no value>")


class Unsupported(Exception):
    """A template this module does not evaluate; the message says what, for a notice."""


class Unresolved(Exception):
    """A template that names a parameter the element does not have."""


class Syntax(NamedTuple):
    go: bool
    missing_error: bool = False  # goTemplateOptions: ["missingkey=error"]
    keep_unknown: bool = False  # fasttemplate leaves `{{other}}` as it is (a matrix child's own tags)


def render_text(text: str, params: dict[str, Any], syntax: Syntax) -> str:
    """`text` with every action replaced; raises Unsupported or Unresolved."""
    if "{{" not in text:
        return text
    return _go(text, params, syntax.missing_error) if syntax.go else _fast(text, params, syntax.keep_unknown)


def render(value: Any, params: dict[str, Any], syntax: Syntax) -> Any:
    """Every string (keys too) of a parsed template, rendered; YAML nesting is bounded by yamlio."""
    if isinstance(value, str):
        return render_text(value, params, syntax)
    if isinstance(value, dict):
        return {render(k, params, syntax): render(v, params, syntax) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, params, syntax) for v in value]
    return value


def scalar_text(value: Any) -> str | None:
    """How a parameter value prints: scalars only (true, 3, 1.5), None for maps and lists."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _fast(text: str, params: dict[str, Any], keep_unknown: bool) -> str:
    out, pos = [], 0
    while (start := text.find("{{", pos)) >= 0:
        end = text.find("}}", start + 2)
        if end < 0:
            break
        key = text[start + 2:end].strip(" -")
        key = key[1:] if key.startswith(".") else key
        shown = scalar_text(params.get(key)) if key in params else None
        if shown is None and not keep_unknown:
            raise Unresolved(f"{{{{{key[:60]}}}}} names no parameter of this element")
        out.append(text[pos:start] + (text[start:end + 2] if shown is None else shown))
        pos = end + 2
    out.append(text[pos:])
    return "".join(out)


def _go(text: str, params: dict[str, Any], missing_error: bool) -> str:
    out: list[str] = []
    pos = 0
    while (start := text.find("{{", pos)) >= 0:
        end = text.find("}}", start + 2)
        if end < 0:
            raise Unsupported("a {{ without its }}")
        action = text[start + 2:end]
        chunk = text[pos:start]
        if action[:2] in ("- ", "-\t", "-\n"):
            chunk, action = chunk.rstrip(), action[1:]
        trim_right = action[-2:] in (" -", "\t-", "\n-")
        action = action[:-1] if trim_right else action
        out.append(chunk)
        if not action.strip().startswith("/*"):
            out.append(_shown(_pipeline(_lex(action), params, missing_error)))
        pos = end + 2
        if trim_right:
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
    out.append(text[pos:])
    return "".join(out)


def _shown(value: Any) -> str:
    if value is MISSING:
        raise Unresolved("a key the element does not have (Go would print <no value>)")
    shown = scalar_text(value) if value is not None else None
    if shown is None:
        raise Unsupported(f"an action that prints {'nothing' if value is None else 'a map or list'}")
    return shown


def _lex(action: str) -> list[tuple[str, Any]]:
    """Tokens: ("field", ["a", "b"]), ("lit", value), ("ident", name), ("pipe", "|")."""
    tokens: list[tuple[str, Any]] = []
    i, n = 0, len(action)
    while i < n:
        c = action[i]
        if c in " \t\r\n":
            i += 1
        elif c == "|":
            tokens.append(("pipe", "|"))
            i += 1
        elif c in "\"`":
            i, text = _string(action, i)
            tokens.append(("lit", text))
        else:
            j = i
            while j < n and action[j] not in " \t\r\n|\"`":
                j += 1
            tokens.append(_word(action[i:j]))
            i = j
    return tokens


def _string(action: str, i: int) -> tuple[int, str]:
    quote, out, j = action[i], [], i + 1
    while j < len(action) and action[j] != quote:
        if quote == '"' and action[j] == "\\" and j + 1 < len(action):
            j += 1
            out.append({"n": "\n", "t": "\t"}.get(action[j], action[j]))
        else:
            out.append(action[j])
        j += 1
    if j >= len(action):
        raise Unsupported("an unterminated string")
    return j + 1, "".join(out)


def _word(word: str) -> tuple[str, Any]:
    if word == ".":
        return ("field", [])
    if word.startswith(".") and all(part.isidentifier() for part in word[1:].split(".")):
        return ("field", word[1:].split("."))
    if word in ("true", "false"):
        return ("lit", word == "true")
    if word.isdigit() and len(word) < 19:
        return ("lit", int(word))
    if word.isidentifier() and word not in KEYWORDS:
        return ("ident", word)
    raise Unsupported(f"{word[:40]!r}")


def _pipeline(tokens: list[tuple[str, Any]], params: dict[str, Any], missing_error: bool) -> Any:
    commands: list[list[tuple[str, Any]]] = [[]]
    for token in tokens:
        if token[0] == "pipe":
            commands.append([])
        else:
            commands[-1].append(token)
    if any(not command for command in commands):
        raise Unsupported("an empty command in a pipeline")
    value: Any = None
    for index, command in enumerate(commands):
        piped = [value] if index else []
        kind, head = command[0]
        args = [_operand(t, params, missing_error) for t in command[1:]] + piped
        if kind == "ident":
            value = _call(head, args)
        elif len(command) == 1 and not piped:
            value = _operand(command[0], params, missing_error)
        else:
            raise Unsupported("a value used as a function")
    return value


def _operand(token: tuple[str, Any], params: dict[str, Any], missing_error: bool) -> Any:
    kind, value = token
    if kind == "lit":
        return value
    if kind != "field":
        raise Unsupported(f"the function {value!r} as an argument (parentheses are not evaluated)")
    current: Any = params
    for name in value:
        if not isinstance(current, dict):
            raise Unsupported(f"the field .{'.'.join(value)[:60]} of a value that is not a map")
        if name not in current:
            if missing_error:
                raise Unresolved(f"map has no entry for key {name[:60]!r} (missingkey=error)")
            return MISSING
        current = current[name]
    return current


def _index(args: list[Any]) -> Any:
    current = args[0]
    for key in args[1:]:
        if isinstance(current, dict):
            current = current.get(key, MISSING)
        elif isinstance(current, list) and isinstance(key, int) and 0 <= key < len(current):
            current = current[key]
        else:
            raise Unsupported("index of a value that is not a map or list, or out of range")
    return current


def _empty(value: Any) -> bool:
    return value is MISSING or value is None or value in ("", 0, False) or value == {} or value == []


def _text(value: Any) -> str:
    shown = scalar_text(value) if value is not MISSING else ""
    if shown is None:
        raise Unsupported("a string function applied to a map or list")
    return shown


FUNCTIONS: dict[str, tuple[int, Callable[[list[Any]], Any]]] = {  # name -> (arity, -1: at least 2)
    "index": (-1, _index),
    "default": (2, lambda a: a[0] if _empty(a[1]) else a[1]),
    "lower": (1, lambda a: _text(a[0]).lower()),
    "upper": (1, lambda a: _text(a[0]).upper()),
    "replace": (3, lambda a: _text(a[2]).replace(_text(a[0]), _text(a[1]))),
    "trimPrefix": (2, lambda a: _text(a[1]).removeprefix(_text(a[0]))),
    "trimSuffix": (2, lambda a: _text(a[1]).removesuffix(_text(a[0]))),
}


def _call(name: str, args: list[Any]) -> Any:
    if name not in FUNCTIONS:
        raise Unsupported(f"the function {name[:40]!r}")
    arity, function = FUNCTIONS[name]
    if (arity >= 0 and len(args) != arity) or (arity < 0 and len(args) < 2):
        raise Unsupported(f"{name} with {len(args)} argument(s)")
    return function(args)
