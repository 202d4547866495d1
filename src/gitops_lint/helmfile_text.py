"""A helmfile read without executing it: Go template actions blanked, then the project's YAML loader.

A helmfile (`helmfile.yaml`, `helmfile.yaml.gotmpl`) is a Go template. Executing it would run the
repo's code (`exec`, `readFile`, `requiredEnv`), so it is never rendered: each `{{…}}` action is
replaced by a placeholder of the same length (line and column numbers stay right), a line holding
only actions (`{{ if … }}`, `{{- end }}`) is emptied, and each `---` document is parsed on its
own, so one document the blanking cannot make YAML does not hide the others. A placeholder keeps
the action's index, so a value such as `envs/{{ .Environment.Name }}.yaml` can be expanded per env
(`expand`); every other action stays unknown. One left-to-right scan: linear time, no regex.
Files are read only through the discovery context's snapshot (`read`).
"""
from __future__ import annotations

import posixpath
from typing import Any, NamedTuple

from gitops_lint import yamlio
from gitops_lint.errors import YamlProblem
from gitops_lint.model import KeyPath, Position

MAX_ACTIONS = 1000  # template actions per file; past this the file is not read
MAX_DOCS = 100
_START, _FILL = "\ue000", "\ue001"  # private-use characters: printable for YAML, absent from real files
_ENV_NAME = frozenset({".Environment.Name", "$.Environment.Name"})


class Unreadable(Exception):
    """The file cannot be read statically; the message says why (a sentence for a notice)."""


class Blanked(NamedTuple):
    text: str
    actions: tuple[str, ...]  # the original `{{…}}` text of each placeholder, by index


class HelmfileDoc(NamedTuple):
    data: Any
    positions: dict[KeyPath, tuple[Position, Position]]  # lines already shifted to the whole file


class State(NamedTuple):
    """A helmfile's parsed documents and the original text of each blanked action."""

    docs: list[HelmfileDoc]
    actions: tuple[str, ...]


def blank(text: str) -> Blanked:
    """`text` with every template action replaced by a same-length placeholder (see the module doc)."""
    out: list[str] = []
    actions: list[str] = []
    pos = 0
    while (start := text.find("{{", pos)) >= 0:
        end = text.find("}}", start + 2)
        if end < 0:
            line = text.count("\n", 0, start) + 1
            raise Unreadable(f"a template action opened at line {line} is never closed")
        if len(actions) >= MAX_ACTIONS:
            raise Unreadable(f"more than {MAX_ACTIONS} template actions")
        action = text[start:end + 2]
        out.append(text[pos:start])
        out.append(_placeholder(action, len(actions)))
        actions.append(action)
        pos = end + 2
    out.append(text[pos:])
    lines = "".join(out).split("\n")
    return Blanked("\n".join("" if _only_actions(line) else line for line in lines), tuple(actions))


def _placeholder(action: str, index: int) -> str:
    """`\ue000` + a 3-digit index + fill, newlines kept; an action broken before its 4th char: fill only."""
    head = f"{_START}{index:03d}"
    marked = "\n" not in action[:4]
    chars = [("\n" if c == "\n" else (head[i] if marked and i < 4 else _FILL)) for i, c in enumerate(action)]
    return "".join(chars)


def _only_actions(line: str) -> bool:
    """The line holds placeholders and blanks only (one pass: a placeholder head is 4 characters)."""
    seen, skip = False, 0
    for char in line:
        if skip:
            skip -= 1
        elif char == _START:
            seen, skip = True, 3
        elif char == _FILL:
            seen = True
        elif not char.isspace():
            return False
    return seen


def documents(text: str, relpath: str) -> tuple[list[HelmfileDoc], str | None]:
    """Every `---` document of a blanked helmfile that parses as YAML (positions shifted to the whole
    file), and why the first one that does not parse failed (None when all parse)."""
    docs: list[HelmfileDoc] = []
    failed: str | None = None
    for offset, chunk in _split(text):
        try:
            loaded = yamlio.load_text(chunk, relpath)
        except YamlProblem as problem:
            where = f" at line {problem.line + offset}" if problem.line else ""
            failed = failed or f"{problem.message}{where}, after its template actions were blanked"
            continue
        for doc in loaded.docs:
            shifted = {k: (Position(a.line + offset, a.column), Position(b.line + offset, b.column))
                       for k, (a, b) in doc.positions.items()}
            docs.append(HelmfileDoc(doc.data, shifted))
    return docs, failed


def _split(text: str) -> list[tuple[int, str]]:
    """(lines before it, text) of each `---`-separated document."""
    chunks: list[tuple[int, str]] = []
    start, lines = 0, text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("---") and (len(line) == 3 or line[3] in " \t"):
            chunks.append((start, "\n".join(lines[start:index])))
            start = index + 1
            if len(chunks) >= MAX_DOCS:
                raise Unreadable(f"more than {MAX_DOCS} documents")
    chunks.append((start, "\n".join(lines[start:])))
    return [(offset, chunk) for offset, chunk in chunks if chunk.strip()]


def expand(value: str, actions: tuple[str, ...], env: str) -> str | None:
    """`value` with each `{{ .Environment.Name }}` placeholder replaced by `env`; None when another
    action is in it (its value is not known without executing the template)."""
    if _START not in value and _FILL not in value:
        return value
    out: list[str] = []
    pos = 0
    while (at := value.find(_START, pos)) >= 0:
        digits = value[at + 1:at + 4]
        if not digits.isdigit() or int(digits) >= len(actions):
            return None
        action = actions[int(digits)]
        if _action_body(action) not in _ENV_NAME:
            return None
        out.append(value[pos:at])
        out.append(env)
        pos = at + len(action)
    out.append(value[pos:])
    result = "".join(out)
    return None if _FILL in result or _START in result else result


def templated(value: str) -> bool:
    """`value` held a template action (its value is unknown statically)."""
    return _START in value or _FILL in value


def _action_body(action: str) -> str:
    """`{{- .Environment.Name -}}` -> `.Environment.Name`."""
    body = action[2:-2]
    body = body[1:] if body.startswith("-") else body
    body = body[:-1] if body.endswith("-") else body
    return body.strip()


def restore(value: str, actions: tuple[str, ...]) -> str:
    """`value` as the file wrote it: each placeholder back to its action (for messages)."""
    out: list[str] = []
    pos = 0
    while (at := value.find(_START, pos)) >= 0:
        digits = value[at + 1:at + 4]
        if not digits.isdigit() or int(digits) >= len(actions):
            break
        out.append(value[pos:at])
        out.append(actions[int(digits)])
        pos = at + len(actions[int(digits)])
    out.append(value[pos:])
    return "".join(out).replace(_FILL, "…")


def read(ctx: Any, path: str) -> State | None:
    """The parsed documents of a helmfile (or base) and its blanked actions; None, with a notice, when
    it cannot be read."""
    try:
        text = yamlio.decode(ctx.cache.snapshot.read(path), path)
        blanked = blank(text)
        docs, failed = documents(blanked.text, path)
    except YamlProblem as problem:
        ctx.unmodeled.append(f"{path}: not read as a helmfile ({problem.message}); its environments are not modeled")
        return None
    except Unreadable as why:
        ctx.unmodeled.append(f"{path}: not read as a helmfile ({why}); its environments are not modeled")
        return None
    if failed and not any(isinstance(d.data, dict) and "environments" in d.data for d in docs):
        ctx.unmodeled.append(f"{path}: a document could not be read statically ({failed}); environments it "
                             "declares are not modeled")
    return State(docs, blanked.actions)


def resolve(base_dir: str, value: str) -> str | None:
    """A repo-relative path, or None for an absolute path, a URL, a glob or one that leaves the repo."""
    value = value.strip()
    if not value or value.startswith("/") or "://" in value or "::" in value or any(c in value for c in "*?["):
        return None
    joined = posixpath.normpath(posixpath.join(base_dir, value))
    return None if joined == ".." or joined.startswith("../") else joined


def line_of(doc: HelmfileDoc, keypath: KeyPath) -> int | None:
    """The line of a key's value in its helmfile."""
    entry = doc.positions.get(keypath)
    return entry[1].line if entry else None


def where(path: str, doc: HelmfileDoc, keypath: KeyPath) -> str:
    """`file:line` of a key's value, or the file alone when its position is not known."""
    found = line_of(doc, keypath)
    return f"{path}:{found}" if found else path
