"""Flux objects in a build and the strategic-merge patches applied to them, each part remembered
with the file and key it came from (so a finding points at the patch line that set a value)."""
from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any, NamedTuple

from gitops_lint import yamlio
from gitops_lint.errors import YamlProblem
from gitops_lint.filecache import FileCache
from gitops_lint.model import KeyPath, Origin
from gitops_lint.values import merge

KINDS = frozenset({"HelmRelease", "ConfigMap", "OCIRepository", "HelmRepository"})


class Obj(NamedTuple):
    """One object of a build: its own document first, then each patch applied to it."""

    kind: str
    name: str
    namespace: str
    parts: tuple[tuple[Origin, Any], ...]  # (where the document or patch is, its data)
    merged: dict[str, Any]  # the object with every patch's spec merged in

    def origin(self, keypath: KeyPath) -> Origin | None:
        """Where `keypath` of the object is set last (a patch, else the object's own document)."""
        for where, data in reversed(self.parts):
            if yamlio.value_at(data, keypath) is not None:
                return Origin(where.path, (where.keypath or ()) + keypath, where.doc)
        return None


def apply_patch(objects: list[Obj], where: Origin, patch: Any, target: dict[str, Any] | None,
                notes: list[str]) -> list[Obj]:
    """A strategic-merge patch (one document) applied to the objects it targets: its `spec` merges
    into theirs (maps deeply, lists replaced, null deletes)."""
    kind = (target or {}).get("kind") if target else (patch.get("kind") if isinstance(patch, dict) else None)
    if kind is not None and not isinstance(kind, str):
        return objects  # a kind of another type (a list, a mapping) targets nothing
    if isinstance(patch, list):
        if kind in KINDS or kind is None:
            notes.append(f"{where.path}: a JSON 6902 patch ({kind or 'no target kind'}) is not applied; what it "
                         "changes is not modeled")
        return objects
    if not isinstance(patch, dict):
        return objects
    if target is not None and any(k in target for k in ("labelSelector", "annotationSelector")):
        if kind in KINDS or kind is None:
            notes.append(f"{where.path}: a patch that selects by label or annotation is not applied; not modeled")
        return objects
    meta = patch.get("metadata")
    name = (target or {}).get("name") if target else (meta.get("name") if isinstance(meta, dict) else None)
    namespace = (target or {}).get("namespace") if target else (meta.get("namespace") if isinstance(meta, dict)
                                                               else None)
    spec = patch.get("spec")
    if spec is not None and not isinstance(spec, dict):
        if kind in KINDS:
            notes.append(f"{where.path}: a {kind} patch's spec is {type(spec).__name__}, not a mapping; not applied")
        return objects
    out = []
    for obj in objects:
        if (kind is None or obj.kind == kind) and (name is None or obj.name == name) \
                and (namespace is None or not obj.namespace or obj.namespace == namespace) and spec is not None:
            merged = dict(obj.merged)
            merged["spec"] = merge(obj.merged.get("spec") if isinstance(obj.merged.get("spec"), dict) else {}, spec)
            obj = obj._replace(parts=obj.parts + ((where, patch),), merged=merged)
        out.append(obj)
    return out


def patch_documents(text: str, where: Origin, notes: list[str]) -> list[tuple[Origin, Any]]:
    """The documents of an inline patch text, each with its origin (the text's key path, then its index)."""
    try:
        docs = yamlio.load_text(text, where.path, positions=False).docs
    except YamlProblem as problem:
        notes.append(f"{where.path}: an inline patch does not parse ({problem.message}); not applied")
        return []
    return [(Origin(where.path, (where.keypath or ()) + (index,), where.doc), doc.data)
            for index, doc in enumerate(docs)]


Patch = tuple[Origin, Any, "dict[str, Any] | None"]  # where the patch document is, its data, its target


def normalize(base: str, relative: str) -> str | None:
    """`relative` resolved against the directory `base`, or None when it leaves the repository."""
    text = relative.strip()
    if text.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(base, text))
    if joined == ".." or joined.startswith("../"):
        return None
    return "" if joined == "." else joined


def kustomization_patches(data: dict[str, Any], directory: str, kfile: str, cache: FileCache, files: set[str],
                          notes: list[str]) -> Iterator[Patch]:
    """A kustomization's patches in the order kustomize applies them: patchesStrategicMerge, then patches."""
    for index, entry in enumerate(_listed(data, "patchesStrategicMerge", kfile, notes)):
        path = normalize(directory, entry) if isinstance(entry, str) and "\n" not in entry else None
        where = Origin(kfile, ("patchesStrategicMerge", index), 0)
        if path is not None and path in files:
            yield from ((o, d, None) for o, d in file_documents(path, cache))
        elif isinstance(entry, str):
            yield from ((o, d, None) for o, d in patch_documents(entry, where, notes))
        else:
            notes.append(f"{kfile}: patchesStrategicMerge[{index}] is {type(entry).__name__}, not a file or a "
                         "patch text; not applied")
    for index, item in enumerate(_listed(data, "patches", kfile, notes)):
        yield from patch_entry(item, Origin(kfile, ("patches", index), 0), directory, cache, files, notes)
    for index, item in enumerate(_listed(data, "patchesJson6902", kfile, notes)):
        target = item.get("target") if isinstance(item, dict) else None
        if not isinstance(target, dict) or (isinstance(target.get("kind"), str) and target["kind"] in KINDS):
            notes.append(f"{kfile}: patchesJson6902[{index}] is not applied; what it changes is not modeled")


def patch_entry(item: Any, where: Origin, directory: str, cache: FileCache, files: set[str],
                notes: list[str]) -> Iterator[Patch]:
    """One `patches:` item: `patch:` inline text or `path:` a file of patch documents; `target` optional."""
    label = f"{where.path}: {yamlio.format_keypath(where.keypath or ())}"
    if not isinstance(item, dict):
        notes.append(f"{label} is {type(item).__name__}, not a mapping; not applied")
        return
    target = item.get("target")
    if target is not None and not isinstance(target, dict):
        notes.append(f"{label}.target is {type(target).__name__}, not a mapping; the patch is not applied")
        return
    if isinstance(item.get("patch"), str):
        inline = where._replace(keypath=(where.keypath or ()) + ("patch",))
        yield from ((o, d, target) for o, d in patch_documents(item["patch"], inline, notes))
    elif isinstance(item.get("path"), str):
        path = normalize(directory, item["path"])
        if path is None or path not in files:
            notes.append(f"{label}.path {item['path']!r} is not a file of this repository; the patch is not applied")
            return
        yield from ((o, d, target) for o, d in file_documents(path, cache))
    else:
        notes.append(f"{label} has neither a patch text nor a path string; not applied")


def file_documents(path: str, cache: FileCache) -> list[tuple[Origin, Any]]:
    loaded = cache.load(path)
    return [(Origin(path, (), index), doc.data) for index, doc in enumerate(loaded.docs if loaded else ())]


def _listed(data: dict[str, Any], key: str, where: str, notes: list[str]) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        notes.append(f"{where}: {key} is {type(value).__name__}, not a list; not applied")
        return []
    return value
