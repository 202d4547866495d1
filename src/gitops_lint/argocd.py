"""Argo CD Application and ApplicationSet manifests -> ArgoApp records.

ApplicationSets are expanded where their parameters are static (list generators, and matrix or
merge generators made only of lists); other generators are reported as notices, never guessed.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from typing import Any

from gitops_lint import gitio
from gitops_lint.model import ArgoApp, KeyPath, Origin, Source

APP_KINDS = ("Application", "ApplicationSet")
_TEMPLATE = re.compile(r"\{\{-?\s*\.?([A-Za-z_][\w.\-]*)\s*-?\}\}")


def is_argo_doc(data: Any) -> bool:
    return (isinstance(data, dict) and data.get("kind") in APP_KINDS
            and str(data.get("apiVersion", "")).startswith("argoproj.io/"))


def parse_doc(data: dict[str, Any], *, file: str, doc: int,
              is_local: Callable[[str], bool]) -> tuple[list[ArgoApp], list[str]]:
    """Applications defined by one document, and notices about what could not be modeled."""
    if data.get("kind") == "Application":
        app = _application(data, file=file, doc=doc, base=(), is_local=is_local, generated_by=None)
        return ([app] if app else []), []
    return _application_set(data, file=file, doc=doc, is_local=is_local)


def _application(data: Any, *, file: str, doc: int, base: KeyPath, is_local: Callable[[str], bool],
                 generated_by: str | None) -> ArgoApp | None:
    if not isinstance(data, dict):
        return None
    meta = data.get("metadata") or {}
    spec = data.get("spec") or {}
    if not isinstance(meta, dict) or not isinstance(spec, dict) or not meta.get("name"):
        return None
    dest = spec.get("destination") or {}
    if not isinstance(dest, dict):
        dest = {}
    sources: list[Source] = []
    if isinstance(spec.get("sources"), list):
        for index, raw in enumerate(spec["sources"]):
            source = _source(raw, Origin(file, base + ("spec", "sources", index), doc), is_local)
            if source:
                sources.append(source)
    elif isinstance(spec.get("source"), dict):
        source = _source(spec["source"], Origin(file, base + ("spec", "source"), doc), is_local)
        if source:
            sources.append(source)
    hydrator = None
    hydra = spec.get("sourceHydrator")
    if not sources and isinstance(hydra, dict) and isinstance(hydra.get("drySource"), dict):
        # Argo CD source hydrator: values come from drySource; what syncs is syncSource's branch
        source = _source(hydra["drySource"], Origin(file, base + ("spec", "sourceHydrator", "drySource"), doc),
                         is_local)
        sync: dict[str, Any] = hydra["syncSource"] if isinstance(hydra.get("syncSource"), dict) else {}
        to: dict[str, Any] = hydra["hydrateTo"] if isinstance(hydra.get("hydrateTo"), dict) else {}
        if source:
            sources.append(source)
        if sync.get("targetBranch"):
            hydrator = (str(to["targetBranch"]) if to.get("targetBranch") else None, str(sync["targetBranch"]))
    sync = spec.get("syncPolicy") or {}
    automated = isinstance(sync, dict) and isinstance(sync.get("automated"), dict)
    if automated and sync["automated"].get("enabled") is False:  # Argo CD 3.x switch
        automated = False
    elif isinstance(sync, dict) and sync.get("automated") is not None and not isinstance(sync.get("automated"), dict):
        automated = bool(sync.get("automated"))
    return ArgoApp(
        name=str(meta["name"]), file=file, doc=doc, base=base, project=str(spec.get("project") or "default"),
        dest_server=str(dest.get("server") or dest.get("name") or "https://kubernetes.default.svc"),
        dest_namespace=str(dest.get("namespace") or ""), sources=tuple(sources), automated=automated,
        generated_by=generated_by, hydrator=hydrator,
    )


def _source(raw: Any, origin: Origin, is_local: Callable[[str], bool]) -> Source | None:
    if not isinstance(raw, dict):
        return None
    helm: dict[str, Any] = raw["helm"] if isinstance(raw.get("helm"), dict) else {}
    params = []
    for param in helm.get("parameters") or ():
        if isinstance(param, dict) and param.get("name") is not None:
            params.append((str(param["name"]), "" if param.get("value") is None else str(param["value"])))
    values = helm.get("values")
    repo_url = str(raw.get("repoURL") or "")
    return Source(
        repo_url=repo_url,
        path=None if raw.get("path") is None else str(raw["path"]),
        chart=None if raw.get("chart") is None else str(raw["chart"]),
        target_revision=str(raw.get("targetRevision") or "HEAD"),
        ref=None if raw.get("ref") is None else str(raw["ref"]),
        value_files=tuple(str(f) for f in helm.get("valueFiles") or () if f is not None),
        values_text=values if isinstance(values, str) else None,
        values_object=helm.get("valuesObject") if isinstance(helm.get("valuesObject"), dict)
        else (values if isinstance(values, dict) else None),
        parameters=tuple(params),
        ignore_missing_value_files=bool(helm.get("ignoreMissingValueFiles")),
        local=is_local(repo_url) and raw.get("chart") is None,
        origin=origin,
    )


def _application_set(data: dict[str, Any], *, file: str, doc: int,
                     is_local: Callable[[str], bool]) -> tuple[list[ArgoApp], list[str]]:
    name = str((data.get("metadata") or {}).get("name") or "?")
    spec = data.get("spec") or {}
    template = spec.get("template") if isinstance(spec, dict) else None
    if not isinstance(template, dict):
        return [], [f"{file}: ApplicationSet {name} has no template; its Applications are not modeled"]
    notices: list[str] = []
    params: list[dict[str, Any]] = []
    for generator in spec.get("generators") or ():
        rows = _static_params(generator)
        if rows is None:
            kinds = ", ".join(sorted(generator)) if isinstance(generator, dict) else "?"
            notices.append(f"{file}: ApplicationSet {name}: the {kinds} generator is not static; "
                           "the Applications it makes are not modeled")
            continue
        params.extend(rows)
    apps = []
    for element in params:
        rendered = _render(template, element)
        if _has_template(rendered):
            notices.append(f"{file}: ApplicationSet {name}: template fields left unresolved for element "
                           f"{_describe(element)}; that Application is not modeled")
            continue
        app = _application(rendered, file=file, doc=doc, base=("spec", "template"), is_local=is_local,
                           generated_by=f"ApplicationSet {name}")
        if app:
            apps.append(app)
    return apps, notices


def _static_params(generator: Any) -> list[dict[str, Any]] | None:
    """Parameter sets of a generator that needs no cluster or remote repo, else None."""
    if not isinstance(generator, dict):
        return None
    if isinstance(generator.get("list"), dict):
        elements = generator["list"].get("elements")
        if not isinstance(elements, list) or generator["list"].get("elementsYaml"):
            return None
        return [_flatten(e) for e in elements if isinstance(e, dict)]
    if isinstance(generator.get("matrix"), dict):
        parts = [_static_params(g) for g in generator["matrix"].get("generators") or ()]
        if len(parts) != 2 or any(p is None for p in parts):
            return None
        return [{**a, **b} for a in parts[0] or () for b in parts[1] or ()]
    return None


def _flatten(element: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """List elements may nest (`{{values.x}}`, `{{.a.b}}`): expose every dotted path too."""
    out: dict[str, Any] = {}
    for key, value in element.items():
        out[f"{prefix}{key}"] = value
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
    return out


def _render(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, str):
        def substitute(match: re.Match[str]) -> str:
            key = match.group(1)
            return str(params[key]) if key in params and not isinstance(params[key], (dict, list)) \
                else match.group(0)
        return _TEMPLATE.sub(substitute, value)
    if isinstance(value, dict):
        return {_render(k, params): _render(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, params) for v in value]
    return value


def _has_template(value: Any) -> bool:
    return any("{{" in text for text in _strings(value))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _describe(element: dict[str, Any]) -> str:
    simple = {k: v for k, v in element.items() if not isinstance(v, (dict, list)) and "." not in k}
    return ", ".join(f"{k}={v}" for k, v in list(simple.items())[:3]) or "?"


def chart_source(app: ArgoApp) -> Source | None:
    for source in app.sources:
        if source.ref is None and (source.path is not None or source.chart is not None):
            return source
    return next((s for s in app.sources if s.path is not None), app.sources[0] if app.sources else None)


def resolve_value_file(app: ArgoApp, value_file: str) -> str | None:
    """Repo-relative path of a valueFile, or None when it lives outside this repository."""
    if "://" in value_file:
        return None
    if value_file.startswith("$"):
        ref, _, rest = value_file[1:].partition("/")
        source = next((s for s in app.sources if s.ref == ref), None)
        if source is None or not source.local:
            return None
        return posixpath.normpath(rest) if rest else None
    chart = chart_source(app)
    if chart is None or not chart.local or chart.path is None:
        return None
    return posixpath.normpath(posixpath.join(chart.path.strip("/"), value_file)) if chart.path.strip("/") \
        else posixpath.normpath(value_file)


def source_key(source: Source, fold: Callable[[str], str]) -> tuple[str, str, str]:
    """What makes two envs deploy "the same thing": repo, path and chart, env names folded."""
    return (gitio.normalize_url(source.repo_url), fold(posixpath.normpath(source.path or ".")),
            fold(source.chart or ""))


def is_pinned_revision(revision: str, tags: frozenset[str]) -> bool:
    """A tag or a commit: production may auto-sync from these. Branches and ranges move."""
    text = revision.strip()
    if not text or text.upper() == "HEAD":
        return False
    if text.startswith("refs/tags/") or text in tags:
        return True
    if re.fullmatch(r"[0-9a-f]{7,40}", text):
        return True
    # v1.2.3, 1.2.3, 2024.01.15, v1.2.3-rc.1: release tags or exact chart versions
    return bool(re.fullmatch(r"v?\d+(\.\d+){1,3}([-+][0-9A-Za-z.\-]+)?", text))
