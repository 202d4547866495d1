"""What an env's chart or overlay renders to, and where a rendered value is written: the part of
the repo model (repo.RepoModel) that talks to the renderers. Each render is said once in the notes
when it cannot happen (no backend, --no-render, an error)."""
from __future__ import annotations

from typing import Any, NamedTuple

from gitops_lint import rendered
from gitops_lint.model import Deployment, Origin


class Renders:
    """Mixed into RepoModel, whose state (cache, files, notes, layers, effective values) it reads."""

    cache: Any
    files: list[str]
    file_set: frozenset[str]
    notices: list[str]
    unmodeled: list[str]
    render: bool
    _rendered: dict[tuple[Any, ...], Any]
    _plans: dict[tuple[Any, ...], Any]

    def rendered_objects(self, dep: Deployment) -> tuple[Any, ...] | None:
        """What the env's chart or overlay renders to, or None when it is not rendered (no templates,
        no backend, --no-render, or an error: each said once in the notes)."""
        key = dep_key(dep)
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



class rendered_source(NamedTuple):  # noqa: N801 - a stand-in for a RenderedObject: only its source
    source: str


def _is_template(path: str) -> bool:
    """A Helm template (Go template text, never parsed as YAML)."""
    return "templates" in path.split("/")[:-1] or path.endswith((".tpl", ".gotmpl"))


def dep_key(dep: Deployment) -> tuple[Any, ...]:
    return (dep.app, dep.env.name, dep.value_files, dep.argo.file if dep.argo else None,
            dep.argo.name if dep.argo else None, dep.values_in)
