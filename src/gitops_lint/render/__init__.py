"""Rendering: what an env really runs, as Argo CD would render it (Helm or Kustomize → objects).

    rendered = render(snapshot, RenderRequest("helm", "charts/web", release="web-prod",
                                              namespace="prod", values=(base, prod)), cache=cache)
    for obj in rendered.objects: ...   # kind, name, namespace, object (plain dict), source path

The repo is hostile: files are copied out of the snapshot into a private temp dir and rendered
by a child process with a timeout and a memory cap (`Options`), never in place. A render that
cannot be done says why in `Rendered.error`; nothing here raises for the repo's content.
"""
from __future__ import annotations

from typing import Any

from gitops_lint.cache import DiskCache
from gitops_lint.snapshot import Snapshot

from .base import (Options, Plan, RenderedObject, Renderer, RenderRequest, Rendered, cache_key, failed,
                   from_cached, to_cached)
from .helm import HelmRenderer
from .kustomize import KustomizeRenderer
from .run import TRANSIENT

__all__ = ["Options", "Plan", "RenderRequest", "Rendered", "RenderedObject", "Renderer", "render",
           "renderer_for", "renderers"]

_RENDERERS: dict[str, Renderer] = {r.name: r for r in (HelmRenderer(), KustomizeRenderer())}


def renderers() -> dict[str, Renderer]:
    """Every renderer by the `RenderRequest.kind` it serves, sorted by name."""
    return dict(sorted(_RENDERERS.items()))


def renderer_for(kind: str) -> Renderer | None:
    return _RENDERERS.get(kind)


def render(snapshot: Snapshot, request: RenderRequest, *, cache: DiskCache | None = None,
           options: Options = Options(), plans: dict[tuple[Any, ...], Plan] | None = None) -> Rendered:
    """Render `request`; with a cache, a render of the same request over the same bytes is a lookup.

    The key is the digest of the request, the backend's version and every file the render reads
    (read through `snapshot`), so an edit anywhere in the chart or overlay renders afresh. `plans`
    (one dict per run, over a snapshot that does not change) keeps each chart's plan for its other envs.
    """
    renderer = renderer_for(request.kind)
    if renderer is None:
        return failed(f"cannot render {request.kind!r}: the renderers are {', '.join(renderers())}")
    if not renderer.available():
        return failed(f"cannot render {request.kind}: no backend is installed (pip install 'gitops-lint[render]')")
    plan_key = (request.kind, request.path, options.max_files, options.max_bytes)
    if plans is None or plan_key not in plans:  # every env of a chart reads the same files: once per run
        plan = renderer.plan(snapshot, request, options)
        if plans is not None:
            plans[plan_key] = plan
    else:
        plan = plans[plan_key]
    if plan.error:
        return failed(plan.error)
    key = cache_key(renderer, request, plan) if cache is not None and cache.enabled else None
    if key is not None and cache is not None:
        hit = from_cached(cache.get_blob(key))
        if hit is not None:
            return hit
    rendered = renderer.run(snapshot, request, plan, options)
    if key is not None and cache is not None and not (rendered.error or "").startswith(TRANSIENT):
        cache.put_blob(key, to_cached(rendered))
    return rendered
