"""What a Flux Kustomization's path builds, read statically: the Flux objects its kustomize tree
holds (HelmRelease, ConfigMap, OCIRepository, HelmRepository), with the strategic-merge patches of
every kustomization on the way applied in order, and which file and key each patch came from.

Only the static forms are read: `resources`/`bases` that are files or directories of this repo,
`patches` (`path:` or inline `patch:` text, with or without `target`), `patchesStrategicMerge`,
`namespace` and `configMapGenerator` files. A directory without a kustomization is all its manifests
(as kustomize-controller generates one). JSON 6902 patches, components, remote bases and label
selectors are said in a notice when they touch what is modeled.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict
from typing import Any, NamedTuple

from gitops_lint.filecache import FileCache
from gitops_lint.flux_objects import KINDS, Obj, apply_patch, kustomization_patches, normalize
from gitops_lint.model import Origin

KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
MAX_DEPTH = 16  # nested kustomizations followed from one path
MAX_OBJECTS = 1000  # objects kept per build


class Build(NamedTuple):
    objects: tuple[Obj, ...]
    generated: dict[str, dict[str, str]]  # configMapGenerator: ConfigMap name -> key -> repo file
    kustomizations: frozenset[str]  # the kustomization files read on the way


class Builder:
    """Builds directories once each (overlays share their base); notices go to `notes`."""

    def __init__(self, cache: FileCache, files: set[str], dirs: set[str], notes: list[str]) -> None:
        self.cache, self.files, self.dirs, self.notes = cache, files, dirs, notes
        self._children: dict[str, list[str]] = defaultdict(list)  # directory -> its files and subdirectories
        for path in sorted(files | dirs):
            if path:
                self._children[posixpath.dirname(path)].append(path)
        self.reached: set[str] = set()  # every directory walked
        self._built: dict[str, Build] = {}

    def build(self, directory: str, depth: int = 0) -> Build:
        if directory not in self._built:
            self._built[directory] = Build((), {}, frozenset())  # a cycle meets an empty build
            self.reached.add(directory)
            kfile = next((f"{directory}/{n}" if directory else n for n in KUSTOMIZATIONS
                          if (f"{directory}/{n}" if directory else n) in self.files), None)
            if depth > MAX_DEPTH:
                self.notes.append(f"{directory}: kustomizations nested deeper than {MAX_DEPTH} levels are not read")
            elif kfile is not None:
                self._built[directory] = self._kustomization(directory, kfile, depth)
            else:
                self._built[directory] = self._plain(directory, depth)
        return self._built[directory]

    def objects_of(self, path: str) -> list[Obj]:
        loaded = self.cache.load(path)
        found = []
        for index, doc in enumerate(loaded.docs if loaded is not None else ()):
            data = doc.data
            if not isinstance(data, dict) or not isinstance(data.get("kind"), str) or data["kind"] not in KINDS:
                continue
            meta = data.get("metadata")
            name = meta.get("name") if isinstance(meta, dict) else None
            if not isinstance(name, str):
                self.notes.append(f"{path}: a {data['kind']} with no metadata.name string is not modeled")
                continue
            namespace = meta.get("namespace") if isinstance(meta, dict) else None
            found.append(Obj(data["kind"], name, namespace if isinstance(namespace, str) else "",
                             ((Origin(path, (), index), data),), data))
        return found

    def _plain(self, directory: str, depth: int) -> Build:
        children = self._children.get(directory, [])
        own = [f for f in children if f in self.files and f.endswith((".yaml", ".yml"))]
        subdirs = [d for d in children if d in self.dirs]
        objects: list[Obj] = [o for f in own for o in self.objects_of(f)]
        generated: dict[str, dict[str, str]] = {}
        kustomizations: set[str] = set()
        for sub in subdirs:
            built = self.build(sub, depth + 1)
            objects.extend(built.objects)
            generated.update(built.generated)
            kustomizations |= built.kustomizations
        return Build(tuple(self._capped(objects, directory)), generated, frozenset(kustomizations))

    def _kustomization(self, directory: str, kfile: str, depth: int) -> Build:
        loaded = self.cache.load(kfile)
        data = loaded.data if loaded is not None else None
        if not isinstance(data, dict):
            self.notes.append(f"{kfile}: not a kustomization mapping; what it builds is not modeled")
            return Build((), {}, frozenset({kfile}))
        objects: list[Obj] = []
        generated: dict[str, dict[str, str]] = {}
        kustomizations = {kfile}
        seen: set[str] = set()
        for key in ("resources", "bases"):
            for entry in self._strings(data, key, kfile):
                target = normalize(directory, entry)
                if target is not None and target in seen:
                    continue  # kustomize refuses a repeated resource; reading it again costs entries x documents
                if target is not None:
                    seen.add(target)
                if target is not None and target in self.files:
                    objects.extend(self.objects_of(target))
                elif target is not None and target in self.dirs:
                    built = self.build(target, depth + 1)
                    objects.extend(built.objects)
                    generated.update(built.generated)
                    kustomizations |= built.kustomizations
                else:
                    self.notes.append(f"{kfile}: {key} entry {entry!r} is not a file or directory of this repository; "
                                      "what it adds is not modeled")
        if data.get("components"):
            self.notes.append(f"{kfile}: kustomize components are not applied; values they patch are not modeled")
        namespace = data.get("namespace")
        if isinstance(namespace, str) and namespace:
            objects = [o._replace(namespace=namespace) for o in objects]
        generated.update(self._generators(data, directory, kfile))
        for where, patch, target in kustomization_patches(data, directory, kfile, self.cache, self.files, self.notes):
            objects = apply_patch(objects, where, patch, target, self.notes)
        return Build(tuple(self._capped(objects, kfile)), generated, frozenset(kustomizations))

    def _generators(self, data: dict[str, Any], directory: str, kfile: str) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        generators = data.get("configMapGenerator")
        if generators is None:
            return out
        if not isinstance(generators, list):
            self.notes.append(f"{kfile}: configMapGenerator is {type(generators).__name__}, not a list; not modeled")
            return out
        for index, item in enumerate(generators):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                self.notes.append(f"{kfile}: configMapGenerator[{index}] has no name string; not modeled")
                continue
            for entry in self._strings(item, "files", f"{kfile}: configMapGenerator[{index}]"):
                key, _, path = entry.rpartition("=")
                resolved = normalize(directory, path)
                if resolved is not None and resolved in self.files:
                    out.setdefault(name, {})[key or posixpath.basename(path)] = resolved
        return out

    def _strings(self, data: dict[str, Any], key: str, where: str) -> list[str]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.notes.append(f"{where}: {key} is not a list of strings; it is not modeled")
            return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        return value

    def _capped(self, objects: list[Obj], where: str) -> list[Obj]:
        if len(objects) > MAX_OBJECTS:
            self.notes.append(f"{where}: builds {len(objects)} Flux objects; only the first {MAX_OBJECTS} are modeled")
        return objects[:MAX_OBJECTS]
