"""An Argo CD Application as a Deployment: its env (from its name, valueFiles or namespace), the
chart and values files it deploys, the git revision it watches and the chart version it pins."""
from __future__ import annotations

import posixpath

from gitops_lint import argocd
from gitops_lint.appset_infer import is_unknown
from gitops_lint.argocd import chart_source, resolve_value_file
from gitops_lint.envs import EnvScheme
from gitops_lint.layouts import joined, kustomization_file
from gitops_lint.model import ArgoApp, Deployment, Image, Origin

YAML_SUFFIXES = (".yaml", ".yml")


def argo_deployment(app: ArgoApp, scheme: EnvScheme, files: set[str]) -> Deployment | None:
    role, display, name = _argo_env(app, scheme)
    if role is None:
        return None
    chart = chart_source(app)
    chart_dir = None
    kind = "helm"
    value_files: list[str] = []
    if chart is not None and chart.local and chart.path is not None:
        chart_dir = posixpath.normpath(chart.path.strip("/")) if chart.path.strip("/") else ""
        kustomization = kustomization_file(chart_dir, files)
        if joined(chart_dir, "values.yaml") in files:
            value_files.append(joined(chart_dir, "values.yaml"))
        elif kustomization and joined(chart_dir, "Chart.yaml") not in files:
            kind = "kustomize"
            value_files.append(kustomization)
    missing = []
    for source in app.sources:
        for value_file in source.value_files:
            resolved = resolve_value_file(app, value_file)
            if resolved is None:
                continue
            if resolved in files:
                if resolved not in value_files:
                    value_files.append(resolved)
            elif not source.ignore_missing_value_files:
                missing.append(resolved)
    namespace = app.dest_namespace or None
    if app.stand_in and namespace and is_unknown(namespace):
        namespace = None  # a real cluster's annotation decides it
    return Deployment(app=name, env=scheme.env(role, display), chart_dir=chart_dir,
                      value_files=tuple(value_files), missing_value_files=tuple(missing), argo=app,
                      namespace=namespace,
                      revision=app.hydrator[1] if app.hydrator else _git_revision(app), kind=kind,
                      artifacts=chart_version(app))


def split_stand_ins(grouped: dict[str, list[Deployment]]) -> None:
    """Stand-in clusters of two ApplicationSets are not one cluster: where two sets made the same
    app's Application for the same env on stand-ins (`addon-prod-argo-cd` from a hub and an ingress
    variant, each behind its own `enable_*` label), each set's are their own app, named after it."""
    for name in sorted(grouped):
        deps = grouped[name]
        sets: dict[str, list[Deployment]] = {}
        for dep in deps:
            if dep.argo is not None and dep.argo.stand_in and dep.argo.generated_by:
                sets.setdefault(dep.argo.generated_by.split(" ", 1)[-1], []).append(dep)
        envs = [d.env.name for made in sets.values() for d in made]
        if len(sets) < 2 or len(envs) == len(set(envs)):
            continue
        moved = {id(d) for made in sets.values() for d in made}
        grouped[name] = [d for d in deps if id(d) not in moved]
        if not grouped[name]:
            del grouped[name]
        for appset, made in sets.items():
            target = appset if appset not in grouped else f"{name} ({appset})"
            grouped[target] = grouped.get(target, []) + [d._replace(app=target) for d in made]


def chart_version(app: ArgoApp) -> tuple[Image, ...]:
    """A chart from a Helm repository is an artifact too: its targetRevision is the chart version,
    and a range there (`1.*`, `>=6.0.0`) deploys new releases without a commit (mutable-tag)."""
    chart = chart_source(app)
    if chart is None or chart.local or not chart.chart or chart.target_revision.upper() == "HEAD":
        return ()
    field = (chart.origin.keypath or ()) + ("targetRevision",)
    # a generator's parameter: the version is written where that parameter is (history follows it there)
    where = Origin(app.file, dict(app.traced).get(field, field), app.doc)
    return (Image((chart.origin.keypath or ()) + ("targetRevision",), "", f"{chart.repo_url.rstrip('/')}/{chart.chart}",
                  chart.target_revision, "", where, Origin(app.file, (chart.origin.keypath or ()) + ("chart",), app.doc),
                  kind="chart"),)


def _git_revision(app: ArgoApp) -> str | None:
    """The git revision this repo's files are deployed from: the local chart source's, else the
    local `ref` source's (a remote chart's targetRevision is a chart version, not a git revision)."""
    chart = chart_source(app)
    if chart is not None and chart.local:
        return chart.target_revision
    return next((s.target_revision for s in app.sources if s.local and s.ref is not None), None)


def _argo_env(app: ArgoApp, scheme: EnvScheme) -> tuple[str | None, str, str]:
    """(role, how the repo spells it, app name without the env) from name, valueFiles, namespace."""
    if app.stand_in:  # its ApplicationSet's selectors named the env it is for
        role = scheme.role_of(app.stand_in)
        named = scheme.find(app.name)
        if role is not None:
            rest = named[2] if named and named[0] == role and named[2] else app.name
            return role, app.stand_in, rest
    if argocd.rendered_by_chart(app):  # rendered (app of apps): it exists in the env its values file names
        for part in reversed(app.file.split("/")):
            found = scheme.find(part.rsplit(".", 1)[0] if part.endswith(YAML_SUFFIXES) else part)
            if found:
                named = scheme.find(app.name)
                same = named is not None and named[0] == found[0] and named[2]
                return found[0], found[1], named[2] if same and named else app.name
    found = scheme.find(app.name)
    if found:
        role, display, rest = found
        return role, display, rest or app.name
    for source in app.sources:
        for value_file in reversed(source.value_files):
            found = scheme.find(posixpath.basename(value_file))
            if found:
                return found[0], found[1], app.name
    found = scheme.find(app.dest_namespace) if app.dest_namespace else None
    if found:
        return found[0], found[1], app.name
    return None, "", app.name


