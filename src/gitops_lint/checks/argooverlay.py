"""argocd/* over the Argo CD objects env overlays build (argo_overlays), judged as built: a prod
overlay that keeps the base's automated sync from `main` while the staging overlay patches it away
is found on the overlay's build, not on the base file read alone."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from gitops_lint import argocd, embedded
from gitops_lint.checks import Hit
from gitops_lint.model import ArgoApp, KeyPath, Origin
from gitops_lint.repo import RepoModel

Pinned = Callable[[RepoModel, ArgoApp, str], bool]


def auto_sync(model: RepoModel, pinned: Pinned) -> Iterator[Hit]:
    """Production's overlay builds an Application, or an ApplicationSet template, that syncs
    automatically from a moving revision."""
    hits: dict[tuple[Any, ...], list[Any]] = {}  # one finding per line: the prod overlays that build it
    for obj in model.overlay_objects:
        app = obj.app
        if not obj.env.production or app is None or not app.automated or app.hydrator is not None:
            continue
        source = argocd.chart_source(app)
        revision = source.target_revision if source else "HEAD"
        if "{{" in revision or pinned(model, app, revision):
            continue
        keys = obj.base + ("spec", "syncPolicy", "automated")
        hits.setdefault((_located(model, obj, keys), obj.kind, obj.name, revision), []).append(obj)
    for (where, kind, name, revision), built in hits.items():
        envs = list(dict.fromkeys(o.env.name for o in built))
        yield Hit("overlay", where, name, envs[0], {
            "envs": _and(envs), "kind": kind, "name": name, "overlays": _and([o.overlay for o in built]),
            "revision": revision or "HEAD", "automated": ".".join(str(k) for k in (where.keypath or keys)),
        }, anchor=f"{kind}/{name}:{','.join(o.overlay for o in built)}")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _located(model: RepoModel, obj: Any, keys: KeyPath) -> Origin:
    """At the line of the file the object came from, when that file writes it; else the overlay's
    kustomization (a patch of the overlay added it)."""
    loaded = model.cache.load(obj.file)
    docs = [doc.data for doc in loaded.docs] if loaded is not None else []
    if embedded.resolve(docs, Origin(obj.file, keys, obj.doc)) is not None:
        return Origin(obj.file, keys, obj.doc)
    return Origin(obj.kustomization, None)
