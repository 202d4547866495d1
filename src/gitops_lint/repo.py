"""The repo model that checks read: deployments per app, effective values, images (rendered when
a backend is installed), positions. Files come through filecache.FileCache."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint import embedded as embedded_mod
from gitops_lint import images as images_mod
from gitops_lint import rendered
from gitops_lint.config import Config
from gitops_lint.errors import YamlProblem
from gitops_lint.filecache import FileCache
from gitops_lint.history import HistoryStore
from gitops_lint.revisions import Resolver
from gitops_lint.timeline import Timeline
from gitops_lint.model import ArgoApp, Deployment, GitView, Image, KeyPath, Origin, Position
from gitops_lint.appvalues import inline_layers
from gitops_lint.repo_render import Renders, dep_key
from gitops_lint.values import Effective, Layer, effective


class AppModel(NamedTuple):
    name: str
    deployments: tuple[Deployment, ...]  # sorted by env rank


class RepoModel(Renders):
    """What `discover` understood, plus lazily computed effective values and images."""

    declared_orders: tuple[Any, ...] = ()  # promotionorder.DeclaredOrder: orders the repo declares
    missing_files: tuple[tuple[str, int | None, str, str], ...] = ()  # (file, line, env, path) declared, absent
    rendered_projects: tuple[tuple[str, str, str], ...] = ()  # (AppProject, env, values file) app-of-apps renders
    values_templates: tuple[tuple[str, str], ...] = ()  # (app, helmfile values template) its envs share
    rendered_charts: frozenset[str] = frozenset()  # app-of-apps charts judged through their Applications
    overlay_objects: tuple[Any, ...] = ()  # argo_overlays.OverlayObject: Argo CD objects env overlays build

    def __init__(self, root: Path, config: Config, cache: FileCache, *, apps: list[AppModel],
                 argo_apps: list[ArgoApp], unused_env_files: list[tuple[str, str, str]],
                 files: list[str], notices: list[str], git: GitView, unmodeled: list[str] | None = None) -> None:
        self.git = git
        self.root = root
        self.config = config
        self.cache = cache
        self.apps = apps
        self._by_app = {app.name: app.deployments for app in apps}
        self.argo_apps = argo_apps
        self.unused_env_files = unused_env_files  # (app, env name, path)
        self.files = files
        self.file_set = frozenset(files)
        self.dirs = frozenset(parent for f in files for parent in _parents(f))
        self.notices = notices
        self.unmodeled = unmodeled or []  # seen but not modeled: notices that --strict fails on
        self._revisions: Resolver | None = None
        self._effective: dict[tuple[Any, ...], Effective] = {}
        self._rendered: dict[tuple[Any, ...], Any] = {}
        self._plans: dict[tuple[Any, ...], Any] = {}  # render plans per chart, shared by its envs
        self.render = True  # render charts and overlays when a backend is installed (--no-render: off)
        self._images: dict[tuple[Any, ...], list[Image]] = {}
        self.history: HistoryStore | None = None  # set by the engine when history rules run
        self.base: RepoModel | None = None  # PR mode: the model of the revision the change lands on

    @property
    def revisions(self) -> Resolver:
        """Argo CD revisions resolved against this clone's refs (read once, on first use)."""
        if self._revisions is None:
            self._revisions = Resolver(self.git.root, base=self.git.base)
        return self._revisions

    def chart_file(self, dep: Deployment) -> str | None:
        if dep.chart_dir is None:
            return None
        path = f"{dep.chart_dir}/Chart.yaml" if dep.chart_dir else "Chart.yaml"
        return path if path in self.file_set else None

    def tracked_files(self) -> set[str]:
        """Every file an env's values come from, and the Applications that wire them: what history
        has to follow."""
        tracked: set[str] = set()
        for dep in self.deployments():
            tracked.update(dep.value_files)
            tracked.update(origin.path for origin in dep.values_in)
            if dep.argo is not None:
                tracked.add(dep.argo.file)
            chart = self.chart_file(dep)
            if chart:
                tracked.add(chart)
        return tracked

    def warm_history(self) -> None:
        assert self.history is not None
        self.history.current = self.embedded
        self.history.warm([(dep, self.chart_file(dep)) for dep in self.deployments()])

    def timeline(self, dep: Deployment) -> Timeline:
        assert self.history is not None
        return self.history.timeline(dep, chart_file=self.chart_file(dep))

    @property
    def scheme(self) -> Any:
        return self.config.scheme

    def deployments(self) -> Iterator[Deployment]:
        for app in self.apps:
            yield from app.deployments

    def envs_count(self) -> int:
        return len({(d.app, d.env.name) for d in self.deployments()})

    def effective(self, dep: Deployment) -> Effective:
        key = dep_key(dep)
        if key not in self._effective:
            self._effective[key] = effective(self.layers(dep))
        return self._effective[key]

    def images(self, dep: Deployment) -> list[Image]:
        """Images the env runs (an empty `image.tag` is the chart's appVersion); when the env renders,
        the images of its rendered pod specs, traced back to where they are set."""
        key = dep_key(dep)
        if key not in self._images:
            values = self.effective(dep)
            chart_file = self.chart_file(dep)
            found = images_mod.with_app_version(
                images_mod.find_images(values.data, values.origin), self.app_version(chart_file),
                Origin(chart_file, ("appVersion",)) if chart_file else None)
            objects = self.rendered_objects(dep)
            if objects is not None:
                found = rendered.reconcile(found, objects, values, lambda o, k, t: self._locate(dep, o, t))
            self._images[key] = found + list(dep.artifacts)
        return self._images[key]

    def app_version(self, chart_file: str | None) -> str | None:
        loaded = self.cache.load(chart_file) if chart_file else None
        data = loaded.data if loaded is not None else None
        version = data.get("appVersion") if isinstance(data, dict) else None
        return str(version) if version not in (None, "") else None

    def pairs(self) -> Iterator[tuple[Deployment, Deployment]]:
        """(upstream, downstream) for every env that has an env before it."""
        for dep in self.deployments():
            up = self.upstream(dep)
            if up is not None:
                yield up, dep

    def by_app(self, name: str) -> tuple[Deployment, ...]:
        return self._by_app.get(name, ())

    def layers(self, dep: Deployment) -> list[Layer]:
        layers: list[Layer] = []
        for path in dep.value_files:
            loaded = self.cache.load(path)
            if loaded is not None and loaded.docs:
                layers.append(Layer(path, 0, (), loaded.docs[0].data))
        for origin in dep.values_in:
            data = self.embedded(origin)
            if isinstance(data, dict):
                layers.append(Layer(origin.path, origin.doc, origin.keypath or (), data))
        if dep.argo is not None:
            layers.extend(self._inline_layers(dep.argo))
        return layers

    def embedded(self, origin: Origin) -> Any:
        """The values a document embeds at `origin` in this snapshot (Deployment.values_in)."""
        loaded = self.cache.load(origin.path)
        return embedded_mod.resolve([doc.data for doc in loaded.docs] if loaded is not None else [], origin)

    def _inline_layers(self, app: ArgoApp) -> Iterator[Layer]:
        def problem(keypath: KeyPath, error: YamlProblem) -> None:
            where = self.position(Origin(app.file, keypath, app.doc))
            self.cache.note(YamlProblem(error.rule, f"helm.values of Application {app.name}: {error.message}",
                                        path=app.file, line=where.line if where else None))

        return inline_layers(app, problem)

    def position(self, origin: Origin) -> Position | None:
        return self.cache.position(origin)

    def upstream(self, dep: Deployment) -> Deployment | None:
        """The nearest env before `dep` in its app's chain."""
        before = [d for d in self.by_app(dep.app) if d.env.rank < dep.env.rank]
        if not before:
            return None
        top = max(d.env.rank for d in before)
        return next(d for d in before if d.env.rank == top)

    def problems(self) -> list[YamlProblem]:
        return [p for path in sorted(self.cache.problems) for p in self.cache.problems[path]]


def _parents(path: str) -> Iterator[str]:
    parts = path.split("/")[:-1]
    for index in range(1, len(parts) + 1):
        yield "/".join(parts[:index])
