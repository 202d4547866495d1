"""The only YAML loader: safe, bounded, and positions on demand.

Files are composed with ruamel's C parser (`typ='safe'` + ruamel.yaml.clib) and the node graph is
turned into plain Python values here, so that one pass can bound alias expansion and depth, see
duplicate keys before a dict hides them, and record where every key and value stands.
Nothing from the document is ever constructed as an object: unknown tags load as their text.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint.errors import YamlProblem
from gitops_lint.model import KeyPath, Position


class Limits(NamedTuple):
    max_bytes: int = 4 * 1024 * 1024
    max_depth: int = 64
    max_alias_nodes: int = 100_000  # nodes added by expanding aliases, over the whole file


DEFAULT_LIMITS = Limits()


class Document(NamedTuple):
    data: Any
    # key path -> (position of the key, position of the value); list items: both the item's
    positions: dict[KeyPath, tuple[Position, Position]]


class YamlFile(NamedTuple):
    path: str
    docs: tuple[Document, ...]
    problems: tuple[YamlProblem, ...]  # non-fatal: duplicate keys (the file still loads)

    @property
    def data(self) -> Any:
        return self.docs[0].data if self.docs else None


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"

_yaml_instances: dict[bool, Any] = {}


def _yaml(pure: bool = False) -> Any:
    if pure not in _yaml_instances:
        from ruamel.yaml import YAML

        _yaml_instances[pure] = YAML(typ="safe", pure=pure)
    return _yaml_instances[pure]


def _compose(text: str) -> list[Any]:
    try:
        return list(_yaml().compose_all(text))
    except Exception as exc:
        # YAML 1.2 lets a later anchor redefine an earlier one; the C composer refuses, the
        # Python one only warns. Retry the rare file that does it in pure Python.
        if "duplicate anchor" not in str(exc):
            raise
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(_yaml(pure=True).compose_all(text))


def read_text(root: Path, relpath: str, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """Read a repo file as UTF-8, refusing what leaves the repo, is too large or undecodable."""
    full = root / relpath
    real = Path(os.path.realpath(full))
    root_real = Path(os.path.realpath(root))
    if real != root_real and root_real not in real.parents:
        raise YamlProblem("yaml/unsafe", f"refused: the symlink leads outside the repository (to {real})",
                          path=relpath)
    try:
        size = real.stat().st_size
        if size > limits.max_bytes:
            raise YamlProblem("yaml/unsafe", f"refused: the file is {size} bytes, over the "
                              f"{limits.max_bytes}-byte limit", path=relpath)
        data = real.read_bytes()
    except OSError as exc:
        raise YamlProblem("yaml/syntax", f"cannot read the file: {exc.strerror or exc}", path=relpath) from None
    return decode(data, relpath)


def decode(data: bytes, relpath: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlProblem("yaml/syntax", f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
                          path=relpath, line=line, column=column) from None


def load_file(root: Path, relpath: str, *, positions: bool = True,
              limits: Limits = DEFAULT_LIMITS) -> YamlFile:
    return load_text(read_text(root, relpath, limits=limits), relpath, positions=positions, limits=limits)


def load_text(text: str, relpath: str, *, positions: bool = True,
              limits: Limits = DEFAULT_LIMITS) -> YamlFile:
    """Parse every document of `text`. Raises YamlProblem when the file cannot be used at all."""
    if len(text) > limits.max_bytes:
        raise YamlProblem("yaml/unsafe", f"refused: the text is over the {limits.max_bytes}-byte limit",
                          path=relpath)
    try:
        nodes = _compose(text)
    except RecursionError:
        raise YamlProblem("yaml/unsafe", "refused: nesting is too deep to parse safely", path=relpath) from None
    except Exception as exc:  # ruamel raises many error classes, all with marks
        raise _syntax_problem(exc, relpath) from None
    converter = _Converter(relpath, positions=positions, limits=limits)
    docs = tuple(Document(converter.convert_document(node), converter.take_positions()) for node in nodes)
    return YamlFile(relpath, docs, tuple(converter.problems))


def _syntax_problem(exc: Exception, relpath: str) -> YamlProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"cannot parse YAML: {problem}"
    if context:
        message += f" ({context})"
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return YamlProblem("yaml/syntax", message, path=relpath, line=line, column=column)


def _pos(node: Any) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


class _Converter:
    """Node graph -> plain values. Aliased nodes are converted once and shared, never copied."""

    def __init__(self, relpath: str, *, positions: bool, limits: Limits) -> None:
        self.relpath = relpath
        self.want_positions = positions
        self.limits = limits
        self.problems: list[YamlProblem] = []
        self._positions: dict[KeyPath, tuple[Position, Position]] = {}
        self._done: dict[int, Any] = {}
        self._open: set[int] = set()  # nodes being converted: an alias to one is a cycle
        self._sizes: dict[int, int] = {}
        self._alias_nodes = 0

    def take_positions(self) -> dict[KeyPath, tuple[Position, Position]]:
        taken, self._positions = self._positions, {}
        return taken

    def convert_document(self, node: Any) -> Any:
        self._done.clear()
        self._open.clear()
        if node is None:
            return None
        if self.want_positions:
            self._positions[()] = (_pos(node), _pos(node))
        return self._convert(node, (), 0)

    def _size(self, node: Any) -> int:
        """Nodes in the subtree with aliases expanded, memoised (a DAG, so this stays linear)."""
        key = id(node)
        if key not in self._sizes:
            self._sizes[key] = 0  # a cycle counts as nothing more
            if node.id == "mapping":
                total = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
            elif node.id == "sequence":
                total = 1 + sum(self._size(v) for v in node.value)
            else:
                total = 1
            self._sizes[key] = total
        return self._sizes[key]

    def _convert(self, node: Any, path: KeyPath, depth: int) -> Any:
        if depth > self.limits.max_depth:
            raise YamlProblem("yaml/unsafe", f"refused: nesting deeper than {self.limits.max_depth} levels",
                              path=self.relpath, line=node.start_mark.line + 1, column=node.start_mark.column + 1)
        key = id(node)
        if key in self._open:
            raise YamlProblem("yaml/unsafe", "refused: an alias refers to a node that contains it (a cycle)",
                              path=self.relpath, line=node.start_mark.line + 1, column=node.start_mark.column + 1)
        if key in self._done:
            self._alias_nodes += self._size(node)
            if self._alias_nodes > self.limits.max_alias_nodes:
                raise YamlProblem("yaml/unsafe", "refused: aliases expand to more than "
                                  f"{self.limits.max_alias_nodes} nodes (a 'billion laughs' document?)",
                                  path=self.relpath, line=node.start_mark.line + 1,
                                  column=node.start_mark.column + 1)
            return self._done[key]
        if node.id == "scalar":
            value = _scalar(node)
        elif node.id == "sequence":
            value = []
            self._open.add(key)
            for index, item in enumerate(node.value):
                if self.want_positions:
                    self._positions[path + (index,)] = (_pos(item), _pos(item))
                value.append(self._convert(item, path + (index,), depth + 1))
        else:
            value = {}
            self._open.add(key)
            self._mapping(node, value, path, depth)
        self._open.discard(key)
        self._done[key] = value
        return value

    def _mapping(self, node: Any, out: dict[Any, Any], path: KeyPath, depth: int) -> None:
        explicit: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        first_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self._merge(value_node, merged, path, depth)
                continue
            key = self._convert(key_node, path, depth + 1)
            if isinstance(key, (dict, list)):
                key = str(key)
            if key in explicit:
                where = f" (first at line {first_lines[key]})" if key in first_lines else ""
                self.problems.append(YamlProblem(
                    "yaml/duplicate-key",
                    f"key {key!r} is repeated{where}; tools disagree on which one wins (Helm and Argo CD "
                    "silently keep the last)",
                    path=self.relpath, line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1))
            else:
                first_lines[key] = key_node.start_mark.line + 1
            if self.want_positions:
                self._positions[path + (key,)] = (_pos(key_node), _pos(value_node))
            explicit[key] = self._convert(value_node, path + (key,), depth + 1)
        # merge keys (`<<`) give defaults; explicit keys override them
        out.update({k: v for k, v in merged.items() if k not in explicit})
        out.update(explicit)

    def _merge(self, value_node: Any, merged: dict[Any, Any], path: KeyPath, depth: int) -> None:
        sources = value_node.value if value_node.id == "sequence" else [value_node]
        for source in sources:
            value = self._convert(source, path, depth + 1)
            if isinstance(value, dict):
                for key, item in value.items():
                    merged.setdefault(key, item)


def _scalar(node: Any) -> Any:
    text = node.value
    tag = node.tag
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() in ("true", "yes", "on", "y")
    if tag == _INT:
        try:
            cleaned = text.replace("_", "")
            if cleaned.lower().startswith(("0x", "-0x", "+0x")):
                return int(cleaned, 16)
            if cleaned.lower().startswith(("0o", "-0o", "+0o")):
                return int(cleaned.replace("o", "").replace("O", ""), 8)
            return int(cleaned)
        except ValueError:
            return text
    if tag == _FLOAT:
        lowered = text.lower()
        if lowered in (".inf", "+.inf"):
            return float("inf")
        if lowered == "-.inf":
            return float("-inf")
        if lowered == ".nan":
            return float("nan")
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    return text  # timestamps, binary and custom tags stay as their text


def get_path(data: Any, keypath: KeyPath) -> Any:
    """The value at `keypath`, or raise KeyError."""
    for key in keypath:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            raise KeyError(keypath)
    return data


def has_path(data: Any, keypath: KeyPath) -> bool:
    try:
        get_path(data, keypath)
    except KeyError:
        return False
    return True


def format_keypath(keypath: KeyPath) -> str:
    """`('image', 'tag')` -> `image.tag`, `('tolerations', 0)` -> `tolerations[0]`."""
    out = ""
    for key in keypath:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            text = str(key)
            if "." in text or " " in text:
                text = f'"{text}"'
            out += f".{text}" if out else text
    return out
