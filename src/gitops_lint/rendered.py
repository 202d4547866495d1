"""Rendered objects in the model: what an env's chart or overlay really produces, and where in the
repo each rendered value comes from.

An env is rendered when its chart has templates (or it is a Kustomize overlay) and a backend is
installed; otherwise the values-based model stands alone and the report says so once. Images are
read from every pod spec (containers, initContainers, CronJob templates); a rendered value is
traced back to the values key that holds it (the unique one with that exact text), else to the
manifest line that sets it, else to the template file.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gitops_lint import images as images_mod
from gitops_lint.model import Deployment, Image, KeyPath
from gitops_lint.values import Effective

if TYPE_CHECKING:
    from gitops_lint.render import RenderedObject

_POD_PATHS = {
    "Pod": ("spec",), "Deployment": ("spec", "template", "spec"), "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"), "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"), "Rollout": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def request(dep: Deployment, chart_values: str | None, layers: list[Any]) -> Any:
    """The render request of an env, or None when it cannot be rendered from this repo."""
    from gitops_lint.render import RenderRequest

    release = dep.argo.name if dep.argo is not None else f"{dep.app}-{dep.env.name}"
    namespace = dep.namespace or dep.env.name
    if dep.kind == "kustomize" and dep.value_files:
        path = dep.value_files[0].rsplit("/", 1)[0] if "/" in dep.value_files[0] else "."
        return RenderRequest("kustomize", path, release=release, namespace=namespace)
    if dep.kind == "helm" and dep.chart_dir is not None:
        values = tuple(layer.data for layer in layers if layer.path != chart_values and isinstance(layer.data, dict))
        return RenderRequest("helm", dep.chart_dir or ".", release=release, namespace=namespace, values=values)
    return None


def manifest_objects(dep: Deployment, cache: Any) -> tuple[Any, ...]:
    """The objects of an env made of plain manifests, each named by its file."""
    from gitops_lint.render import RenderedObject

    out = []
    for path in dep.value_files:
        loaded = cache.load(path)
        for doc in loaded.docs if loaded is not None else ():
            data = doc.data
            if isinstance(data, dict) and isinstance(data.get("kind"), str):
                meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
                out.append(RenderedObject(data["kind"], str(meta.get("name") or ""), dep.namespace, data, path))
    return tuple(out)


def pod_images(objects: tuple[RenderedObject, ...]) -> Iterator[tuple[RenderedObject, KeyPath, str]]:
    """(object, key path of the `image` field inside it, image text) of every container."""
    for obj in objects:
        base = _POD_PATHS.get(obj.kind)
        spec = _at(obj.object, base) if base else None
        if not isinstance(spec, dict):
            continue
        for key in _CONTAINER_LISTS:
            containers = spec.get(key)
            for index, container in enumerate(containers if isinstance(containers, list) else ()):
                if isinstance(container, dict) and isinstance(container.get("image"), str):
                    yield obj, base + (key, index, "image"), container["image"]  # type: ignore[operator]


def _at(data: Any, path: KeyPath) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def reconcile(found: list[Image], objects: tuple[RenderedObject, ...], values: Effective,
              locate: Any) -> list[Image]:
    """The images an env runs: the values' images that the render really uses (a disabled block's
    image is dropped), plus rendered images the values conventions missed, traced to their source.
    `locate(obj, keypath, text)` finds a manifest origin for a rendered value outside values."""
    rendered = [(obj, path, images_mod.parse_ref(text)) for obj, path, text in pod_images(objects)]
    rendered = [(obj, path, ref) for obj, path, ref in rendered if ref is not None]
    kept = [image for image in found if any(_same(image, ref) for _, _, ref in rendered)]
    for obj, path, ref in rendered:
        _, repository, tag, digest = ref  # type: ignore[misc]
        if any(_same(image, ref) for image in kept):  # type: ignore[arg-type]
            continue
        tag_path = trace(values.data, tag) if tag else None
        repo_path = trace(values.data, repository, near=tag_path)
        fallback = locate(obj, path, f"{repository}{':' + tag if tag else ''}{'@' + digest if digest else ''}")
        kept.append(Image(
            keypath=image_keypath(tag_path, repo_path) or ("rendered", obj.kind, obj.name) + path,
            registry="", repository=repository, tag=tag, digest=digest,
            tag_origin=values.origin(tag_path) if tag_path else fallback,
            repo_origin=values.origin(repo_path) if repo_path else fallback, kind="rendered"))
    return kept


def _same(image: Image, ref: tuple[str, str, str, str]) -> bool:
    _, repository, tag, digest = ref
    if image.digest and digest:
        return image.digest == digest
    if image.tag != tag and not (image.digest and image.digest == digest):
        return False
    name = image.name.lower()
    return name == repository.lower() or name.endswith("/" + repository.lower()) \
        or repository.lower().endswith("/" + name) or not image.repository


def image_keypath(tag_path: KeyPath | None, repo_path: KeyPath | None) -> KeyPath | None:
    """Where an image traced to values keys is anchored: the mapping holding its tag (or repository)
    key, or the key itself at the top level (`image_version`). Now and history use this one answer."""
    path = tag_path or repo_path
    return (path[:-1] or path) if path else None


def trace(data: Any, text: str, path: KeyPath = (), near: KeyPath | None = None) -> KeyPath | None:
    """The one key path whose value is exactly `text` (None when none, or more than one: ambiguous);
    among several, the one beside `near` (the repository key next to the tag key)."""
    hits = list(_find(data, text, path))
    if len(hits) > 1 and near is not None:
        hits = [hit for hit in hits if hit[:-1] == near[:-1]]
    return hits[0] if len(hits) == 1 else None


def _find(data: Any, text: str, path: KeyPath) -> Iterator[KeyPath]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _find(value, text, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _find(value, text, path + (index,))
    elif isinstance(data, (str, int, float)) and not isinstance(data, bool) and str(data) == text:
        yield path


_SCALED = ("Deployment", "StatefulSet", "ReplicaSet", "Rollout")


def scaling(objects: tuple[RenderedObject, ...]) -> dict[str, tuple[int, str]]:
    """`Deployment web replicas` / `HorizontalPodAutoscaler web minReplicas` -> (number, source file)."""
    out: dict[str, tuple[int, str]] = {}
    for obj in objects:
        spec = obj.object.get("spec") if isinstance(obj.object.get("spec"), dict) else {}
        if obj.kind in _SCALED:
            fields: tuple[str, ...] = ("replicas",)
        elif obj.kind == "HorizontalPodAutoscaler":
            fields = ("minReplicas", "maxReplicas")
        else:
            continue
        for field in fields:
            value = spec.get(field)
            if isinstance(value, int) and not isinstance(value, bool):
                out[f"{obj.kind} {obj.name} {field}"] = (value, obj.source)
    return out


_POD_FIELDS = ("nodeSelector", "affinity", "tolerations", "topologySpreadConstraints", "priorityClassName",
               "securityContext")
_CONTAINER_FIELDS = ("resources", "livenessProbe", "readinessProbe", "startupProbe", "securityContext")


def shaping(objects: tuple[RenderedObject, ...]) -> dict[str, tuple[Any, str]]:
    """Production-shaping settings as rendered, by a readable key (`Deployment web: container web
    resources`), with the file each comes from: pod placement and security, each container's
    resources, probes and security context, PodDisruptionBudgets."""
    out: dict[str, tuple[Any, str]] = {}
    for obj in objects:
        if obj.kind == "PodDisruptionBudget":
            spec = obj.object.get("spec") if isinstance(obj.object.get("spec"), dict) else {}
            for field in ("minAvailable", "maxUnavailable"):
                if field in spec:
                    out[f"PodDisruptionBudget {obj.name} {field}"] = (spec[field], obj.source)
            continue
        base = _POD_PATHS.get(obj.kind)
        spec = _at(obj.object, base) if base else None
        if not isinstance(spec, dict):
            continue
        for field in _POD_FIELDS:
            if field in spec:
                out[f"{obj.kind} {obj.name} {field}"] = (spec[field], obj.source)
        for key in ("initContainers", "containers"):
            for container in spec.get(key) if isinstance(spec.get(key), list) else ():
                if isinstance(container, dict):
                    for field in _CONTAINER_FIELDS:
                        if field in container:
                            out[f"{obj.kind} {obj.name} container {container.get('name')} {field}"] = (
                                container[field], obj.source)
    return out


def ingress_coverage(objects: tuple[RenderedObject, ...]) -> list[tuple[RenderedObject, list[str], bool]]:
    """Each rendered Ingress: its hosts, and whether TLS covers every one of them."""
    from gitops_lint.checks.exposure import covers, lb_tls

    out = []
    for obj in objects:
        if obj.kind != "Ingress":
            continue
        spec = obj.object.get("spec") if isinstance(obj.object.get("spec"), dict) else {}
        rules = spec.get("rules") if isinstance(spec.get("rules"), list) else []
        hosts = [r["host"] for r in rules if isinstance(r, dict) and isinstance(r.get("host"), str)]
        tls = spec.get("tls") if isinstance(spec.get("tls"), list) else []
        tls_hosts = [str(h) for t in tls if isinstance(t, dict) for h in (t.get("hosts") or ())]
        covered = bool(tls) and (not hosts or all(any(covers(p, h) for p in tls_hosts) for h in hosts)
                                 or any(isinstance(t, dict) and not t.get("hosts") for t in tls))
        meta = obj.object.get("metadata") if isinstance(obj.object.get("metadata"), dict) else {}
        covered = covered or lb_tls(meta.get("annotations"))
        out.append((obj, hosts, covered))
    return out
