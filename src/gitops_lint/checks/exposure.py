"""exposure/*: protected envs are reachable the way prod is: an ingress, and TLS on every host."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from gitops_lint import gateways, keypaths
from gitops_lint.checks import CheckKind, Hit
from gitops_lint.model import KeyPath, Origin
from gitops_lint.repo import RepoModel
from gitops_lint.yamlio import format_keypath, value_at

_TLS_SECRET_KEYS = ("tlsSecretName", "secretName", "tlsSecret", "certificateSecretName")


class Ingress(NamedTuple):
    keypath: KeyPath
    enabled: bool
    hosts: tuple[tuple[str, KeyPath], ...]  # (host, where it is set)
    tls_all: bool  # TLS covers every host (a TLS entry without hosts, tls: true, a secret name)
    tls_hosts: tuple[str, ...]


def ingresses(data: Any, patterns: list[str]) -> list[Ingress]:
    found = []
    for path in keypaths.find(data, patterns):
        value = value_at(data, path)
        if isinstance(value, dict):
            found.append(_ingress(path, value))
    return found


def _ingress(path: KeyPath, value: dict[str, Any]) -> Ingress:
    hosts: list[tuple[str, KeyPath]] = []
    raw_hosts = value.get("hosts")
    if isinstance(raw_hosts, list):
        for index, item in enumerate(raw_hosts):
            if isinstance(item, str):
                hosts.append((item, path + ("hosts", index)))
            elif isinstance(item, dict) and isinstance(item.get("host"), str):
                hosts.append((item["host"], path + ("hosts", index, "host")))
    for key in ("host", "hostname"):
        if isinstance(value.get(key), str) and value[key]:
            hosts.append((value[key], path + (key,)))
    enabled = bool(value["enabled"]) if "enabled" in value else bool(hosts)
    tls = value.get("tls")
    tls_all = False
    tls_hosts: list[str] = []
    if isinstance(tls, list):
        for entry in tls:
            entry_hosts = entry.get("hosts") if isinstance(entry, dict) else None
            if isinstance(entry_hosts, list) and entry_hosts:
                tls_hosts.extend(str(h) for h in entry_hosts)
            elif entry:
                tls_all = True
    elif isinstance(tls, dict):
        tls_all = bool(tls.get("enabled", True)) and bool(tls)
    elif tls is True or (isinstance(tls, str) and tls.strip()):
        tls_all = True
    if any(isinstance(value.get(k), str) and value[k] for k in _TLS_SECRET_KEYS) or lb_tls(value.get("annotations")):
        tls_all = True
    return Ingress(path, enabled, tuple(hosts), tls_all, tuple(tls_hosts))


# annotations that make the cloud load balancer in front of the Ingress terminate TLS
_LB_CERTIFICATE = ("alb.ingress.kubernetes.io/certificate-arn", "ingress.gcp.kubernetes.io/pre-shared-cert",
                   "networking.gke.io/managed-certificates", "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
                   "service.beta.kubernetes.io/aws-load-balancer-ssl-cert")


def lb_tls(annotations: Any) -> bool:
    """TLS ends at the load balancer: an AWS ALB listening on HTTPS (`listen-ports` with HTTPS) or a
    certificate named for the ALB, GCE or Azure Application Gateway. The Ingress itself then has no
    `tls`, and that is not plain HTTP."""
    if not isinstance(annotations, dict):
        return False
    ports = annotations.get("alb.ingress.kubernetes.io/listen-ports")
    if isinstance(ports, str) and "HTTPS" in ports:
        return True
    return any(isinstance(annotations.get(key), str) and annotations[key].strip() for key in _LB_CERTIFICATE)


def covers(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == host


def missing_tls(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    listeners: list[gateways.Listener] | None = None  # read on first need: most repos have no routes
    for dep in model.deployments():
        objects = model.rendered_objects(dep)
        routes = _routes(model, dep, objects)
        if routes:
            listeners = gateways.gateways(sorted(model.file_set), model.cache) if listeners is None else listeners
            yield from _gateway_tls(model, dep, routes, listeners)
        if objects is not None:
            yield from _rendered_tls(model, dep, objects, params)
            continue
        if dep.kind != "helm":
            continue
        values = model.effective(dep)
        for ingress in ingresses(values.data, params["ingress_keys"]):
            if not ingress.enabled:
                continue
            key = format_keypath(ingress.keypath)
            fields = {"env": dep.env.name, "app": dep.app, "key": key,
                      "hosts": ", ".join(h for h, _ in ingress.hosts) or "every host",
                      "file": dep.own_file}
            if ingress.tls_all:
                continue
            if not ingress.tls_hosts:
                where = values.origin(ingress.keypath + ("enabled",)) or values.origin(ingress.keypath)
                yield Hit("default", where, dep.app, dep.env.name, fields, anchor=key, protected=dep.env.protected)
                continue
            for host, host_path in ingress.hosts:
                if not any(covers(pattern, host) for pattern in ingress.tls_hosts):
                    yield Hit("uncovered", values.origin(host_path), dep.app, dep.env.name,
                              {**fields, "host": host, "tls_hosts": ", ".join(ingress.tls_hosts)},
                              anchor=f"{key}:{host}", protected=dep.env.protected)


def _rendered_tls(model: RepoModel, dep: Any, objects: tuple[Any, ...], params: dict[str, Any]) -> Iterator[Hit]:
    """Judge what the chart renders: an Ingress the template gives TLS passes whatever the values say,
    and one that is not rendered (disabled) does not exist. Located at the values' ingress block
    when there is one, else at the template."""
    from gitops_lint.rendered import ingress_coverage

    values = model.effective(dep)
    blocks = [i for i in ingresses(values.data, params["ingress_keys"]) if i.enabled]
    for obj, hosts, covered in ingress_coverage(objects):
        if covered:
            continue
        key = format_keypath(blocks[0].keypath) if blocks else f"Ingress {obj.name}"
        where = (values.origin(blocks[0].keypath + ("enabled",)) or values.origin(blocks[0].keypath)) if blocks \
            else Origin(obj.source)
        line = None if blocks or obj.source not in model.file_set else model.cache.text_line(obj.source, "kind: Ingress")
        yield Hit("default", where, dep.app, dep.env.name, {
            "env": dep.env.name, "app": dep.app, "key": key, "hosts": ", ".join(hosts) or "every host",
            "file": dep.own_file}, anchor=key, protected=dep.env.protected, line=line, column=1 if line else None)


def _routes(model: RepoModel, dep: Any, objects: tuple[Any, ...] | None) -> list[tuple[Origin | None, gateways.Route]]:
    """The env's Gateway API routes: rendered ones when it renders, else those its values set."""
    if objects is not None:
        return [(Origin(obj.source) if obj.source in model.file_set else None, route)
                for obj, route in gateways.rendered_routes(objects)]
    values = model.effective(dep)
    return [(values.origin(route.keypath), route) for route in gateways.value_routes(values.data)]


def _gateway_tls(model: RepoModel, dep: Any, routes: list[tuple[Origin | None, gateways.Route]],
                 listeners: list[gateways.Listener]) -> Iterator[Hit]:
    values = model.effective(dep)
    for where, route in routes:
        plain = gateways.plain_http(route, listeners, dep.namespace)
        if plain is None:
            continue
        ref_path, listener = plain
        at = model.position(listener.origin)
        key = format_keypath(route.keypath) if route.keypath else "HTTPRoute"
        origin = (values.origin(ref_path + ("sectionName",)) or values.origin(ref_path)) if route.keypath else None
        yield Hit("gateway", origin or where, dep.app, dep.env.name, {
            "env": dep.env.name, "app": dep.app, "key": key, "hosts": ", ".join(route.hostnames) or "every host",
            "gateway": listener.gateway, "listener": listener.name, "protocol": listener.protocol,
            "gateway_file": listener.origin.path + (f":{at.line}" if at else ""), "file": dep.own_file,
        }, anchor=f"{key}:gateway", protected=dep.env.protected)


def missing_ingress(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    for up, dep in model.pairs():
        if not dep.env.protected or dep.kind != "helm" or up.kind != "helm":
            continue
        theirs = [i for i in ingresses(model.effective(up).data, params["ingress_keys"]) if i.enabled]
        values = model.effective(dep)
        ours = ingresses(values.data, params["ingress_keys"])
        if not theirs or any(i.enabled for i in ours):
            continue
        keypath = theirs[0].keypath
        where = values.origin(keypath + ("enabled",)) or values.origin(keypath)
        if where is None and dep.value_files:
            where = Origin(dep.value_files[-1])
        yield Hit("default", where, dep.app, dep.env.name, {
            "env": dep.env.name, "up_env": up.env.name, "key": format_keypath(keypath),
            "up_hosts": ", ".join(h for i in theirs for h, _ in i.hosts) or "its traffic",
            "file": dep.own_file,
        }, anchor=format_keypath(keypath), protected=True)


_PARAMS = {
    "type": "object", "additionalProperties": False,
    "properties": {"ingress_keys": {"type": "array", "items": {"type": "string"},
                                    "description": "Key path patterns of ingress settings in values."}},
}

KINDS = (
    CheckKind("ingress-tls", missing_tls, _PARAMS, "Finds enabled ingresses without TLS for every host."),
    CheckKind("ingress-presence", missing_ingress, _PARAMS,
              "Finds protected envs with no ingress where the env before them has one."),
)
