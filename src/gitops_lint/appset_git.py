"""The ApplicationSet `git` generator, over this repository's own files.

`files:` makes one parameter set per matching JSON/YAML file (its keys, plus `path`,
`path.basename`, `path.filename`, `path[N]`, … or `.path.path`, `.path.segments` in Go templates);
`directories:` one per matching directory. Paths are globs (`*` stays in a directory, `**`
crosses them), matched without backtracking (globs.LayoutPattern); `exclude: true` entries remove
matches. Only a repoURL of this repository is read, and only at the branch under lint: a pinned
revision (a tag or commit) or another repository is a notice.
"""
from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gitops_lint.appset_repo import normalized
from gitops_lint.argofields import shown
from gitops_lint.globs import LayoutPattern
from gitops_lint.yamlio import type_name

if TYPE_CHECKING:
    from gitops_lint.appset_generators import Generators
    from gitops_lint.appset_params import Params

_NOT_GLOB = ("[", "{", "\\")  # character classes, alternatives and escapes: not modeled


def params(gen: Generators, spec: dict[Any, Any], path: str) -> list[Params] | None:
    from gitops_lint.appset_generators import LIMIT
    from gitops_lint.argocd import is_pinned_revision

    fields, repo = gen.fields, gen.repo
    url = fields.text(spec, "repoURL", f"{path}.repoURL")
    if repo is None or url is None or not repo.is_local(url):
        fields.note(f"{path} reads {shown(url or '?')}, not this repository; its Applications are not modeled")
        return None
    revision = fields.text(spec, "revision", f"{path}.revision") or "HEAD"
    if is_pinned_revision(revision, frozenset()):
        fields.note(f"{path} reads revision {shown(revision)}, a tag or commit; only the branch under lint is "
                    "read, so its Applications are not modeled")
        return None
    prefix = fields.text(spec, "pathParamPrefix", f"{path}.pathParamPrefix") or ""
    values = fields.mapping(spec, "values", f"{path}.values", then="its Applications are not modeled")
    if values is None and spec.get("values") is not None:
        return None
    for kind in ("files", "directories"):
        entries = fields.sequence(spec, kind, f"{path}.{kind}", then="its Applications are not modeled")
        if entries is None and spec.get(kind) is not None:
            return None
        if entries is None:
            continue
        test = _matcher(entries, f"{path}.{kind}", fields.note)
        if test is None:
            return None
        found = [p for p in (repo.files if kind == "files" else repo.directories()) if test(p)]
        rows: list[Params] = []
        for item in found:
            rows.extend(_file_rows(gen, item, path) if kind == "files" else [_dir_row(item, gen.syntax.go)])
            if len(rows) >= LIMIT:
                break
        rows = [_prefixed(row, prefix, gen.syntax.go) for row in rows[:LIMIT]]
        return [row for row in (gen.with_values(r, values, path) for r in rows) if row is not None]
    fields.note(f"{path} has neither files nor directories; its Applications are not modeled")
    return None


def _matcher(entries: list[Any], path: str, note: Callable[[str], None]) -> Callable[[str], bool] | None:
    include: list[Callable[[str], bool]] = []
    exclude: list[Callable[[str], bool]] = []
    for index, entry in enumerate(entries):
        glob = entry.get("path") if isinstance(entry, dict) else None
        excluded = entry.get("exclude", False) if isinstance(entry, dict) else False
        if not isinstance(glob, str) or not isinstance(excluded, bool):
            note(f"{path}[{index}] needs path: text (and exclude: true or false); its Applications are not modeled")
            return None
        if any(mark in glob for mark in _NOT_GLOB) or "{{" in glob:
            note(f"{path}[{index}].path {shown(glob)} uses glob syntax that is not modeled ([...], {{a,b}}, "
                 "escapes, or an unresolved template); its Applications are not modeled")
            return None
        (exclude if excluded else include).append(_glob(glob))
    return lambda p: any(t(p) for t in include) and not any(t(p) for t in exclude)


def _glob(glob: str) -> Callable[[str], bool]:
    pattern = posixpath.normpath(glob.strip("/")) if glob.strip("/") else ""
    stops = [i for i in (pattern.find("*"), pattern.find("?")) if i >= 0]
    prefix = pattern[:min(stops)] if stops else pattern
    compiled = LayoutPattern(pattern)
    return lambda p: p.startswith(prefix) and compiled.match(p) is not None


def _file_rows(gen: Generators, file: str, path: str) -> list[Params]:
    """One parameter set per file (a mapping), or per item of a file that is a list of mappings."""
    data = gen.repo.data(file) if gen.repo is not None else None
    items = [data] if isinstance(data, dict) else [d for d in data if isinstance(d, dict)] \
        if isinstance(data, list) else None
    if items is None:
        gen.fields.note(f"{file}, read by {path}, is {type_name(data)} (or unreadable), expected a mapping; ignored")
        return []
    from gitops_lint.appset_params import flatten

    directory = posixpath.dirname(file) or "."
    names = {"path": directory, "basename": posixpath.basename(directory),
             "basenameNormalized": normalized(posixpath.basename(directory)),
             "filename": posixpath.basename(file), "filenameNormalized": normalized(posixpath.basename(file))}
    path_params = _path_params(names, gen.syntax.go)
    if gen.syntax.go:
        return [{**item, "path": path_params} for item in items]
    return [{**flatten(item), **path_params} for item in items]


def _dir_row(directory: str, go: bool) -> Params:
    names = {"path": directory, "basename": posixpath.basename(directory),
             "basenameNormalized": normalized(posixpath.basename(directory))}
    return {"path": _path_params(names, True)} if go else _path_params(names, False)


def _path_params(names: dict[str, str], go: bool) -> Params:
    segments = names["path"].split("/")
    if go:
        return {**names, "segments": segments}
    out: Params = {"path": names["path"]}
    out.update({f"path.{k}": v for k, v in names.items() if k != "path"})
    out.update({f"path[{i}]": s for i, s in enumerate(segments)})
    return out


def _prefixed(row: Params, prefix: str, go: bool) -> Params:
    """`pathParamPrefix: app` moves the path parameters under `app.path…` (`.app.path…`)."""
    if not prefix:
        return row
    if go:
        return {**{k: v for k, v in row.items() if k != "path"}, prefix: {"path": row["path"]}}
    return {(f"{prefix}.{k}" if k == "path" or k.startswith(("path.", "path[")) else k): v for k, v in row.items()}
