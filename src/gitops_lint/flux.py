"""Layout plug-in: Flux. Each Flux `Kustomization` (kustomize.toolkit.fluxcd.io) is an entry point:
its env is named by the directory of its file (`clusters/staging/apps.yaml`), else by its
`spec.path`; what its path builds (flux_build) holds HelmReleases, and each HelmRelease is one app
deployed to that env (flux_release), values merged in Flux's order with the patches of the env's
overlay after the base. `spec.path` is read in this repository, or through an ArtifactGenerator's
`copy` rules for an `ExternalArtifact` source. Overlay directories named after an env
(`apps/staging/kustomization.yaml`) that no Flux Kustomization reaches are entry points too.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict
from typing import Any, NamedTuple

from gitops_lint.errors import YamlProblem
from gitops_lint.flux_build import KUSTOMIZATIONS, Build, Builder
from gitops_lint.flux_objects import Obj, Patch, apply_patch, normalize, patch_entry
from gitops_lint.flux_release import Release
from gitops_lint.model import Deployment, Origin

MAX_LISTED = 5  # unreached HelmRelease files named in one notice


class _Entry(NamedTuple):
    file: str  # the Flux Kustomization's file (or the overlay's kustomization file)
    name: str
    directory: str  # what it builds, in this repository
    env: tuple[str, str] | None  # (role, name as written)
    patches: tuple[Patch, ...]
    substitutes: bool  # postBuild variable substitution


class _Scan(NamedTuple):
    kustomizations: list[tuple[str, int, dict[str, Any]]]
    generators: list[tuple[str, dict[str, Any]]]  # ArtifactGenerator: (file, document)
    oci: dict[str, list[Obj]]  # OCIRepository name -> every one in the repository
    releases: set[str]  # files that hold a HelmRelease


class Flux:
    name = "flux"

    def find(self, ctx: Any) -> None:
        """Appends the deployments of every env's HelmReleases to `ctx` (plugins.Context)."""
        scan = _scan(ctx)
        if not scan.kustomizations and not scan.releases:
            return
        notes: list[str] = []
        dirs = {"/".join(f.split("/")[:i]) for f in ctx.files for i in range(1, f.count("/") + 1)}
        builder = Builder(ctx.cache, ctx.file_set, dirs, notes)
        entries = [e for e in (_entry(ctx, scan, f, i, d, dirs, notes) for f, i, d in scan.kustomizations) if e]
        found: dict[str, list[Deployment]] = defaultdict(list)
        reached: set[str] = set()
        for entry in entries:
            self._deploy(ctx, entry, builder.build(entry.directory), scan, found, reached, notes)
        for kfile in sorted(f for f in ctx.files if posixpath.basename(f) in KUSTOMIZATIONS):
            directory = posixpath.dirname(kfile)
            env = _env_in(posixpath.basename(directory), ctx.scheme)
            if env is not None and directory not in builder.reached:
                self._deploy(ctx, _Entry(kfile, directory, directory, env, (), False), builder.build(directory),
                             scan, found, reached, notes)
        missed = sorted(scan.releases - reached)
        if missed and found:
            more = f" and {len(missed) - MAX_LISTED} more" if len(missed) > MAX_LISTED else ""
            notes.append(f"HelmReleases in {', '.join(missed[:MAX_LISTED])}{more} are not under any env's Flux "
                         "Kustomization or env-named overlay; they are not modeled")
        for app, deps in sorted(found.items()):
            if app in ctx.grouped:
                notes.append(f"{deps[0].values_in[0].path if deps[0].values_in else app}: HelmRelease {app} has the "
                             "name of an app another layout found; the Flux release is not modeled")
                continue
            ctx.add(app, deps, self.name)
            for dep in deps:
                for path in list(dep.value_files) + [o.path for o in dep.values_in]:
                    ctx.consumers.setdefault(path, app)
        ctx.unmodeled.extend(dict.fromkeys(notes))

    def _deploy(self, ctx: Any, entry: _Entry, build: Build, scan: _Scan, found: dict[str, list[Deployment]],
                reached: set[str], notes: list[str]) -> None:
        objects = list(build.objects)
        for where, patch, target in entry.patches:
            objects = apply_patch(objects, where, patch, target, notes)
        releases = [o for o in objects if o.kind == "HelmRelease"
                    and str(o.parts[0][1].get("apiVersion", "")).startswith("helm.toolkit.fluxcd.io/")]
        if not releases:
            return
        if entry.env is None:
            notes.append(f"{entry.file}: Kustomization {entry.name} names no env (in its directory or spec.path); "
                         "the HelmReleases it deploys are not modeled")
            return
        if entry.substitutes:
            notes.append(f"{entry.file}: Kustomization {entry.name} substitutes variables (postBuild); values are "
                         "compared as written, ${…} unreplaced")
        env = ctx.scheme.env(*entry.env)
        for obj in releases:
            reached.update(where.path for where, _ in obj.parts)  # the release and its patches
            dep = Release(obj, build, charts=ctx.charts, files=ctx.file_set, oci=scan.oci, notes=notes).deployment(env)
            if dep is not None and not any(d.env.name == env.name for d in found[obj.name]):
                found[obj.name].append(dep)
        for kfile in build.kustomizations:
            ctx.consumers.setdefault(kfile, releases[0].name)


def _scan(ctx: Any) -> _Scan:
    """The Flux documents of the repository. A file is parsed only when it can hold one: it names
    `fluxcd`, or has a backslash (an escape can spell any text) or a byte-order mark."""
    scan = _Scan([], [], defaultdict(list), set())
    for path in ctx.yaml_files:
        try:
            data = ctx.cache.snapshot.read(path)
        except YamlProblem:
            continue  # said by the Argo CD scan, which reads every file first
        if b"fluxcd" not in data and b"\\" not in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        loaded = ctx.cache.load(path, data=data)
        for index, doc in enumerate(loaded.docs if loaded is not None else ()):
            item = doc.data
            api = item.get("apiVersion") if isinstance(item, dict) else None
            if not isinstance(api, str) or "fluxcd.io/" not in api:
                continue
            kind = item.get("kind")
            if kind == "Kustomization" and api.startswith("kustomize.toolkit.fluxcd.io/"):
                scan.kustomizations.append((path, index, item))
            elif kind == "ArtifactGenerator":
                scan.generators.append((path, item))
            elif kind == "HelmRelease" and api.startswith("helm.toolkit.fluxcd.io/"):
                scan.releases.add(path)
        if loaded is not None and any(isinstance(d.data, dict) and d.data.get("kind") == "OCIRepository"
                                      for d in loaded.docs):
            for obj in Builder(ctx.cache, ctx.file_set, set(), []).objects_of(path):
                if obj.kind == "OCIRepository":
                    scan.oci[obj.name].append(obj)
    return scan


def _entry(ctx: Any, scan: _Scan, file: str, doc: int, data: dict[str, Any], dirs: set[str],
           notes: list[str]) -> _Entry | None:
    meta = data.get("metadata")
    name = str(meta.get("name")) if isinstance(meta, dict) else "?"
    spec = data.get("spec")
    if not isinstance(spec, dict):
        notes.append(f"{file}: Kustomization {name} spec is {type(spec).__name__}, not a mapping; not modeled")
        return None
    path, source = spec.get("path", ""), spec.get("sourceRef")
    if not isinstance(path, str) or not isinstance(source, dict):
        key = "spec.path" if not isinstance(path, str) else "spec.sourceRef"
        notes.append(f"{file}: Kustomization {name} {key} is {type(spec.get(key[5:])).__name__}, not "
                     f"{'a string' if key == 'spec.path' else 'a mapping'}; not modeled")
        return None
    if source.get("kind") == "ExternalArtifact":
        directory = _artifact_dir(scan, file, str(source.get("name")), path)
    else:
        directory = normalize("", path.lstrip("/"))
    if directory is None or (directory and directory not in dirs):
        notes.append(f"{file}: Kustomization {name} spec.path {path!r} is not a directory of this repository; "
                     "what it deploys is not modeled")
        return None
    patches: list[Patch] = []
    items = spec.get("patches")
    if items is not None and not isinstance(items, list):
        notes.append(f"{file}: Kustomization {name} spec.patches is {type(items).__name__}, not a list; not applied")
    for index, item in enumerate(items if isinstance(items, list) else ()):
        patches.extend(patch_entry(item, Origin(file, ("spec", "patches", index), doc), "", ctx.cache, ctx.file_set,
                                   notes))
    post = spec.get("postBuild")
    env = _env_in(posixpath.dirname(file), ctx.scheme) or _env_in(directory, ctx.scheme)
    return _Entry(file, name, directory, env, tuple(patches),
                  isinstance(post, dict) and bool(post.get("substitute") or post.get("substituteFrom")))


def _artifact_dir(scan: _Scan, file: str, artifact: str, path: str) -> str | None:
    """`spec.path` inside an ExternalArtifact, mapped back to this repository through the `copy` rules
    (`from: "@repo/apps/staging/**"`, `to: "@artifact/staging/"`) of the ArtifactGenerator that
    makes it (one beside the Kustomization first)."""
    inner = normalize("", path.lstrip("/"))
    ordered = sorted(scan.generators, key=lambda g: posixpath.dirname(g[0]) != posixpath.dirname(file))
    for _, data in ordered:
        spec = data.get("spec")
        items = spec.get("artifacts") if isinstance(spec, dict) else None
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict) or item.get("name") != artifact or not isinstance(item.get("copy"), list):
                continue
            for rule in reversed(item["copy"]):
                source, dest = (rule.get("from"), rule.get("to")) if isinstance(rule, dict) else (None, None)
                if not isinstance(source, str) or not isinstance(dest, str) or inner is None \
                        or not source.endswith("/**") or not dest.startswith("@artifact/"):
                    continue
                into, origin = dest[len("@artifact/"):].strip("/"), source[:-3].partition("/")[2]
                if inner == into or not into or inner.startswith(into + "/"):
                    return normalize(origin, inner[len(into):].lstrip("/") or ".")
    return None


def _env_in(path: str, scheme: Any) -> tuple[str, str] | None:
    """(role, name as written) from the deepest part of `path` that names an env."""
    for part in reversed([p for p in path.split("/") if p]):
        found = scheme.find(part)
        if found:
            role, display, rest = found
            return role, part if rest else display
    return None
