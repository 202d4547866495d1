"""Layout plug-in argocd-app-of-apps: Argo CD Applications rendered by a Helm chart in the repo.

A local chart whose templates write `kind: Application` is rendered once per env values file it
has (`values-<env>.yaml` beside Chart.yaml, or the valueFiles of an Application that deploys the
chart), through the same isolated, cached Helm renderer as every other render. Each rendered
`argoproj.io` Application becomes an ArgoApp (appofapps_apps) appended to `ctx.argo_apps`, so
the argocd-application layout then models it like a hand-written one. Without a renderer, or
with --no-render, each such chart is a notice: never silently nothing.
"""
from __future__ import annotations

import posixpath
import re
from typing import Any

from gitops_lint import argocd, gitio
from gitops_lint.appofapps_apps import Rendering, to_argo_app
from gitops_lint.errors import GitopsLintError
from gitops_lint.model import ArgoApp

MAX_TEMPLATES = 300  # template files sniffed per chart
MAX_APPS = 1000  # Applications taken from one render
MAX_RENDERS = 20  # renders per chart (one per env values file)
_KIND = re.compile(rb"^[ \t]*kind:[ \t]*[\"']?Application[\"']?[ \t]*\r?$", re.M)
_DATA_SKIP = ("Chart.yaml", "Chart.lock", "values.yaml", ".helmignore")


class AppOfApps:
    name = "argocd-app-of-apps"

    def find(self, ctx: Any) -> None:
        """Appends the Applications each app-of-apps chart renders to `ctx.argo_apps`."""
        charts = [chart for chart in ctx.charts if _renders_applications(ctx, chart)]
        for chart in charts:  # its env values files feed Applications: they are no app of their own
            for run in _runs(ctx, chart, quiet=True):
                ctx.consumers.setdefault(run.values_file, posixpath.basename(chart) or "root")
        if not charts:
            return
        if not ctx.render:
            ctx.unmodeled.extend(f"{chart}: its templates render Argo CD Applications (app of apps), which are not "
                                 "modeled with --no-render" for chart in charts)
            return
        from gitops_lint import render as backends

        renderer = backends.renderer_for("helm")
        if renderer is None or not renderer.available():
            ctx.unmodeled.extend(f"{chart}: its templates render Argo CD Applications (app of apps), which are not "
                                 "modeled: no Helm backend is installed (pip install 'gitops-lint[render]')"
                                 for chart in charts)
            return
        done: set[tuple[str, str]] = set()
        for _ in range(3):  # an app-of-apps chart may render the Application of another one
            runs = [run for chart in charts for run in _runs(ctx, chart)
                    if (run.chart, run.values_file, run.env) not in done]
            if not runs:
                break
            for run in runs:
                done.add((run.chart, run.values_file, run.env))
                _render(ctx, run, backends)


def _renders_applications(ctx: Any, chart: str) -> bool:
    """A cheap, bounded look at the chart's templates: does one write `kind: Application`?"""
    prefix = f"{chart}/templates/" if chart else "templates/"
    for path in [f for f in ctx.files if f.startswith(prefix)][:MAX_TEMPLATES]:
        try:
            if _KIND.search(ctx.cache.snapshot.read(path)):
                return True
        except GitopsLintError:
            continue
    return False


def _runs(ctx: Any, chart: str, *, quiet: bool = False) -> list[Rendering]:
    """One render per env values file: `values-<env>.yaml` beside Chart.yaml, the last valueFile of
    each Application deploying the chart, and the chart's own values.yaml when its directory names an
    env (or there is no other)."""
    def inside(path: str) -> str:
        return posixpath.join(chart, path) if chart else path

    candidates = [f for f in ctx.files if posixpath.dirname(f) == chart and _env_of_values(ctx, f)]
    for app in ctx.argo_apps:
        source = argocd.chart_source(app)
        if source is None or not source.local or source.path is None \
                or posixpath.normpath(source.path.strip("/") or ".") != (chart or "."):
            continue
        resolved = [argocd.resolve_value_file(app, v) for s in app.sources for v in s.value_files]
        own = [r for r in resolved if r and r in ctx.file_set and r != inside("values.yaml")]
        candidates += own[-1:]
    if inside("values.yaml") in ctx.file_set and (not candidates or _env_name(ctx, inside("values.yaml"))):
        candidates.insert(0, inside("values.yaml"))  # `envs/dev/` is itself a chart: its values.yaml is dev's
    data_files = _data_files(ctx, chart)
    runs = []
    for path in list(dict.fromkeys(candidates))[:MAX_RENDERS]:
        loaded = ctx.cache.load(path)
        values = loaded.data if loaded is not None else None
        if not isinstance(values, dict):
            if quiet:
                continue
            ctx.unmodeled.append(f"{path}: not a mapping of values, so the Applications chart {chart or '.'} renders "
                                 "with it are not modeled")
            continue
        runs.append(Rendering(chart, path, values, _env_name(ctx, path), data_files))
    if len(runs) == 1 and not runs[0].env and runs[0].values_file == inside("values.yaml"):
        return _per_env(ctx, runs[0]) or runs
    return runs


_PARAMETER = re.compile(rb"values[-_.]\{\{-?\s*\.Values\.([A-Za-z_]\w{0,100})\s*-?\}\}\.ya?ml")


def _per_env(ctx: Any, run: Rendering) -> list[Rendering]:
    """A chart whose templates pick an env's values file by a parameter left empty in values.yaml
    (`valueFiles: ["values-{{ .Values.govukEnvironment }}.yaml"]`, set per cluster at install time) is
    rendered once per env the repo has a `values-<env>.yaml` for, with the parameter set to it."""
    prefix = f"{run.chart}/templates/" if run.chart else "templates/"
    keys: list[str] = []
    for path in [f for f in ctx.files if f.startswith(prefix)][:MAX_TEMPLATES]:
        try:
            keys += [m.decode() for m in _PARAMETER.findall(ctx.cache.snapshot.read(path))]
        except GitopsLintError:
            continue
    key = next((k for k in keys if run.values.get(k) in (None, "")), None)
    if key is None:
        return []
    envs = sorted({_env_name(ctx, f) for f in ctx.files if _env_of_values(ctx, f)} - {""})
    return [run._replace(env=env, overrides={key: env}) for env in envs[:MAX_RENDERS]]


def _env_of_values(ctx: Any, path: str) -> bool:
    stem = posixpath.basename(path)
    if not stem.endswith((".yaml", ".yml")):
        return False
    found = ctx.scheme.find(stem.rsplit(".", 1)[0])
    return found is not None and found[2] == "values"


def _env_name(ctx: Any, path: str) -> str:
    """The env a values file names: its basename (`values-production.yaml`), else its directories."""
    parts = path.split("/")
    for index, part in enumerate(reversed(parts)):
        found = ctx.scheme.find(part.rsplit(".", 1)[0] if index == 0 else part)
        if found:
            return str(found[1])
    return ""


def _data_files(ctx: Any, chart: str) -> tuple[str, ...]:
    """Chart files a template may read with `.Files.Get` (none when no template reads files)."""
    prefix = f"{chart}/" if chart else ""
    templates = [f for f in ctx.files if f.startswith(prefix + "templates/")][:MAX_TEMPLATES]
    reads = False
    for path in templates:
        try:
            reads = reads or b".Files." in ctx.cache.snapshot.read(path)
        except GitopsLintError:
            continue
    if not reads:
        return ()
    return tuple(f for f in ctx.files if f.startswith(prefix) and not f.startswith(prefix + "templates/")
                 and "/" in f[len(prefix):] and posixpath.basename(f) not in _DATA_SKIP
                 and not posixpath.basename(f).startswith("values"))


def _render(ctx: Any, run: Rendering, backends: Any) -> None:
    shown = f"chart {run.chart or '.'} ({posixpath.basename(run.values_file)})"
    release = posixpath.basename(run.chart) if run.chart not in ("", ".") else "root"
    values = () if run.values_file == (f"{run.chart}/values.yaml" if run.chart else "values.yaml") else (run.values,)
    if run.overrides:
        values = (run.overrides,)
        shown = f"chart {run.chart or '.'} ({', '.join(f'{k}={v}' for k, v in run.overrides.items())})"
    request = backends.RenderRequest("helm", run.chart or ".", release=release, namespace="argocd", values=values)
    result = backends.render(ctx.cache.snapshot, request, cache=ctx.cache.disk)
    if result.error:
        ctx.unmodeled.append(f"{run.values_file}: {shown} renders Argo CD Applications but could not be rendered "
                             f"({result.error}); they are not modeled")
        return
    argo = [o for o in result.objects if str(o.object.get("apiVersion", "")).startswith("argoproj.io/")]
    objects = [o.object for o in argo if o.kind == "Application"]
    for project in (o.object for o in argo if o.kind == "AppProject"):
        name = (project.get("metadata") or {}).get("name") if isinstance(project.get("metadata"), dict) else None
        if isinstance(name, str) and len(ctx.projects) < MAX_APPS:
            ctx.projects.append((name, run.env, run.values_file))
    if len(objects) > MAX_APPS:
        ctx.unmodeled.append(f"{run.values_file}: {shown} renders {len(objects)} Applications; only the first "
                             f"{MAX_APPS} are modeled")
        objects = objects[:MAX_APPS]
    if objects:
        ctx.rendered_charts.add(run.chart)  # its values are judged through the Applications it renders
    is_local = _local_matcher(ctx, run, objects)
    for obj in objects:
        app, notes = to_argo_app(obj, run, is_local=is_local, cache=ctx.cache, scheme=ctx.scheme)
        ctx.unmodeled.extend(notes)
        if app is not None:
            _add(ctx, app)


def _add(ctx: Any, app: ArgoApp) -> None:
    """Append, unless the same Application (name, destination) is already known: a nested app-of-apps
    chart is rendered with its own values and with those of the Application that deploys it."""
    key = (app.name, app.dest_server, app.dest_namespace)
    if all((a.name, a.dest_server, a.dest_namespace) != key for a in ctx.argo_apps):
        ctx.argo_apps.append(app)


def _local_matcher(ctx: Any, run: Rendering, objects: list[dict[str, Any]]) -> Any:
    """Which repoURLs are this repository, decided as for hand-written Applications (discover)."""
    from gitops_lint.argodocs import local_matcher

    docs = [(run.values_file, 0, obj) for obj in objects]
    matcher, _ = local_matcher(docs, gitio.remote_urls(ctx.root), ctx.file_set)
    return matcher
