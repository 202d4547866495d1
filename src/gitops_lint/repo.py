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
from gitops_lint.values import Effective, Layer, effective


class AppModel(NamedTuple):
    name: str
    deployments: tuple[Deployment, ...]  # sorted by env rank


class RepoModel:
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
        key = _dep_key(dep)
        if key not in self._effective:
            self._effective[key] = effective(self.layers(dep))
        return self._effective[key]

    def images(self, dep: Deployment) -> list[Image]:
        """Images the env runs (an empty `image.tag` is the chart's appVersion); when the env renders,
        the images of its rendered pod specs, traced back to where they are set."""
        key = _dep_key(dep)
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

    def rendered_objects(self, dep: Deployment) -> tuple[Any, ...] | None:
        """What the env's chart or overlay renders to, or None when it is not rendered (no templates,
        no backend, --no-render, or an error: each said once in the notes)."""
        key = _dep_key(dep)
        if key not in self._rendered:
            self._rendered[key] = self._render(dep)
        return self._rendered[key]

    def _render(self, dep: Deployment) -> tuple[Any, ...] | None:
        if dep.kind == "manifests":  # plain manifests are what they render to
            return rendered.manifest_objects(dep, self.cache)
        chart_values = f"{dep.chart_dir}/values.yaml" if dep.chart_dir else "values.yaml"
        if not self.render or (dep.kind == "helm" and not self._has_templates(dep)):
            return None
        request = rendered.request(dep, chart_values, self.layers(dep))
        if request is None:
            return None
        from gitops_lint import render as backends

        renderer = backends.renderer_for(request.kind)
        if renderer is None or not renderer.available():
            note = (f"rendering skipped: no {request.kind} backend is installed, so charts and overlays are judged "
                    "from their values (pip install 'gitops-lint[render]')")
            if note not in self.notices:
                self.notices.append(note)
            return None
        result = backends.render(self.cache.snapshot, request, cache=self.cache.disk, plans=self._plans)
        if result.error:
            self.unmodeled.append(f"{dep.app}/{dep.env.name}: {request.path} could not be rendered ({result.error}); "
                                  "it is judged from its values")
            return None
        if any(obj.kind in ("Application", "ApplicationSet") for obj in result.objects):
            self.unmodeled.append(f"{dep.app}/{dep.env.name}: {request.path} renders Argo CD Applications (app of "
                                  "apps); what they deploy is judged from the values, not from this render")
            return None
        return result.objects

    def trace_number(self, dep: Deployment, number: int) -> Origin | None:
        """Where the env's values set `number`, when exactly one key holds it."""
        values = self.effective(dep)
        path = rendered.trace(values.data, str(number))
        return values.origin(path) if path is not None else None

    def _has_templates(self, dep: Deployment) -> bool:
        prefix = f"{dep.chart_dir}/templates/" if dep.chart_dir else "templates/"
        return self.chart_file(dep) is not None and any(f.startswith(prefix) for f in self.files)

    def locate_text(self, dep: Deployment, source: str, text: str) -> Origin | None:
        """Where a rendered value outside the values is written (see `_locate`)."""
        found = self._locate(dep, rendered_source(source), text)
        return found if found is not None and found.keypath is not None else None

    def _locate(self, dep: Deployment, obj: Any, text: str) -> Origin | None:
        """Where a rendered image outside the values is written: its source manifest, else a manifest
        of the app's tree that holds exactly that text, else the source file itself."""
        sources = [obj.source] if obj.source in self.file_set and not _is_template(obj.source) else []
        root = "/".join((dep.value_files[0] if dep.value_files else "").split("/")[:-3])
        sources += [f for f in self.files if f.startswith(f"{root}/" if root else "") and f not in sources
                    and f.endswith((".yaml", ".yml")) and not _is_template(f)][:200]
        for path in sources:
            loaded = self.cache.load(path)
            for index, doc in enumerate(loaded.docs if loaded is not None else ()):
                hit = rendered.trace(doc.data, text)
                if hit is not None:
                    return Origin(path, hit, index)
        return Origin(obj.source) if obj.source in self.file_set else None

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


class rendered_source(NamedTuple):  # noqa: N801 - a stand-in for a RenderedObject: only its source
    source: str


def _is_template(path: str) -> bool:
    """A Helm template (Go template text, never parsed as YAML)."""
    return "templates" in path.split("/")[:-1] or path.endswith((".tpl", ".gotmpl"))


def _parents(path: str) -> Iterator[str]:
    parts = path.split("/")[:-1]
    for index in range(1, len(parts) + 1):
        yield "/".join(parts[:index])


def _dep_key(dep: Deployment) -> tuple[Any, ...]:
    return (dep.app, dep.env.name, dep.value_files, dep.argo.file if dep.argo else None,
            dep.argo.name if dep.argo else None, dep.values_in)
