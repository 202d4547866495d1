"""Helm, as Argo CD runs `helm template`: release name, namespace, values layers in order, CRDs.

Backend: helm-python-sdk (Helm's Go SDK through its C ABI: no binary, no network, `lookup`
empty); a `helm` binary on PATH only when the SDK does not import. Dependencies must be
vendored under `charts/` or be `file://` charts inside the repo (copied into `charts/<name>`,
as Argo CD's `helm dependency build` would); anything else is an error, never a download.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import posixpath
from pathlib import Path
from typing import Any

from gitops_lint.snapshot import Snapshot

from . import tree
from .base import Options, Plan, RenderRequest, Rendered, failed
from .run import binary_identity, execute, find_binary, private_dir


@functools.lru_cache(maxsize=None)
def _sdk_installed() -> bool:
    return importlib.util.find_spec("helm_python") is not None


class HelmRenderer:
    name = "helm"

    def available(self) -> bool:
        return _sdk_installed() or find_binary("helm") is not None

    @functools.lru_cache(maxsize=None)
    def version(self) -> str:
        if _sdk_installed():
            import importlib.metadata  # ~20 ms: only when a render needs a cache key

            return "helm-python-sdk " + importlib.metadata.version("helm-python-sdk")
        return "helm " + binary_identity(find_binary("helm"))

    def plan(self, snapshot: Snapshot, request: RenderRequest, options: Options) -> Plan:
        return tree.plan_or_refusal(_plan, snapshot, request, options)

    def run(self, snapshot: Snapshot, request: RenderRequest, plan: Plan, options: Options) -> Rendered:
        try:
            layers = json.loads(json.dumps(list(request.values), allow_nan=False, default=str))
        except ValueError:
            return failed("the values hold a number Helm cannot take (.inf or .nan)")
        chart = posixpath.normpath(request.path)
        sdk = _sdk_installed()

        def message(root: Path) -> dict[str, Any]:
            return {"op": "helm", "dir": private_dir(root, chart), "release": request.release,
                    "namespace": request.namespace, "values": layers, "kube_version": request.kube_version,
                    "api_versions": list(request.api_versions), "include_crds": request.include_crds,
                    "binary": None if sdk else find_binary("helm"), "binary_only": not sdk}

        def source_of(template: str) -> str:
            return _source(template, chart, plan.sources)

        return execute(snapshot, request, plan, options, message=message, source_of=source_of)

    def render(self, snapshot: Snapshot, request: RenderRequest, options: Options = Options()) -> Rendered:
        plan = self.plan(snapshot, request, options)
        return failed(plan.error) if plan.error else self.run(snapshot, request, plan, options)


def _plan(snapshot: Snapshot, request: RenderRequest, options: Options) -> Plan:
    files = snapshot.files()
    chart = tree.inside(".", request.path)
    chart_yaml = posixpath.join(chart, "Chart.yaml") if chart != "." else "Chart.yaml"
    if chart_yaml not in files:
        raise tree.Refused(f"{chart} is not a Helm chart: there is no {chart_yaml}")
    data: dict[str, bytes] = {}
    copies = [(f, f) for f in tree.under(files, chart)]
    metadata = tree.load_yaml(snapshot, chart_yaml, data)
    dependencies = metadata.get("dependencies") if isinstance(metadata, dict) else None
    sources = []
    for dep in dependencies if isinstance(dependencies, list) else []:
        if not isinstance(dep, dict) or not str(dep.get("repository") or "").startswith("file://"):
            continue  # vendored or not: the worker checks what Helm loaded against Chart.yaml
        name = str(dep.get("name") or "")
        vendored = posixpath.normpath(posixpath.join(chart, "charts", name))
        if not name or "/" in name or tree.is_dir(files, vendored) or any(
                f.startswith(f"{posixpath.dirname(vendored)}/{name}-") and f.endswith(".tgz") for f in files):
            continue
        target = tree.inside(chart, str(dep["repository"])[len("file://"):])
        if posixpath.join(target, "Chart.yaml") not in files and not (target == "." and "Chart.yaml" in files):
            raise tree.Refused(f"dependency {name} ({dep['repository']}) is not a chart inside the repository")
        copies += [(vendored + f[len(target):] if target != "." else f"{vendored}/{f}", f)
                   for f in tree.under(files, target)]
        sources.append((vendored, target))
    return tree.plan_files(snapshot, copies, options, data=data, sources=tuple(sources))


def _source(template: str, chart: str, sources: tuple[tuple[str, str], ...]) -> str:
    """Helm's `web/templates/x.yaml` (chart name first) as the repo file it came from."""
    if not template:
        return chart
    rel = template.partition("/")[2]
    path = posixpath.normpath(posixpath.join(chart, rel))
    for private, repo in sources:
        if path.startswith(private + "/"):
            return posixpath.normpath(posixpath.join(repo, path[len(private) + 1:]))
    return path
