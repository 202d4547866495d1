"""The records and the protocol every renderer shares (the ground floor of `render/`).

A `RenderRequest` holds everything that decides the output besides the files; a renderer turns
it into a `Plan` (which repo files the render reads, where they go in the private copy) and the
plan into `Rendered` objects. Rendering never raises for a problem of the linted repo: the
reason comes back, one line, in `Rendered.error`.
"""
from __future__ import annotations

import hashlib
import json
import math
from typing import Any, NamedTuple, Protocol

from gitops_lint.snapshot import Snapshot

FORMAT = 2  # bump when a cached `Rendered` changes shape or meaning


class RenderRequest(NamedTuple):
    """One env of one app, as Argo CD would render it."""

    kind: str  # "helm" | "kustomize"
    path: str  # repo-relative chart dir or kustomization dir ("." for the top)
    release: str = ""  # Helm release name: Argo CD uses the Application name (or helm.releaseName)
    namespace: str = ""  # the Application's destination namespace
    # Helm values layers in merge order, already loaded (valueFiles, then values/valuesObject,
    # then parameters as nested maps); later layers win key by key, as with `helm -f a -f b`
    values: tuple[Any, ...] = ()
    kube_version: str = ""  # .Capabilities.KubeVersion ("v1.30.0"); "" keeps Helm's default
    api_versions: tuple[str, ...] = ()  # extra .Capabilities.APIVersions ("monitoring.coreos.com/v1")
    include_crds: bool = True  # Argo CD passes --include-crds unless the source says skipCrds
    # Kustomize: ask for origin annotations (each object's source file); they make a large build
    # several times slower, so a caller that locates objects itself turns them off
    origins: bool = True


class RenderedObject(NamedTuple):
    kind: str
    name: str
    namespace: str | None  # metadata.namespace, else the destination namespace; None: cluster-scoped
    object: dict[str, Any]  # the object exactly as rendered (plain data)
    source: str  # the file it came from: a repo path when there is one, else Helm's template name


class Rendered(NamedTuple):
    objects: tuple[RenderedObject, ...]
    error: str | None = None  # why it could not render (one line); None when it did


class Options(NamedTuple):
    """How a render may run: limits of the child process that runs it."""

    timeout: float = 5.0  # wall-clock seconds for one render, start-up excluded (big real charts: ~1-2 s)
    memory_mib: int = 2048  # address-space cap (RLIMIT_AS); the Go runtime alone reserves ~1 GiB
    max_files: int = 5000  # files one render may copy out of the snapshot
    max_bytes: int = 64 * 1024 * 1024  # their total size, and the rendered output's


class Plan(NamedTuple):
    """What one render reads: (path in the private copy, repo path, content digest), sorted."""

    files: tuple[tuple[str, str, str], ...]
    error: str | None = None  # why it must not render (a remote base, a path leaving the repo)
    sources: tuple[tuple[str, str], ...] = ()  # private-copy dir -> repo dir, where they differ
    data: dict[str, bytes] | None = None  # repo path -> bytes read while planning (not in the key)


class Renderer(Protocol):
    name: str  # "helm" | "kustomize": the RenderRequest.kind it serves

    def available(self) -> bool:
        """Whether a backend can run here (the SDK imports, a binary is found)."""
        ...

    def version(self) -> str:
        """The backend's identity: part of every cache key, so an upgrade re-renders."""
        ...

    def plan(self, snapshot: Snapshot, request: RenderRequest, options: Options) -> Plan: ...

    def run(self, snapshot: Snapshot, request: RenderRequest, plan: Plan, options: Options) -> Rendered: ...

    def render(self, snapshot: Snapshot, request: RenderRequest, options: Options = ...) -> Rendered: ...


def failed(message: str) -> Rendered:
    return Rendered((), " ".join(message.split()))


def canonical(value: Any) -> Any:
    """`value` as JSON-able data with a fixed order (dict keys of any type, sorted by repr)."""
    if isinstance(value, dict):
        return [[repr(k), canonical(v)] for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))]
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def cache_key(renderer: Renderer, request: RenderRequest, plan: Plan) -> str:
    payload = json.dumps([FORMAT, renderer.name, renderer.version(), canonical(request._asdict()),
                          plan.files, plan.sources], separators=(",", ":"))
    return "render-" + hashlib.sha1(payload.encode()).hexdigest()


def to_cached(rendered: Rendered) -> Any:
    """A marshal-able form of `rendered` (tuples and plain data only)."""
    return (rendered.error, tuple(tuple(obj) for obj in rendered.objects))


def from_cached(value: Any) -> Rendered | None:
    try:
        error, objects = value
        return Rendered(tuple(RenderedObject(*obj) for obj in objects), error)
    except (TypeError, ValueError):
        return None  # damaged or of another shape: rendered again
