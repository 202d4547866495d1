"""The only YAML loader: safe, bounded, and positions on demand.

Files are read only inside the repository, only when they are regular files, and never past the
size limit (a FIFO, a device or a 1 GB sparse file costs nothing). Their text is refused before
parsing when it nests deeper than the limit (yamldepth), then composed with ruamel's C parser
(yamlcompose) and the node graph is turned into plain Python values (yamlconvert), so that one
pass can bound alias expansion and depth, see duplicate keys before a dict hides them, and record
where every key and value stands. Nothing from the document is ever constructed as an object:
unknown tags load as their text.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint.errors import YamlProblem
from gitops_lint import yamlcompose, yamldepth
from gitops_lint.yamlconvert import Converter
from gitops_lint.model import KeyPath, Position

MAX_BYTES_ENV = "GITOPS_LINT_MAX_FILE_BYTES"  # the one limit an operator may raise (memory grows with it)


class Limits(NamedTuple):
    max_bytes: int = 4 * 1024 * 1024
    max_depth: int = 64
    max_alias_nodes: int = 100_000  # nodes added by expanding aliases, over the whole file

    @property
    def max_entries(self) -> int:
        """Lines plus flow-collection commas a text may hold: each costs a few nodes to compose
        (some 8 µs each), so this bounds parse time as the byte limit bounds memory; it follows the
        byte limit (one entry per 32 bytes: 131,072 at 4 MiB), so raising one raises both."""
        return max(1, self.max_bytes // 32)


def _default_limits() -> Limits:
    raised = os.environ.get(MAX_BYTES_ENV, "").strip()
    return Limits(max_bytes=int(raised)) if raised.isdigit() and int(raised) > 0 else Limits()


DEFAULT_LIMITS = _default_limits()


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



def read_text(root: Path, relpath: str, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """Read a repo file as UTF-8, refusing what leaves the repo, is too large or undecodable."""
    return decode(read_bytes(root, relpath, limits=limits), relpath)


def read_bytes(root: Path, relpath: str, *, limits: Limits = DEFAULT_LIMITS,
               resolved: dict[str, str] | None = None) -> bytes:
    """A repo file's bytes, refusing what leaves the repo, is not a regular file or is too large.

    `resolved` (one dict per snapshot) remembers each directory's real path, so a run that reads
    thousands of files resolves each directory once and each file with one lstat."""
    real = _real(root, relpath, resolved if resolved is not None else {})
    root_real = _real(root, "", resolved if resolved is not None else {}, directory=True)
    if real != root_real and not real.startswith(root_real.rstrip(os.sep) + os.sep):
        parts = Path(relpath).parts
        what = "path" if Path(relpath).is_absolute() or ".." in parts else "symlink"
        raise YamlProblem("yaml/unsafe", f"refused: the {what} leads outside the repository (to {real})",
                          path=relpath)
    return read_regular(Path(real), relpath, limits=limits)


def _real(root: Path, relpath: str, resolved: dict[str, str], *, directory: bool = False) -> str:
    """os.path.realpath(root / relpath), with the real paths of directories remembered."""
    if relpath in resolved:
        return resolved[relpath]
    parent, name = os.path.split(relpath)
    if not relpath or name in ("", ".", "..") or os.path.isabs(relpath) or ".." in relpath.split("/"):
        real = os.path.realpath(root / relpath)
    else:
        candidate = os.path.join(_real(root, parent, resolved, directory=True), name)
        real = os.path.realpath(candidate) if os.path.islink(candidate) else candidate
    if directory or not relpath:
        resolved[relpath] = real  # directories only: a file may be replaced between two reads
    return real


def read_regular(path: Path, shown: str, *, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a regular file, checked before opening: a FIFO, device or directory is refused
    unopened, and nothing past the size limit is read (a file that grows meanwhile included)."""
    try:
        _check(os.stat(path), shown, limits)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags)
        try:
            _check(os.fstat(fd), shown, limits)  # the file opened is the file checked
            chunks: list[bytes] = []
            left = limits.max_bytes + 1
            while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
                chunks.append(chunk)
                left -= len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise YamlProblem("yaml/syntax", f"cannot read the file: {exc.strerror or exc}", path=shown) from None
    data = b"".join(chunks)
    if len(data) > limits.max_bytes:
        raise _too_large(shown, f"more than {limits.max_bytes} bytes", limits)
    return data


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _check(info: os.stat_result, shown: str, limits: Limits) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "a special file")
        raise YamlProblem("yaml/unsafe", f"refused: not a regular file ({kind}); only regular files are read",
                          path=shown)
    if info.st_size > limits.max_bytes:
        raise _too_large(shown, f"{info.st_size} bytes", limits)


def _too_large(shown: str, size: str, limits: Limits) -> YamlProblem:
    message = f"refused: the file is {size}, over the {limits.max_bytes}-byte limit"
    if limits == DEFAULT_LIMITS:
        message += f" (an operator can raise it with {MAX_BYTES_ENV})"
    return YamlProblem("yaml/unsafe", message, path=shown)


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
    entries = text.count("\n") + text.count(",")
    if entries > limits.max_entries:  # before composing: time grows with the nodes (`a: 1` × 800,000 took 18 s)
        raise YamlProblem("yaml/unsafe", f"refused: {entries} lines and commas, over the limit of {limits.max_entries} "
                          f"(an operator can raise it with {MAX_BYTES_ENV}: one per 32 bytes)", path=relpath)
    too_deep = yamldepth.deeper_than(text, limits.max_depth)
    if too_deep is not None:  # before composing: the C composer would overflow the stack
        raise YamlProblem("yaml/unsafe", f"refused: nesting deeper than {limits.max_depth} levels",
                          path=relpath, line=too_deep[0], column=too_deep[1])
    try:
        nodes = yamlcompose.compose(text)
    except RecursionError:
        raise YamlProblem("yaml/unsafe", "refused: nesting is too deep to parse safely", path=relpath) from None
    except Exception as exc:  # ruamel raises many error classes, all with marks
        raise _syntax_problem(exc, relpath) from None
    converter = Converter(relpath, positions=positions, limits=limits)
    docs = tuple(Document(converter.convert_document(node), converter.take_positions()) for node in nodes)
    problems = list(converter.problems)
    if converter.more_problems:
        last = problems[-1]
        problems.append(YamlProblem(last.rule, f"{converter.more_problems} more keys are repeated in this file after "
                                    "these (not listed one by one)", path=relpath, line=last.line, column=last.column))
    return YamlFile(relpath, docs, tuple(problems))


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


def value_at(data: Any, keypath: KeyPath, default: Any = None) -> Any:
    """The value at `keypath`, or `default` when there is none."""
    try:
        return get_path(data, keypath)
    except KeyError:
        return default


def type_name(value: Any) -> str:
    """What a loaded YAML value is, in the words messages use (never the value itself)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "a value"


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
