"""A Flux HelmRelease in one env's build -> that env's Deployment: its values layers in Flux's order
(the chart's values.yaml and `valuesFiles` when the chart is in this repository, each `valuesFrom`
ConfigMap, then `spec.values` of the release and of each patch), and the chart version it installs
as an artifact (`spec.chart.spec.version`, or the OCIRepository of `spec.chartRef`)."""
from __future__ import annotations

from typing import Any

from gitops_lint.envs import Env
from gitops_lint.flux_build import Build
from gitops_lint.flux_objects import Obj, normalize
from gitops_lint.model import Deployment, Image, Origin

VALUES = ("spec", "values")
VERSION = ("spec", "chart", "spec", "version")


class Release:
    """Reads one HelmRelease (merged with its patches); every problem is a notice naming file and key."""

    def __init__(self, obj: Obj, build: Build, *, charts: list[str], files: set[str],
                 oci: dict[str, list[Obj]], notes: list[str]) -> None:
        self.obj, self.build, self.charts, self.files, self.oci, self.notes = obj, build, charts, files, oci, notes
        self.file = obj.parts[0][0].path

    def deployment(self, env: Env) -> Deployment | None:
        spec = self.obj.merged.get("spec")
        if not isinstance(spec, dict):
            self.notes.append(f"{self.file}: HelmRelease {self.obj.name} spec is {type(spec).__name__}, not a mapping; "
                              "the release is not modeled")
            return None
        target = spec.get("targetNamespace")
        chart_dir, value_files, artifacts = self._chart(spec)
        return Deployment(app=self.obj.name, env=env, chart_dir=chart_dir, value_files=tuple(value_files),
                          missing_value_files=(), argo=None, revision=None,
                          namespace=target if isinstance(target, str) and target else self.obj.namespace or None,
                          values_in=tuple(self._values_from(spec) + self._values()), artifacts=tuple(artifacts))

    def _values(self) -> list[Origin]:
        """`spec.values` of the release, then of each patch that sets it, in the order applied."""
        out = []
        for where, data in self.obj.parts:
            spec = data.get("spec") if isinstance(data, dict) else None
            values = spec.get("values") if isinstance(spec, dict) else None
            if values is None:
                continue
            if not isinstance(values, dict):
                self._note("spec.values", values, "a mapping", where.path)
                continue
            out.append(Origin(where.path, (where.keypath or ()) + VALUES, where.doc))
        return out

    def _values_from(self, spec: dict[str, Any]) -> list[Origin]:
        """Each `valuesFrom` ConfigMap, from a configMapGenerator file or a ConfigMap of the build."""
        items = spec.get("valuesFrom")
        if items is None:
            return []
        if not isinstance(items, list):
            self._note("spec.valuesFrom", items, "a list")
            return []
        out = []
        for index, item in enumerate(items):
            label = f"spec.valuesFrom[{index}]"
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                self._note(label, item, "a mapping with a name")
                continue
            key = item.get("valuesKey") or "values.yaml"
            found = self._config_map(item["name"], str(key)) if item.get("kind") == "ConfigMap" else None
            if item.get("targetPath") is not None or found is None:
                what = "its targetPath" if item.get("targetPath") is not None else \
                    f"{item.get('kind')} {item['name']} (key {key})"
                self.notes.append(f"{self.file}: HelmRelease {self.obj.name} {label}: {what} is not read from this "
                                  "repository; those values are not modeled")
                continue
            out.append(found)
        return out

    def _config_map(self, name: str, key: str) -> Origin | None:
        generated = self.build.generated.get(name, {})
        if key in generated:
            return Origin(generated[key], (), 0)
        for obj in self.build.objects:
            data = obj.merged.get("data")
            if obj.kind == "ConfigMap" and obj.name == name and isinstance(data, dict) and isinstance(data.get(key), str):
                where = obj.parts[0][0]
                return Origin(where.path, ("data", key, 0), where.doc)
        return None

    def _chart(self, spec: dict[str, Any]) -> tuple[str | None, list[str], list[Image]]:
        chart_ref = spec.get("chartRef")
        if chart_ref is not None:
            return None, [], self._chart_ref(chart_ref)
        chart = spec.get("chart")
        inner = chart.get("spec") if isinstance(chart, dict) else None
        if not isinstance(inner, dict):
            self._note("spec.chart.spec", inner, "a mapping")
            return None, [], []
        name, source = inner.get("chart"), inner.get("sourceRef")
        kind = source.get("kind") if isinstance(source, dict) else None
        if not isinstance(name, str):
            self._note("spec.chart.spec.chart", name, "a string")
            return None, [], []
        if kind in ("GitRepository", "Bucket"):
            return self._local_chart(name, inner)
        version = inner.get("version")
        if version is not None and not isinstance(version, (str, int, float)):
            self._note("spec.chart.spec.version", version, "a string")
            return None, [], []
        where = self.obj.origin(VERSION) or self.obj.origin(VERSION[:-1])
        return None, [], [Image(VERSION, "", name, str(version) if version is not None else "", "", where,
                                self.obj.origin(VERSION[:-1] + ("chart",)), "chart")]

    def _local_chart(self, name: str, inner: dict[str, Any]) -> tuple[str | None, list[str], list[Image]]:
        """A chart in a GitRepository: this repository's directory when it has one (its values.yaml and
        `valuesFiles` are layers); its version is the commit, so there is no artifact."""
        chart_dir = normalize("", name.lstrip("/"))
        if chart_dir is None or chart_dir not in self.charts:
            self.notes.append(f"{self.file}: HelmRelease {self.obj.name} spec.chart.spec.chart {name!r} is not a chart "
                              "directory of this repository; its chart defaults are not modeled")
            return None, [], []
        files = [f"{chart_dir}/values.yaml" if chart_dir else "values.yaml"]
        extra = inner.get("valuesFiles")
        for entry in extra if isinstance(extra, list) else ():
            path = normalize("", str(entry).lstrip("/")) if isinstance(entry, str) else None
            if path is not None and path not in files:
                files.append(path)
        return chart_dir, [f for f in files if f in self.files], []

    def _chart_ref(self, chart_ref: Any) -> list[Image]:
        if not isinstance(chart_ref, dict) or not isinstance(chart_ref.get("name"), str):
            self._note("spec.chartRef", chart_ref, "a mapping with a name")
            return []
        namespace = chart_ref.get("namespace") or self.obj.namespace
        if chart_ref.get("kind") != "OCIRepository":
            self.notes.append(f"{self.file}: HelmRelease {self.obj.name} spec.chartRef kind {chart_ref.get('kind')!r} "
                              "is not modeled; its chart version is not checked")
            return []
        candidates = [o for o in self.build.objects if o.kind == "OCIRepository" and o.name == chart_ref["name"]] \
            or self.oci.get(chart_ref["name"], [])
        same = [o for o in candidates if o.namespace in ("", namespace)] or candidates
        if len(same) != 1:
            self.notes.append(f"{self.file}: HelmRelease {self.obj.name} spec.chartRef OCIRepository "
                              f"{chart_ref['name']} is {'not in' if not same else 'ambiguous in'} this repository; "
                              "its chart version is not checked")
            return []
        return oci_artifact(same[0], self.notes)

    def _note(self, key: str, value: Any, wanted: str, path: str | None = None) -> None:
        found = "missing" if value is None else f"{type(value).__name__}"
        self.notes.append(f"{path or self.file}: HelmRelease {self.obj.name} {key} is {found}, not {wanted}; "
                          "the release is not fully modeled")


def oci_artifact(repo: Obj, notes: list[str]) -> list[Image]:
    """The chart an OCIRepository serves: by digest, an exact tag, or a semver constraint (default `latest`)."""
    spec = repo.merged.get("spec")
    url = spec.get("url") if isinstance(spec, dict) else None
    name = url if isinstance(url, str) and url else repo.name
    ref = spec.get("ref") if isinstance(spec, dict) else None
    ref = ref if isinstance(ref, dict) else {}
    repo_origin = repo.origin(("spec", "url"))
    for key, kind in (("digest", "chart-tag"), ("semver", "chart"), ("tag", "chart-tag")):
        value = ref.get(key)
        if value is None:
            continue
        if not isinstance(value, (str, int, float)):
            notes.append(f"{repo.parts[0][0].path}: OCIRepository {repo.name} spec.ref.{key} is "
                         f"{type(value).__name__}, not a string; its chart version is not checked")
            return []
        keypath = ("spec", "ref", key)
        digest, tag = (str(value), "") if key == "digest" else ("", str(value))
        return [Image(keypath, "", name, tag, digest, repo.origin(keypath), repo_origin, kind)]
    where = repo.origin(("spec", "ref")) or repo.origin(("spec",))
    return [Image(("spec", "ref", "tag"), "", name, "latest", "", where, repo_origin, "chart-tag")]

