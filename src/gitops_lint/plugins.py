"""Layout plug-ins: each finds the deployments (app × env) of one way teams lay out a repo, in a
shared discovery `Context`, in registry order (Argo CD Applications first: when an Application
exists, its valueFiles decide; file names are the fallback). Every deployment records the layout
that found it (`discover` shows it). A layout says which files a deployment depends on through
`Deployment.value_files` (plus its Application's file and chart's Chart.yaml), which is all history
needs to follow it back in time.

To add a layout: a class with `name` and `find(ctx)` that appends `Deployment(..., layout=name)`s
to `ctx.grouped` (reading files only through `ctx.cache`), registered in `LAYOUTS` at the place its
precedence asks for.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict
from pathlib import Path
from typing import Any, Protocol

from gitops_lint import layouts, manifestdirs
from gitops_lint.appofapps import AppOfApps
from gitops_lint.argo_overlays import ArgoOverlays
from gitops_lint.flux import Flux
from gitops_lint.helmfile import Helmfile
from gitops_lint.config import Config
from gitops_lint.envs import EnvScheme
from gitops_lint.filecache import FileCache
from gitops_lint.layouts import KUSTOMIZATIONS
from gitops_lint.model import ArgoApp, Deployment


class Context:
    """What every layout sees and adds to."""

    def __init__(self, root: Path, config: Config, cache: FileCache, files: list[str], charts: list[str],
                 yaml_files: list[str], argo_apps: list[ArgoApp]) -> None:
        self.root, self.config, self.cache = root, config, cache
        self.files, self.file_set, self.charts, self.yaml_files = files, set(files), charts, yaml_files
        self.argo_apps = argo_apps
        self.scheme: EnvScheme = config.scheme
        self.grouped: dict[str, list[Deployment]] = defaultdict(list)  # app -> its deployments
        self.consumers: dict[str, str] = {}  # values file -> the app whose Application uses it
        self.argo_charts: dict[str, str] = {}  # chart dir -> the app whose Application deploys it
        self.unused: list[tuple[str, str, str]] = []  # (app, env, path) env files no Application uses
        self.unmodeled: list[str] = []
        # (file, line, env, path): values files a deployment tool's env declares that do not exist
        # (argocd/values-file reports them; envs outside the chain included)
        self.missing_files: list[tuple[str, int | None, str, str]] = []
        self.rendered_charts: set[str] = set()  # app-of-apps charts whose Applications a render produced
        self.templates: list[tuple[str, str]] = []  # (app, values template) a helmfile release reads
        self.projects: list[tuple[str, str, str]] = []  # (AppProject, env, values file) an app-of-apps render creates
        self.render = True  # False with --no-render: nothing is rendered during discovery either
        self.argo_docs: list[Any] = []  # argodocs.Document: every Argo CD object as written
        self.overlay_objects: list[Any] = []  # argo_overlays.OverlayObject: Argo CD objects env overlays build
        self.consumed_argo_files: set[str] = set()  # Argo CD files env overlays build from: not read alone

    def add(self, app: str, deps: list[Deployment], layout: str) -> None:
        self.grouped[app].extend(d._replace(layout=layout) for d in deps)

    def used_files(self) -> set[str]:
        return {p for deps in self.grouped.values() for d in deps for p in d.value_files} | \
            {a.file for a in self.argo_apps}


class Layout(Protocol):
    name: str

    def find(self, ctx: Context) -> None: ...


class ArgoApplications:
    name = "argocd-application"

    def find(self, ctx: Context) -> None:
        from gitops_lint.argocd import rendered_by_chart
        from gitops_lint.argodeploy import argo_deployment, split_stand_ins
        from gitops_lint.discover import merge_variants

        for app in ctx.argo_apps:
            dep = argo_deployment(app, ctx.scheme, ctx.file_set)
            if dep is None:
                if any(source.local for source in app.sources):
                    ctx.unmodeled.append(
                        f"{app.file}: Application {app.name} deploys from this repository, but no env is named in its "
                        "name, valueFiles or namespace; it is not modeled (name it after an env, or add the name under "
                        "environments.aliases)")
                continue
            layout = self.name if not app.generated_by else \
                "argocd-app-of-apps" if rendered_by_chart(app) else "argocd-applicationset"
            ctx.add(dep.app, [dep], layout)
            for path in dep.value_files:
                ctx.consumers.setdefault(path, dep.app)
            if dep.chart_dir is not None:
                ctx.argo_charts.setdefault(dep.chart_dir, dep.app)
        split_stand_ins(ctx.grouped)
        merge_variants(ctx.grouped, ctx.scheme)


class EnvFiles:
    name = "env-files"  # values-<env>.yaml beside a chart, envs/<env>/, overlays/<env>/

    def find(self, ctx: Context) -> None:
        found, unused = layouts.file_deployments(ctx.root, ctx.yaml_files, ctx.charts, ctx.file_set, ctx.scheme,
                                                 ctx.cache, consumers=ctx.consumers, argo_charts=ctx.argo_charts,
                                                 taken=set(ctx.grouped))
        ctx.unused.extend(unused)
        for app, deps in found.items():
            ctx.add(app, deps, self.name)


class ManifestDirs:
    name = "manifest-dirs"

    def find(self, ctx: Context) -> None:
        skip = set(ctx.charts) | {posixpath.dirname(f) for f in ctx.files if posixpath.basename(f) in KUSTOMIZATIONS}
        found = manifestdirs.deployments(ctx.yaml_files, ctx.cache, ctx.scheme, taken=ctx.used_files(),
                                         skip_dirs=skip)
        for app, deps in found.items():
            if app not in ctx.grouped:
                ctx.add(app, deps, self.name)


class Declared:
    name = "declared"  # `layouts:` in .gitops-lint.yaml

    def find(self, ctx: Context) -> None:
        from gitops_lint.discover import declared_layouts

        before = {app: len(deps) for app, deps in ctx.grouped.items()}
        declared_layouts(ctx.config, ctx.files, ctx.grouped)
        for app, deps in ctx.grouped.items():
            ctx.grouped[app] = [d if i < before.get(app, 0) or d.layout else d._replace(layout=self.name)
                                for i, d in enumerate(deps)]


# AppOfApps adds the Applications a chart renders to ctx.argo_apps, and ArgoOverlays removes the files env
# overlays build from, so both run before ArgoApplications
LAYOUTS: tuple[Layout, ...] = (AppOfApps(), ArgoOverlays(), ArgoApplications(), Flux(), Helmfile(), EnvFiles(),
                               ManifestDirs(), Declared())


def registry() -> tuple[Layout, ...]:
    return LAYOUTS
