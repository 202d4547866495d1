"""Argo CD Application and ApplicationSet manifests -> ArgoApp records.

ApplicationSets are expanded where their parameters are static (appsets); other generators are
reported as notices, never guessed. Every field is read by type (argofields): a field of the wrong
type is a notice naming the file and the key, and the rest of the document is still modeled.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any

from gitops_lint import appsets, gitio, helmset
from gitops_lint.argofields import Fields, shown
from gitops_lint.model import ArgoApp, KeyPath, Origin, Source
from gitops_lint.yamlio import type_name

APP_KINDS = ("Application", "ApplicationSet")


def is_argo_doc(data: Any) -> bool:
    return (isinstance(data, dict) and data.get("kind") in APP_KINDS
            and str(data.get("apiVersion", "")).startswith("argoproj.io/"))


def parse_doc(data: dict[str, Any], *, file: str, doc: int, is_local: Callable[[str], bool],
              repo: appsets.RepoView | None = None) -> tuple[list[ArgoApp], list[str]]:
    """Applications defined by one document, and notices about what could not be modeled (a field of
    the wrong type, a generator that is not static, a helm parameter Helm would refuse). `repo` lets
    ApplicationSet generators read the repository (git files, cluster Secrets)."""
    if data.get("kind") == "Application":
        fields = Fields(f"{file}: Application")
        app = _application(data, file=file, doc=doc, base=(), is_local=is_local, generated_by=None, fields=fields)
        return ([app] if app else []), list(dict.fromkeys(fields.notes))
    def build(rendered: Any, fields: Fields, generated_by: str) -> ArgoApp | None:
        return _application(rendered, file=file, doc=doc, base=("spec", "template"), is_local=is_local,
                            generated_by=generated_by, fields=fields)
    apps, notices = appsets.expand(data, file=file, build=build, repo=repo)
    return apps, list(dict.fromkeys(notices))


def rendered_application(data: dict[str, Any], *, file: str, doc: int, base: KeyPath, where: str,
                         is_local: Callable[[str], bool], generated_by: str) -> tuple[ArgoApp | None, list[str]]:
    """An Application a chart rendered (app of apps), read field by field like a hand-written one;
    `file`/`base` are the repo values entry that produced it, `where` names it in notices."""
    fields = Fields(where)
    app = _application(data, file=file, doc=doc, base=base, is_local=is_local, generated_by=generated_by,
                       fields=fields)
    return app, list(dict.fromkeys(fields.notes))


def rendered_by_chart(app: ArgoApp) -> bool:
    """An Application a chart in the repo rendered (app of apps): its values are known only as of now."""
    return (app.generated_by or "").startswith("chart ")


def _application(data: Any, *, file: str, doc: int, base: KeyPath, is_local: Callable[[str], bool],
                 generated_by: str | None, fields: Fields) -> ArgoApp | None:
    if not isinstance(data, dict):
        return None
    meta = fields.mapping(data, "metadata", "metadata", then="the Application is not modeled") or {}
    name = fields.text(meta, "name", "metadata.name")
    if not name:
        return None
    fields.where = f"{fields.where} {name}"
    spec = fields.mapping(data, "spec", "spec") or {}
    dest = fields.mapping(spec, "destination", "spec.destination") or {}
    sources = _sources(spec, Origin(file, base, doc), is_local, fields)
    hydrator = None
    hydra = fields.mapping(spec, "sourceHydrator", "spec.sourceHydrator")
    if not sources and hydra:  # Argo CD source hydrator: values come from drySource; syncSource's branch syncs
        where = "spec.sourceHydrator"
        dry = fields.mapping(hydra, "drySource", f"{where}.drySource")
        sync = fields.mapping(hydra, "syncSource", f"{where}.syncSource") or {}
        to = fields.mapping(hydra, "hydrateTo", f"{where}.hydrateTo") or {}
        source = _source(dry, Origin(file, base + ("spec", "sourceHydrator", "drySource"), doc), is_local,
                         fields, f"{where}.drySource") if dry is not None else None
        sources = [source] if source else []
        branch = fields.text(sync, "targetBranch", f"{where}.syncSource.targetBranch")
        if branch:
            hydrator = (fields.text(to, "targetBranch", f"{where}.hydrateTo.targetBranch") or None, branch)
    return ArgoApp(
        name=name, file=file, doc=doc, base=base, project=fields.text(spec, "project", "spec.project") or "default",
        dest_server=fields.text(dest, "server", "spec.destination.server")
        or fields.text(dest, "name", "spec.destination.name") or "https://kubernetes.default.svc",
        dest_namespace=fields.text(dest, "namespace", "spec.destination.namespace") or "",
        sources=tuple(sources), automated=_automated(spec, fields), generated_by=generated_by, hydrator=hydrator,
    )


def _sources(spec: dict[Any, Any], origin: Origin, is_local: Callable[[str], bool], fields: Fields) -> list[Source]:
    """`spec.sources` when it is a list, else `spec.source`."""
    base = origin.keypath or ()
    listed = fields.sequence(spec, "sources", "spec.sources")
    if listed is not None:
        found = (_source(raw, Origin(origin.path, base + ("spec", "sources", index), origin.doc), is_local,
                         fields, f"spec.sources[{index}]") for index, raw in enumerate(listed))
        return [source for source in found if source]
    single = fields.mapping(spec, "source", "spec.source")
    source = _source(single, Origin(origin.path, base + ("spec", "source"), origin.doc), is_local, fields,
                     "spec.source") if single is not None else None
    return [source] if source else []


def _automated(spec: dict[Any, Any], fields: Fields) -> bool:
    sync = fields.mapping(spec, "syncPolicy", "spec.syncPolicy") or {}
    automated = sync.get("automated")
    if isinstance(automated, dict):
        return automated.get("enabled") is not False  # Argo CD 3.x switch
    return bool(automated)


def _source(raw: Any, origin: Origin, is_local: Callable[[str], bool], fields: Fields, path: str) -> Source | None:
    if not isinstance(raw, dict):
        fields.note(f"{path} is {type_name(raw)}, expected a mapping; ignored")
        return None
    helm = fields.mapping(raw, "helm", f"{path}.helm") or {}
    files = [fields.scalar(item, f"{path}.helm.valueFiles[{index}]")
             for index, item in enumerate(fields.sequence(helm, "valueFiles", f"{path}.helm.valueFiles") or ())]
    values = helm.get("values")
    if values is not None and not isinstance(values, (str, dict)):
        fields.note(f"{path}.helm.values is {type_name(values)}, expected text or a mapping; ignored")
    values_object = fields.mapping(helm, "valuesObject", f"{path}.helm.valuesObject")
    repo_url = fields.text(raw, "repoURL", f"{path}.repoURL") or ""
    chart = fields.text(raw, "chart", f"{path}.chart")
    return Source(
        repo_url=repo_url, path=fields.text(raw, "path", f"{path}.path"), chart=chart,
        target_revision=fields.text(raw, "targetRevision", f"{path}.targetRevision") or "HEAD",
        ref=fields.text(raw, "ref", f"{path}.ref"),
        value_files=tuple(f for f in files if f is not None),
        values_text=values if isinstance(values, str) else None,
        values_object=values_object if values_object is not None else (values if isinstance(values, dict) else None),
        parameters=_parameters(helm, fields, f"{path}.helm.parameters"),
        ignore_missing_value_files=fields.flag(helm, "ignoreMissingValueFiles", f"{path}.helm.ignoreMissingValueFiles"),
        local=is_local(repo_url) and chart is None,
        origin=origin,
    )


def _parameters(helm: dict[Any, Any], fields: Fields, path: str) -> tuple[tuple[str, str], ...]:
    """`helm.parameters` as (name, value); the ones Helm would refuse are named in a notice (and
    values.parameters_to_values leaves them out, as `helm template` fails on them)."""
    params = []
    for index, param in enumerate(fields.sequence(helm, "parameters", path) or ()):
        if not isinstance(param, dict):
            fields.note(f"{path}[{index}] is {type_name(param)}, expected a mapping; ignored")
            continue
        name = fields.text(param, "name", f"{path}[{index}].name")
        if name is not None:
            params.append((name, fields.text(param, "value", f"{path}[{index}].value") or ""))
    for name, why in helmset.parameter_problems(tuple(params)):
        fields.note(f"helm parameter {shown(name)}: {why}; it is left out of the values")
    return tuple(params)


def raw_sources(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The source mappings of an Application, or of an ApplicationSet's template, as they are written,
    with `helm.valueFiles` always a list of strings: for reading before the documents are parsed."""
    spec = data.get("spec")
    generators: list[dict[str, Any]] = []
    if data.get("kind") == "ApplicationSet":
        generators = [{"repoURL": url} for url in appsets.git_urls(spec)]  # git generators read a repo too
        template = spec.get("template") if isinstance(spec, dict) else None
        spec = template.get("spec") if isinstance(template, dict) else None
    if not isinstance(spec, dict):
        return []
    listed = spec.get("sources")
    raw: list[Any] = listed if isinstance(listed, list) else [spec.get("source")]
    out = []
    for source in raw:
        if isinstance(source, dict):
            helm = source.get("helm")
            if isinstance(helm, dict):
                files = helm.get("valueFiles")
                files = [str(f) for f in files if isinstance(f, (str, int, float))] if isinstance(files, list) else []
                source = {**source, "helm": {**helm, "valueFiles": files}}
            out.append(source)
    return out + generators


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
