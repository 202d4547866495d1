"""One render end to end: copy the planned files out, ask the worker, parse what it printed."""
from __future__ import annotations

import atexit
import os
import shutil
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

from gitops_lint.snapshot import Snapshot

from . import objects, pool, tree
from .base import Options, Plan, RenderRequest, Rendered, failed

# Errors that say how this run went, not what the files are: never cached
TRANSIENT = ("rendering took over", "rendering ran out of memory", "the renderer stopped unexpectedly")


# charts whose render overstayed in this process, by their files: their other envs would too
# (a hostile template is the chart's, not the env's), so each pays the timeout once, not once per env
_OVERSTAYED: dict[tuple[str, str, str], str] = {}


def execute(snapshot: Snapshot, request: RenderRequest, plan: Plan, options: Options, *,
            message: Callable[[Path], dict[str, Any]], source_of: Callable[[str], str]) -> Rendered:
    """Materialize `plan`, send `message(private repo root)` to the worker, parse its documents."""
    key = (request.kind, request.path, f"{hash(plan.files)}/{options.timeout}")  # same chart files and limit, any values
    if key in _OVERSTAYED:
        return failed(f"{_OVERSTAYED[key]} (for another env of this chart; not tried again)")
    rendered = _execute(snapshot, plan, options, message=message, source_of=source_of, request=request)
    if rendered.error and rendered.error.startswith("rendering took over"):
        _OVERSTAYED[key] = rendered.error
    return rendered


# private copies kept for the next env of the same chart (same files, same digests): copying a chart
# out and deleting it again for each of its envs was a third of a cold render
_TREES: OrderedDict[int, Path] = OrderedDict()
_MAX_TREES = 8


def _tree(snapshot: Snapshot, plan: Plan) -> Path:
    key = hash(plan.files)
    if key in _TREES:
        _TREES.move_to_end(key)
        return _TREES[key]
    top = tree.materialize(snapshot, plan)
    _TREES[key] = top
    while len(_TREES) > _MAX_TREES:
        tree.discard(_TREES.popitem(last=False)[1])
    return top


@atexit.register
def _discard_trees() -> None:
    while _TREES:
        tree.discard(_TREES.popitem()[1])


def _execute(snapshot: Snapshot, plan: Plan, options: Options, *, message: Callable[[Path], dict[str, Any]],
             source_of: Callable[[str], str], request: RenderRequest) -> Rendered:
    try:
        top = _tree(snapshot, plan)
    except tree.Refused as exc:
        return failed(str(exc))
    root = top / "repo"
    answer = pool.worker(options.memory_mib).call(dict(message(root), max_bytes=options.max_bytes), options.timeout)
    if "error" in answer:
        return failed(_unrooted(str(answer["error"]), root))
    docs = answer.get("docs") or []
    if sum(len(text) for _, text in docs) > options.max_bytes:
        return failed(f"the rendered output is over {options.max_bytes} bytes")
    try:
        return Rendered(objects.parse([(str(a), str(b)) for a, b in docs], namespace=request.namespace,
                                      source_of=source_of))
    except tree.Refused as exc:
        return failed(str(exc))


def _unrooted(text: str, root: Path) -> str:
    """A tool's message with the private copy's paths shown as repo paths."""
    for prefix in {str(root), os.path.realpath(root)}:
        text = text.replace(prefix + os.sep, "").replace(prefix, ".")
    return text


def private_dir(root: Path, repo_dir: str) -> str:
    return str(root.joinpath(*[p for p in repo_dir.split("/") if p not in ("", ".")]))


def binary_identity(path: str | None) -> str:
    """A binary's path, size and mtime: changes when it is upgraded, costs one stat."""
    if path is None:
        return "none"
    try:
        info = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


def find_binary(name: str, *, bundled: bool = False) -> str | None:
    """`name` next to this Python (a wheel's scripts dir) when `bundled`, else on PATH."""
    exe = name + (".exe" if os.name == "nt" else "")
    if bundled:
        import sysconfig

        for directory in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
            candidate = directory / exe
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return shutil.which(exe)
