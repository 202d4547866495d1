"""Gateway API exposure: which Gateway listeners a route attaches to, and whether they speak TLS.

Gateways are usually shared infrastructure defined once in the repo (`infrastructure/gateway.yaml`),
while each app's route lives in its values (`httpRoute.parentRefs`, as charts such as podinfo take
it) or in what its chart renders (`kind: HTTPRoute`). A route attaches to the listener its
`parentRefs` entry names (`sectionName`), else to the listeners on its `port`, else to every
listener of the Gateway. A route whose every attached listener is plain `HTTP` serves its hosts
without TLS, unless each of its rules only redirects to https. A Gateway that is not in the repo
cannot be judged, so such a route is left alone.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from gitops_lint.model import KeyPath, Origin

_TLS_PROTOCOLS = frozenset({"HTTPS", "TLS"})
_ROUTE_KINDS = frozenset({"HTTPRoute", "GRPCRoute"})
_MAX_GATEWAY_FILES = 2000  # files that mention a Gateway; past this the rest are not read


class Listener(NamedTuple):
    gateway: str
    namespace: str | None
    name: str
    protocol: str
    port: Any
    origin: Origin  # the listener's protocol in the Gateway's file


class Route(NamedTuple):
    keypath: KeyPath  # where the route is (values key path, or () for a rendered object)
    hostnames: tuple[str, ...]
    parent_refs: tuple[tuple[KeyPath, dict[str, Any]], ...]  # (key path of the entry, the entry)
    redirects_only: bool  # every rule is a redirect to https


def gateways(files: list[str], cache: Any) -> list[Listener]:
    """Every listener of every Gateway defined in the repo's YAML files."""
    found: list[Listener] = []
    read = 0
    for path in files:
        if not path.endswith((".yaml", ".yml")) or read >= _MAX_GATEWAY_FILES:
            continue
        try:
            if b"gateway.networking.k8s.io" not in cache.mentions(path):
                continue
        except Exception:  # noqa: BLE001 - unreadable files are yaml/* findings elsewhere
            continue
        read += 1
        loaded = cache.load(path)
        for index, doc in enumerate(loaded.docs if loaded is not None else ()):
            found.extend(_listeners(doc.data, path, index))
    return found


def _listeners(data: Any, path: str, doc: int) -> Iterator[Listener]:
    if not isinstance(data, dict) or data.get("kind") != "Gateway" or \
            not str(data.get("apiVersion", "")).startswith("gateway.networking.k8s.io/"):
        return
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    name = meta.get("name")
    listeners = spec.get("listeners")
    if not isinstance(name, str) or not isinstance(listeners, list):
        return
    namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else None
    for index, item in enumerate(listeners):
        if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("protocol"), str):
            yield Listener(name, namespace, item["name"], item["protocol"], item.get("port"),
                           Origin(path, ("spec", "listeners", index, "protocol"), doc))


def value_routes(data: Any, path: KeyPath = ()) -> Iterator[Route]:
    """Routes set in values: a mapping with a `parentRefs` list (and not `enabled: false`)."""
    if isinstance(data, dict):
        if isinstance(data.get("parentRefs"), list):
            if data.get("enabled", True) not in (False, "false"):
                yield _route(data, path)
            return
        for key, value in data.items():
            yield from value_routes(value, path + (key,))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from value_routes(item, path + (index,))


def rendered_routes(objects: tuple[Any, ...]) -> Iterator[tuple[Any, Route]]:
    """Routes a chart or overlay renders: (the rendered object, its route)."""
    for obj in objects:
        spec = obj.object.get("spec") if isinstance(obj.object, dict) else None
        if obj.kind in _ROUTE_KINDS and isinstance(spec, dict) and isinstance(spec.get("parentRefs"), list):
            yield obj, _route(spec, ())


def _route(spec: dict[str, Any], path: KeyPath) -> Route:
    hostnames = tuple(h for h in spec.get("hostnames") or () if isinstance(h, str)) \
        if isinstance(spec.get("hostnames"), list) else ()
    refs = tuple((path + ("parentRefs", i), ref) for i, ref in enumerate(spec["parentRefs"]) if isinstance(ref, dict))
    rules = spec.get("rules") if isinstance(spec.get("rules"), list) else []
    return Route(path, hostnames, refs, bool(rules) and all(_redirects(rule) for rule in rules))


def _redirects(rule: Any) -> bool:
    filters = rule.get("filters") if isinstance(rule, dict) else None
    return isinstance(filters, list) and any(
        isinstance(f, dict) and isinstance(f.get("requestRedirect"), dict)
        and f["requestRedirect"].get("scheme") == "https" for f in filters)


def plain_http(route: Route, listeners: list[Listener], namespace: str | None) -> tuple[KeyPath, Listener] | None:
    """The first parentRef whose attached listeners are all plain HTTP (with one of them), or None
    when the route reaches TLS somewhere, redirects to https, or its Gateway is not in the repo."""
    if route.redirects_only:
        return None
    verdict: tuple[KeyPath, Listener] | None = None
    for keypath, ref in route.parent_refs:
        attached = _attached(ref, listeners, namespace)
        if not attached:
            return None  # a Gateway we cannot see: no judgement
        if any(listener.protocol.upper() in _TLS_PROTOCOLS for listener in attached):
            return None
        verdict = verdict or (keypath, attached[0])
    return verdict


def _attached(ref: dict[str, Any], listeners: list[Listener], namespace: str | None) -> list[Listener]:
    if ref.get("kind", "Gateway") != "Gateway" or not isinstance(ref.get("name"), str):
        return []
    wanted_ns = ref.get("namespace") if isinstance(ref.get("namespace"), str) else namespace
    same = [lst for lst in listeners if lst.gateway == ref["name"]
            and (wanted_ns is None or lst.namespace is None or lst.namespace == wanted_ns)]
    if isinstance(ref.get("sectionName"), str):
        return [lst for lst in same if lst.name == ref["sectionName"]]
    if ref.get("port") is not None:
        return [lst for lst in same if lst.port == ref["port"]]
    return same
