"""Layout plug-in argocd-kustomize-overlays: Argo CD objects that an env's Kustomize overlay builds.

Platform repos (Konflux's infra-deployments, OpenShift GitOps) keep their Applications and
ApplicationSets in a base and build them per env with Kustomize: `argo-cd-apps/overlays/<env>/`
patches the base's sync policy, revision or generator values for that env, and Argo CD deploys
the overlay's output. Read file by file, the base says one thing for every env; what an env runs
is the overlay's build. So each kustomization whose directory names the production env, and whose
resources hold Argo CD documents, is built with the same isolated Kustomize renderer as every other overlay,
and each Application or ApplicationSet it outputs is kept with the env, the overlay and the file
that defines it (found by kind and name under the overlay's references: Kustomize's origin
annotations would make a large build several times slower), for the checks that judge Argo CD objects per env
(`argocd/auto-sync-prod`). Their Applications are not expanded into deployments here: the apps
those objects deploy are modeled by the other layouts from their own directories.
"""
from __future__ import annotations

import posixpath
import re
from typing import Any, NamedTuple

from gitops_lint.errors import GitopsLintError
from gitops_lint.layouts import KUSTOMIZATIONS
from gitops_lint.model import Env

MAX_OVERLAYS = 40  # env overlays built per run
MAX_OBJECTS = 2000  # Argo CD objects kept over all of them
_REFERENCES = ("resources", "bases", "components")
_KINDS = ("Application", "ApplicationSet")
_ARGO_KIND = re.compile(rb"^[ \t]*kind:[ \t]*[\"']?(?:Application|ApplicationSet)[\"']?[ \t]*\r?$", re.M)


class OverlayObject(NamedTuple):
    """An Application or ApplicationSet as an env's overlay builds it."""

    env: Env
    overlay: str  # the kustomization directory
    kind: str
    name: str
    data: dict[str, Any]  # the object as built
    file: str  # the repo file it came from (else the overlay's kustomization)
    doc: int  # its document in that file (0 when not found there)


class ArgoOverlays:
    name = "argocd-kustomize-overlays"

    def find(self, ctx: Any) -> None:
        """Fills `ctx.overlay_objects` from production's overlays. Once they are built, the Argo CD
        files any env overlay consumes (its base, its patches) are not also read on their own: what
        the base says alone is no env's truth. What cannot be built is a notice."""
        argo_files = _argo_files(ctx)
        overlays = _overlays(ctx, argo_files)
        production = [o for o in overlays if o[1].production]
        if not production:
            return
        if len(production) > MAX_OVERLAYS:
            ctx.unmodeled.append(f"{len(production)} production overlays build Argo CD objects; the first "
                                 f"{MAX_OVERLAYS} are modeled")
            production = production[:MAX_OVERLAYS]
        shown = ", ".join(directory for directory, _, _ in production[:3]) + (" …" if len(production) > 3 else "")
        if not ctx.render:
            ctx.unmodeled.append(f"env overlays that build Argo CD objects ({shown}) are not built with --no-render")
            return
        from gitops_lint import render as backends

        renderer = backends.renderer_for("kustomize")
        if renderer is None or not renderer.available():
            ctx.unmodeled.append(f"env overlays that build Argo CD objects ({shown}) are not built: no Kustomize "
                                 "backend is installed (pip install 'gitops-lint[render]')")
            return
        built = False
        for directory, env, references in production:
            # located by name below: origin annotations would make a large build several times slower
            result = backends.render(ctx.cache.snapshot, backends.RenderRequest("kustomize", directory, origins=False),
                                     cache=ctx.cache.disk)
            if result.error:
                ctx.unmodeled.append(f"{directory}: the {env.name} overlay builds Argo CD objects but could not be "
                                     f"built ({result.error}); they are judged as their files say")
                continue
            built = True
            for obj in result.objects:
                if obj.kind in _KINDS and str(obj.object.get("apiVersion", "")).startswith("argoproj.io/") \
                        and len(ctx.overlay_objects) < MAX_OBJECTS:
                    source, doc = _source(ctx, obj.kind, obj.name, [directory] + references, argo_files)
                    ctx.overlay_objects.append(OverlayObject(env, directory, obj.kind, obj.name, obj.object,
                                                             source or _kustomization(ctx, directory), doc))
        if built:
            consumed = {f for directory, _, references in overlays for f in argo_files
                        if any(f == ref or f.startswith(ref + "/") for ref in [directory] + references)}
            ctx.consumed_argo_files.update(consumed)
            ctx.argo_apps[:] = [app for app in ctx.argo_apps if app.file not in consumed]
            for directory, _, _ in overlays:  # Argo CD's own configuration, not an app with envs to compare
                ctx.consumers.setdefault(_kustomization(ctx, directory), "Argo CD objects")


def _argo_files(ctx: Any) -> list[str]:
    """The YAML files that hold an Argo CD Application or ApplicationSet (by a bounded byte look)."""
    found = []
    for path in ctx.yaml_files:
        try:
            if b"argoproj" in ctx.cache.mentions(path) and _ARGO_KIND.search(ctx.cache.snapshot.read(path)):
                found.append(path)
        except GitopsLintError:
            continue
    return found


def _overlays(ctx: Any, argo_files: list[str]) -> list[tuple[str, Env, list[str]]]:
    """(directory, env) of each kustomization whose directory names the production env and whose
    resources, bases or components hold a file that mentions argoproj (the checks judge production's
    build; building the other envs' overlays would cost without a finding)."""
    if not argo_files:
        return []
    found = []
    for path in ctx.files:
        if posixpath.basename(path) not in KUSTOMIZATIONS:
            continue
        directory = posixpath.dirname(path)
        named = ctx.scheme.find(posixpath.basename(directory)) if directory else None
        if named is None:
            continue
        references = _references(ctx, path, directory)
        env = ctx.scheme.env(named[0], posixpath.basename(directory))
        if any(f == ref or f.startswith(ref + "/") for ref in references for f in argo_files):
            found.append((directory, env, references))
    return found


def _references(ctx: Any, path: str, directory: str) -> list[str]:
    """The local paths a kustomization lists under resources, bases and components (normalized)."""
    loaded = ctx.cache.load(path)
    data = loaded.data if loaded is not None else None
    out: list[str] = []
    for key in _REFERENCES:
        entries = data.get(key) if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, str) and "://" not in entry and not entry.startswith(("github.com/", "git@")):
                ref = posixpath.normpath(posixpath.join(directory, entry))
                if not ref.startswith(".."):
                    out.append(ref)
    return out


def _kustomization(ctx: Any, directory: str) -> str:
    return next(posixpath.join(directory, n) for n in KUSTOMIZATIONS if posixpath.join(directory, n) in ctx.file_set)


def _source(ctx: Any, kind: str, name: str, under: list[str], argo_files: list[str]) -> tuple[str | None, int]:
    """The file and document under the overlay's references that define kind/name (Kustomize keeps
    both), else (None, 0): an object a generator or patch made."""
    for path in argo_files:
        if not any(path == ref or path.startswith(ref + "/") for ref in under):
            continue
        loaded = ctx.cache.load(path)
        for index, doc in enumerate(loaded.docs if loaded is not None else ()):
            data = doc.data
            meta = data.get("metadata") if isinstance(data, dict) else None
            if isinstance(data, dict) and data.get("kind") == kind and isinstance(meta, dict) \
                    and meta.get("name") == name:
                return path, index
    return None, 0
