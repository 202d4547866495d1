"""Composed YAML nodes -> plain Python values, for yamlio (the only YAML loader).

One pass bounds alias expansion and depth, sees duplicate keys before a dict hides them, and
records where every key and value stands. Aliased nodes are converted once and shared.
"""
from __future__ import annotations

from typing import Any

from gitops_lint.errors import YamlProblem
from gitops_lint.model import KeyPath, Position

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
MAX_PROBLEMS = 50  # repeated keys listed per file; the rest are counted in one more finding


def _pos(node: Any) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


class Converter:
    """Node graph -> plain values. Aliased nodes are converted once and shared, never copied."""

    def __init__(self, relpath: str, *, positions: bool, limits: Any) -> None:
        self.relpath = relpath
        self.want_positions = positions
        self.limits = limits
        self.problems: list[YamlProblem] = []
        self.more_problems = 0  # repeated keys past MAX_PROBLEMS: counted, reported once
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
        if node.id == "scalar":  # most nodes: an aliased scalar costs one node, nothing to track
            return _scalar(node)
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
        if node.id == "sequence":
            value: Any = []
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
            if tag_name(key_node) == _MERGE:
                self._merge(value_node, merged, path, depth)
                continue
            key = _scalar(key_node) if key_node.id == "scalar" else self._convert(key_node, path, depth + 1)
            if isinstance(key, (dict, list)):
                key = str(key)
            if key in explicit and len(self.problems) >= MAX_PROBLEMS:
                self.more_problems += 1
            elif key in explicit:
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


KNOWN_TAGS: dict[int, str] = {}  # id(Tag) -> its name, for the resolver's shared Tag objects


def tag_name(node: Any) -> str:
    """The node's tag as text; the shared resolver tags without building a string each time."""
    ctag = node.ctag
    return KNOWN_TAGS.get(id(ctag)) or str(ctag)


def _scalar(node: Any) -> Any:
    text = node.value
    tag = tag_name(node)
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
