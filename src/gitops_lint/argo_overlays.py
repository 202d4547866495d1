"""Layout plug-in argocd-kustomize-overlays: Argo CD objects that an env's Kustomize overlay builds.

Platform repos (Konflux's infra-deployments, OpenShift GitOps) keep their Applications and
ApplicationSets in a base and build them per env with Kustomize: `argo-cd-apps/overlays/<env>/`
patches the base's sync policy, revision or generator values for that env, and Argo CD deploys
the overlay's output. Read file by file, the base says one thing for every env; what an env runs
is the overlay's build. So each kustomization whose directory names the production env, and whose
resources hold Argo CD documents, is built with the same isolated Kustomize renderer as every other
overlay, and each Application or ApplicationSet it outputs is read as an Application (an
ApplicationSet: its template) and kept with the env, the overlay and the file that defines it
(found by kind and name under the overlay's references: Kustomize's origin annotations would make
a large build several times slower), for the checks that judge Argo CD objects per env
(`argocd/auto-sync-prod`). Their Applications are not expanded into deployments here: the apps
those objects deploy are modeled by the other layouts from their own directories.
"""
from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any, NamedTuple

from gitops_lint import argocd
from gitops_lint.layouts import KUSTOMIZATIONS
from gitops_lint.model import ArgoApp, Env, KeyPath

MAX_OVERLAYS = 40  # env overlays built per run
MAX_OBJECTS = 2000  # Argo CD objects kept over all of them
_REFERENCES = ("resources", "bases", "components")
_KINDS = ("Application", "ApplicationSet")


class OverlayObject(NamedTuple):
    """An Application or ApplicationSet as an env's overlay builds it."""

    env: Env
    overlay: str  # the kustomization directory
    kustomization: str  # its kustomization file
    kind: str
    name: str
    file: str  # the repo file that defines it (else the overlay's kustomization)
    doc: int  # its document in that file (0 when not found there)
    app: ArgoApp | None  # read as an Application (an ApplicationSet: its template); None: not judged
    base: KeyPath  # where the Application's fields start in the object: () or ("spec", "template")


class Overlay(NamedTuple):
    directory: str
    kustomization: str
    env: Env
    references: list[str]  # local paths it lists under resources, bases and components

    def holds(self, path: str) -> bool:
        return any(path == ref or path.startswith(ref + "/") for ref in [self.directory] + self.references)


class ArgoOverlays:
    name = "argocd-kustomize-overlays"

    def find(self, ctx: Any) -> None:
        """Fills `ctx.overlay_objects` from production's overlays. Once they are built, the Argo CD
        files any env overlay consumes (its base, its patches) are not also read on their own: what
        the base says alone is no env's truth. What cannot be built is a notice."""
        candidates = _env_kustomizations(ctx)
        if not candidates:
            return  # no production kustomization: nothing is read (most repos stop here)
        defined = _argo_documents(ctx)
        paths = {path for places in defined.values() for path, _ in places}
        overlays = [o for o in candidates if any(o.holds(path) for path in paths)]
        production = [o for o in overlays if o.env.production]
        if not production:
            return
        if len(production) > MAX_OVERLAYS:
            ctx.unmodeled.append(f"{len(production)} production overlays build Argo CD objects; the first "
                                 f"{MAX_OVERLAYS} are modeled")
            production = production[:MAX_OVERLAYS]
        shown = ", ".join(o.directory for o in production[:3]) + (" …" if len(production) > 3 else "")
        if not ctx.render:
            ctx.unmodeled.append(f"env overlays that build Argo CD objects ({shown}) are not built with --no-render")
            return
        from gitops_lint import render as backends

        renderer = backends.renderer_for("kustomize")
        if renderer is None or not renderer.available():
            ctx.unmodeled.append(f"env overlays that build Argo CD objects ({shown}) are not built: no Kustomize "
                                 "backend is installed (pip install 'gitops-lint[render]')")
            return
        built: list[tuple[Overlay, Any]] = []
        succeeded = False
        for overlay in production:
            # located by name below: origin annotations would make a large build several times slower
            result = backends.render(ctx.cache.snapshot, backends.RenderRequest("kustomize", overlay.directory,
                                                                                origins=False), cache=ctx.cache.disk)
            if result.error:
                ctx.unmodeled.append(f"{overlay.directory}: the {overlay.env.name} overlay builds Argo CD objects but "
                                     f"could not be built ({result.error}); they are judged as their files say")
                continue
            succeeded = True
            built.extend((overlay, obj) for obj in result.objects if obj.kind in _KINDS
                         and str(obj.object.get("apiVersion", "")).startswith("argoproj.io/"))
        if not succeeded:
            return  # nothing was built: the files stay read as they are
        is_local = _local_matcher(ctx, [obj.object for _, obj in built])
        for overlay, obj in built[:MAX_OBJECTS]:
            file, doc = next(((path, doc) for path, doc in defined.get((obj.kind, obj.name), ())
                              if overlay.holds(path)), (overlay.kustomization, 0))
            app, base = _as_application(obj.kind, obj.object, file, doc, overlay.directory, is_local)
            ctx.overlay_objects.append(OverlayObject(overlay.env, overlay.directory, overlay.kustomization, obj.kind,
                                                     obj.name, file, doc, app, base))
        consumed = {path for path in paths if any(o.holds(path) for o in overlays)}
        ctx.consumed_argo_files.update(consumed)
        ctx.argo_apps[:] = [app for app in ctx.argo_apps if app.file not in consumed]
        for overlay in overlays:  # Argo CD's own configuration, not an app with envs to compare
            ctx.consumers.setdefault(overlay.kustomization, "Argo CD objects")


def _env_kustomizations(ctx: Any) -> list[Overlay]:
    """Every kustomization whose directory names an env; none when no such directory names the
    production env (only production's are built: the checks judge production's build, and building
    the others would cost without a finding; the others are only consumers of the base)."""
    named = []
    for path in ctx.files:
        directory = posixpath.dirname(path)
        found = ctx.scheme.find(posixpath.basename(directory)) if directory and \
            posixpath.basename(path) in KUSTOMIZATIONS else None
        if found is not None:
            named.append((path, directory, ctx.scheme.env(found[0], posixpath.basename(directory))))
    if not any(env.production for _, _, env in named):
        return []
    return [Overlay(directory, path, env, _references(ctx, path, directory)) for path, directory, env in named]


def _argo_documents(ctx: Any) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """(kind, name) -> (file, document) of every Application and ApplicationSet as written."""
    found: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for path, index, data in ctx.argo_docs:
        meta = data.get("metadata")
        if data.get("kind") in _KINDS and isinstance(meta, dict) and isinstance(meta.get("name"), str):
            found.setdefault((data["kind"], meta["name"]), []).append((path, index))
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


def _local_matcher(ctx: Any, objects: list[dict[str, Any]]) -> Callable[[str], bool]:
    """Which repoURLs are this repository, decided as for hand-written Applications (argodocs)."""
    from gitops_lint import gitio
    from gitops_lint.argodocs import local_matcher

    matcher, _ = local_matcher([("", 0, obj) for obj in objects], gitio.remote_urls(ctx.root), ctx.file_set)
    return matcher


def _as_application(kind: str, data: dict[str, Any], file: str, doc: int, overlay: str,
                    is_local: Callable[[str], bool]) -> tuple[ArgoApp | None, KeyPath]:
    """The Application as built, or an ApplicationSet's template read as one (None when a
    templatePatch may change its sync policy: not judged)."""
    base: KeyPath = ()
    if kind == "ApplicationSet":
        spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
        template, patch = spec.get("template"), spec.get("templatePatch")
        if not isinstance(template, dict) or (isinstance(patch, str) and "syncPolicy" in patch):
            return None, ()
        data = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **template}
        base = ("spec", "template")
    app, _ = argocd.rendered_application(data, file=file, doc=doc, base=base, is_local=is_local,
                                         generated_by=f"overlay {overlay}", where=f"{overlay}: {kind}")
    return app, base
