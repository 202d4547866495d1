"""argocd/*: each env's Application is wired to its own values, namespace and source."""
from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from gitops_lint import argocd as argo
from gitops_lint import appsetpaths, gitio
from gitops_lint.errors import YamlProblem
from gitops_lint.checks import CheckKind, Hit
from gitops_lint.checks import argooverlay
from gitops_lint.argocd import chart_source, resolve_value_file
from gitops_lint.model import ArgoApp, Deployment, Origin
from gitops_lint.repo import RepoModel


def _at(app: ArgoApp, *keys: Any) -> Origin:
    return Origin(app.file, app.base + keys, app.doc)


def auto_sync_prod(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    for dep in model.deployments():
        if not dep.env.production or dep.argo is None or not dep.argo.automated:
            continue
        if dep.argo.hydrator is not None:
            hydrate_to, sync_branch = dep.argo.hydrator
            if hydrate_to is not None and hydrate_to != sync_branch:
                continue  # hydrated to a -next branch: prod moves only when that branch is merged (a promotion)
        source = chart_source(dep.argo)
        revision = source.target_revision if source else "HEAD"
        if _pinned(model, dep.argo, revision):
            continue
        yield Hit("default", _at(dep.argo, "spec", "syncPolicy", "automated"), dep.app, dep.env.name, {
            "env": dep.env.name, "application": dep.argo.name, "revision": revision or "HEAD",
        }, anchor=dep.argo.name)
    yield from argooverlay.auto_sync(model, _pinned)


def _pinned(model: RepoModel, app: ArgoApp, revision: str) -> bool:
    """A tag or commit by this clone's refs (a branch named `v2.0` moves); by its shape when unknown."""
    source = next((s for s in app.sources if s.local), None)
    if source is None:
        return argo.is_pinned_revision(revision, frozenset())
    watched = model.revisions.resolve(revision or "HEAD", source.repo_url)
    if watched is None:
        return argo.is_pinned_revision(revision, frozenset())
    return not watched.floating


def values_file(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    # one chart may render the same Application once per env (an env parameter): the cluster tells them apart
    deps = {(d.argo.file, d.argo.doc, d.argo.name, d.argo.dest_server): d for d in model.deployments() if d.argo}
    for app in model.argo_apps:
        dep = deps.get((app.file, app.doc, app.name, app.dest_server))
        for source in app.sources:
            for position, value_file in enumerate(source.value_files):
                where = Origin(app.file, (source.origin.keypath or ()) + ("helm", "valueFiles", position), app.doc)
                resolved = resolve_value_file(app, value_file)
                fields = {"application": app.name, "value_file": value_file, "resolved": resolved,
                          "env": dep.env.name if dep else "", "app": dep.app if dep else app.name}
                if resolved is None:
                    continue
                if dep is None and argo.rendered_by_chart(app):
                    continue  # rendered from a chart's defaults (no env chosen): deploy-time values fill it in
                if resolved not in model.file_set and not source.ignore_missing_value_files:
                    yield Hit("missing", where, fields["app"], fields["env"] or None, fields,
                              anchor=f"{app.name}:{value_file}:missing")
                    continue
                found = _file_env(model.scheme, resolved)
                if dep is not None and found and found[0] != dep.env.role:
                    yield Hit("other-env", where, dep.app, dep.env.name,
                              {**fields, "file_env": found[1]}, anchor=f"{app.name}:{value_file}:env")
    yield from _template_paths(model)
    for file, line, env, path in model.missing_files:
        yield Hit("declared-missing", Origin(file), None, env, {"file": file, "env": env, "value_file": path},
                  anchor=f"{file}:{env}:{path}", line=line, column=1 if line else None)
    for app_name, env_name, path in model.unused_env_files:
        yield Hit("unused", Origin(path), app_name, env_name, {"path": path, "app": app_name, "env": env_name},
                  anchor=f"{path}:unused")


def _template_paths(model: RepoModel) -> Iterator[Hit]:
    """ApplicationSet valueFiles templates that resolve nowhere in this repo (appsetpaths.py)."""
    for broken in appsetpaths.broken(list(appsetpaths.entries(appset_documents(model))), model.file_set):
        entry = broken.entry
        fields = {"appset": entry.appset, "value_file": entry.value_file, "resolved": broken.shown,
                  "application": entry.appset, "closest": broken.closest}
        yield Hit(f"template-{broken.reason}", entry.origin, entry.appset, None, fields,
                  anchor=f"{entry.appset}:{entry.value_file}:{broken.reason}")


def appset_documents(model: RepoModel) -> list[tuple[str, int, Any]]:
    """(file, document index, data) of every ApplicationSet written in the repo (not Helm templates)."""
    return documents_of_kind(model, "ApplicationSet")


def documents_of_kind(model: RepoModel, kind: str) -> list[tuple[str, int, Any]]:
    """(file, document index, data) of every document of `kind` written in the repo; Helm templates
    are Go text, not YAML (app of apps renders those). `kind` must be one of FileCache's sniffed words."""
    docs = []
    marker = kind.encode()
    charts = {posixpath.dirname(f) for f in model.file_set if posixpath.basename(f) == "Chart.yaml"}
    for path in sorted(model.file_set):
        if not path.endswith((".yaml", ".yml", ".json")) or _in_templates(path, charts):
            continue
        try:
            if not model.cache.mentions(path) & {marker, b"\\", b"BOM"}:
                continue  # (an escape or a UTF-16 file may spell it)
        except YamlProblem:
            continue
        loaded = model.cache.load(path)
        docs += [(path, i, d.data) for i, d in enumerate(loaded.docs if loaded else ())
                 if isinstance(d.data, dict) and d.data.get("kind") == kind]
    return docs


def _file_env(scheme: Any, path: str) -> tuple[str, str, str] | None:
    """The env a values file belongs to: a directory named after an env says it (`image-tags/staging/
    govuk-synthetic-test-app-canary`: staging, whatever env word the app's name holds), else the
    file's own name (`values-stage.yaml`)."""
    for part in reversed(path.split("/")[:-1]):
        role = scheme.role_of(part)
        if role is not None:
            return role, part, ""
    return scheme.find(posixpath.basename(path).rsplit(".", 1)[0])


def _in_templates(path: str, charts: set[str]) -> bool:
    parts = path.split("/")
    return any(part == "templates" and "/".join(parts[:i]) in charts for i, part in enumerate(parts[:-1]))


def namespace(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    for app in model.apps:
        seen: dict[tuple[str, str], Deployment] = {}
        for dep in app.deployments:
            if dep.argo is None or not dep.namespace:
                continue
            where = _at(dep.argo, "spec", "destination", "namespace")
            fields = {"env": dep.env.name, "application": dep.argo.name, "namespace": dep.namespace,
                      "server": dep.argo.dest_server}
            key = (dep.argo.dest_server, dep.namespace)
            other = seen.get(key)
            if other is not None and other.env.role != dep.env.role:
                yield Hit("shared", where, dep.app, dep.env.name,
                          {**fields, "other_env": other.env.name, "other_application": other.argo.name
                           if other.argo else "?"}, anchor=f"{dep.argo.name}:shared")
            seen.setdefault(key, dep)
            found = model.scheme.find(dep.namespace)
            if found and found[0] != dep.env.role:
                yield Hit("other-env", where, dep.app, dep.env.name, {**fields, "ns_env": found[1]},
                          anchor=f"{dep.argo.name}:names-env")


def source(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    for app in model.apps:
        argo_deps = [d for d in app.deployments if d.argo is not None]
        reference = next((d for d in reversed(argo_deps) if d.env.production), argo_deps[-1] if argo_deps else None)
        if reference is None or reference.argo is None:
            continue
        ref_source = chart_source(reference.argo)
        for dep in argo_deps:
            assert dep.argo is not None
            mine = chart_source(dep.argo)
            if dep is reference or mine is None or ref_source is None:
                continue
            if argo.source_key(mine, model.scheme.fold) != argo.source_key(ref_source, model.scheme.fold):
                key = "repoURL" if gitio.normalize_url(mine.repo_url) != gitio.normalize_url(ref_source.repo_url) \
                    else "chart" if mine.chart is not None else "path"
                where = mine.origin._replace(keypath=(mine.origin.keypath or ()) + (key,))
                yield Hit("differs", where, dep.app, dep.env.name, {
                    "env": dep.env.name, "application": dep.argo.name, "source": _describe(mine),
                    "prod_env": reference.env.name, "prod_source": _describe(ref_source),
                }, anchor=f"{dep.argo.name}:differs")
    for argo_app in model.argo_apps:
        for src in argo_app.sources:
            if not src.local or src.path is None or "{{" in src.path:
                continue
            path = posixpath.normpath(src.path.strip("/")) if src.path.strip("/") else ""
            if path and path not in model.dirs:
                yield Hit("missing-path", Origin(argo_app.file, (src.origin.keypath or ()) + ("path",), argo_app.doc),
                          None, None, {"application": argo_app.name, "path": src.path},
                          anchor=f"{argo_app.name}:path")


def _describe(src: Any) -> str:
    where = f"chart {src.chart}" if src.chart else f"path {src.path or '.'}"
    return f"{src.repo_url or '(no repoURL)'} {where}"


_EMPTY = {"type": "object", "additionalProperties": False}

KINDS = (
    CheckKind("argocd-auto-sync", auto_sync_prod, _EMPTY,
              "Finds production Applications that sync automatically from a moving revision."),
    CheckKind("argocd-values-file", values_file, _EMPTY,
              "Checks each Application's valueFiles exist and belong to its env; finds unused env files."),
    CheckKind("argocd-namespace", namespace, _EMPTY,
              "Finds envs of one app sharing a namespace, or a namespace named after another env."),
    CheckKind("argocd-source", source, _EMPTY,
              "Compares the source of every env with production's; finds source paths that do not exist."),
)
