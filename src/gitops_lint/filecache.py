"""Repo files loaded once, on first use, through a snapshot; every YAML problem met on the way is
kept for the yaml/* rules, so a broken file never stops the rest of the repo from being linted."""
from __future__ import annotations

from typing import Any

from gitops_lint import yamlio
from gitops_lint.cache import DiskCache, digest
from gitops_lint.errors import YamlProblem
from gitops_lint.model import KeyPath, Origin, Position


# words whose presence makes a file worth parsing for one kind of document (FileCache.mentions)
SNIFFED = (b"argoproj", b"\\", b"ApplicationSet", b"AppProject", b"PromotionStrategy", b"rollingSync",
           b"kargo.akuity.io", b"gateway.networking.k8s.io")
_POSITIONS_UP_FRONT = 256 * 1024  # bytes: past this a file is parsed with positions the first time


class FileCache:
    """Loads repo files once; remembers the problems of those that cannot be used.

    Files load without positions; the few that a finding points into are parsed again with
    positions when asked (`position`), which keeps the common path fast. Both the data and the
    positions are kept in the disk cache under the digest of the file's bytes, so a warm run parses
    neither again.
    """

    def __init__(self, snapshot: Any, disk: DiskCache | None = None) -> None:
        self.snapshot = snapshot  # snapshot.Snapshot: every read goes through it
        self.disk = disk or DiskCache(None)
        self._files: dict[str, yamlio.YamlFile | None] = {}
        self._positioned: dict[str, list[dict[KeyPath, tuple[Position, Position]]] | None] = {}
        self._digests: dict[str, str] = {}
        self.problems: dict[str, list[YamlProblem]] = {}
        self._mentions: dict[str, frozenset[bytes] | YamlProblem] = {}

    def load(self, relpath: str, *, data: bytes | None = None) -> yamlio.YamlFile | None:
        """The file's documents (None when it cannot be used); `data` when already read."""
        if relpath not in self._files:
            loaded: yamlio.YamlFile | None = None
            try:
                raw = data if data is not None else self.snapshot.read(relpath)
                loaded = self._parse(relpath, raw)
                self.problems.setdefault(relpath, []).extend(loaded.problems)
            except YamlProblem as problem:
                self.problems.setdefault(relpath, []).append(problem)
            self._files[relpath] = loaded
        return self._files[relpath]

    def _parse(self, relpath: str, raw: bytes) -> yamlio.YamlFile:
        """Parse (no positions), or take what these exact bytes parsed to before from the disk cache."""
        self._digests[relpath] = digest(raw)
        key = f"y:{self._digests[relpath]}"
        hit = self.disk.get(key)
        if hit is None:
            with_positions = len(raw) > _POSITIONS_UP_FRONT  # parse a large file once, not again for a finding
            try:
                parsed = yamlio.load_text(yamlio.decode(raw, relpath), relpath, positions=with_positions)
                hit = ("ok", [doc.data for doc in parsed.docs], [_flat(p) for p in parsed.problems])
                if with_positions:  # kept in memory only: a large file's positions would bloat the disk cache
                    self._positioned[relpath] = [dict(doc.positions) for doc in parsed.docs]
            except YamlProblem as problem:
                hit = ("error", _flat(problem))
            self.disk.put(key, hit)
        if hit[0] == "error":
            raise _problem(relpath, hit[1])
        return yamlio.YamlFile(relpath, tuple(yamlio.Document(data, {}) for data in hit[1]),
                               tuple(_problem(relpath, p) for p in hit[2]))

    def mentions(self, relpath: str) -> frozenset[bytes]:
        """Which of `SNIFFED` the file's bytes contain (plus b"BOM" for a
        UTF-16/32 byte-order mark): every layout and check that looks for its kind of document reads a
        file's bytes once through here. Raises YamlProblem (the same one each time) when unreadable."""
        if relpath not in self._mentions:
            try:
                data = self.snapshot.read(relpath)
            except YamlProblem as problem:
                self._mentions[relpath] = problem
            else:
                found = {word for word in SNIFFED if word in data}
                if data.startswith((b"\xff\xfe", b"\xfe\xff")):
                    found.add(b"BOM")
                self._mentions[relpath] = frozenset(found)
        answer = self._mentions[relpath]
        if isinstance(answer, YamlProblem):
            raise answer
        return answer

    def note(self, problem: YamlProblem) -> None:
        assert problem.path is not None
        self.problems.setdefault(problem.path, []).append(problem)

    def loaded_paths(self) -> list[str]:
        return sorted(self._files)

    def position(self, origin: Origin) -> Position | None:
        """Line and column of `origin`: the value when it is a scalar, else its key."""
        if origin.path not in self._positioned:
            self._positioned[origin.path] = self._positions(origin.path)
        positions = self._positioned[origin.path]
        loaded = self._files.get(origin.path)
        if positions is None or loaded is None or origin.doc >= min(len(positions), len(loaded.docs)):
            return None
        data = loaded.docs[origin.doc].data
        keypath = origin.keypath or ()
        for cut in range(len(keypath), -1, -1):
            entry = positions[origin.doc].get(keypath[:cut])
            if entry is None:
                continue
            key_pos, value_pos = entry
            if cut == len(keypath):
                try:
                    value = yamlio.get_path(data, keypath)
                except KeyError:
                    value = None
                return key_pos if isinstance(value, (dict, list)) and cut else value_pos
            return key_pos
        return None


    def text_line(self, relpath: str, needle: str) -> int | None:
        """The first line holding `needle` in a file that is not parsed (a Helm template), 1-based."""
        try:
            text = yamlio.decode(self.snapshot.read(relpath), relpath)
        except YamlProblem:
            return None
        index = text.find(needle)
        return text.count("\n", 0, index) + 1 if index >= 0 else None

    def _positions(self, relpath: str) -> list[dict[KeyPath, tuple[Position, Position]]] | None:
        """Every key's and value's position in each document of a loaded file (from the cache when warm)."""
        if self.load(relpath) is None:
            return None
        key = f"pos:{self._digests[relpath]}"
        stored = self.disk.get(key)
        if stored is None:
            try:
                parsed = yamlio.load_text(yamlio.decode(self.snapshot.read(relpath), relpath), relpath)
            except YamlProblem:
                return None
            stored = _flat_positions(parsed)
            self.disk.put(key, stored)
        return _unflat_positions(stored)


def _flat_positions(parsed: yamlio.YamlFile) -> list[list[tuple[KeyPath, tuple[int, ...], tuple[int, ...]]]]:
    return [[(path, tuple(k), tuple(v)) for path, (k, v) in doc.positions.items()] for doc in parsed.docs]


def _unflat_positions(stored: Any) -> list[dict[KeyPath, tuple[Position, Position]]]:
    return [{tuple(path): (Position(*k), Position(*v)) for path, k, v in doc} for doc in stored]


def _flat(problem: YamlProblem) -> tuple[str, str, int | None, int | None]:
    return (problem.rule, problem.message, problem.line, problem.column)


def _problem(relpath: str, flat: Any) -> YamlProblem:
    rule, message, line, column = flat
    return YamlProblem(rule, message, path=relpath, line=line, column=column)
