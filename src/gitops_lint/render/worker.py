"""The render child process: one JSON request a line in, one JSON answer a line out.

It caps its own address space before loading anything (a template that allocates without end
dies here, not in the linter), keeps the Helm SDK loaded between requests (loading it costs
~0.15 s, a render a few ms), and runs kubectl/kustomize/helm binaries as its own children, so
they inherit the cap and die with its process group when the parent's timeout strikes.
It imports nothing from gitops_lint but the standard library, to start fast.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, BinaryIO

Docs = list[list[str]]  # [[source, text], ...]


def main() -> None:
    memory_mib = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    _limit(memory_mib)
    out = os.fdopen(os.dup(1), "wb")  # the protocol's own channel: fd 1 goes to stderr, so
    os.dup2(2, 1)  # whatever a library prints cannot corrupt an answer
    _answer(out, {"ready": True})
    for line in sys.stdin.buffer:
        request: dict[str, Any] = {}
        try:
            request = json.loads(line)
            answer = _handle(request)
        except Exception as exc:  # every failure is an answer; the parent never sees a traceback
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        limit = request.get("max_bytes") or 0
        if limit and sum(len(text) for _, text in answer.get("docs") or []) > limit:
            answer = {"error": f"the rendered output is over {limit} bytes"}
        _answer(out, answer)
    # stdin closed: the parent is gone (even killed); the private HOME it made for us goes too
    home = os.environ.get("HOME", "")
    if Path(home).name.startswith("gitops-lint-render-home-"):
        import shutil

        shutil.rmtree(home, ignore_errors=True)


def _limit(memory_mib: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the parent's timeout still applies
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_mib > 0:
        cap = memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _answer(out: BinaryIO, answer: dict[str, Any]) -> None:
    out.write(json.dumps(answer).encode() + b"\n")
    out.flush()


def _handle(request: dict[str, Any]) -> dict[str, Any]:
    op = request["op"]
    if op == "load-helm":
        return {"sdk": _sdk() is not None}
    if op == "helm":
        sdk = _sdk() if not request.get("binary_only") else None
        if sdk is not None:
            return _helm_sdk(request)
        if request.get("binary"):
            return _helm_binary(request)
        return {"error": "neither helm-python-sdk nor a helm binary is available"}
    if op == "kustomize":
        return _kustomize(request)
    return {"error": f"unknown request {op!r}"}


_SDK: list[Any] = []


def _sdk() -> Any:
    if not _SDK:
        chart: Any = None
        try:
            import helm_python.chart as chart
        except (ImportError, OSError):  # not installed, or its native library does not load here
            pass
        _SDK.append(chart)
    return _SDK[0]


def merge(base: dict[str, Any], layer: dict[str, Any]) -> dict[str, Any]:
    """Helm's mergeMaps: `-f a -f b`, maps merge key by key, anything else in `b` replaces."""
    out = dict(base)
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _layers(request: dict[str, Any]) -> list[dict[str, Any]]:
    layers = []
    for number, layer in enumerate(request["values"], 1):
        if layer is None:
            layer = {}
        if not isinstance(layer, dict):
            raise ValueError(f"values layer {number} is not a mapping")
        layers.append(layer)
    return layers


def _helm_sdk(request: dict[str, Any]) -> dict[str, Any]:
    from helm_python import _native
    from helm_python.errors import HelmError

    chart_module = _sdk()
    values: dict[str, Any] = {}
    for layer in _layers(request):
        values = merge(values, layer)
    try:
        with chart_module.Chart.load(request["dir"]) as chart:
            missing = _missing_dependencies(chart.metadata, chart.dependencies)
            if missing:
                return {"error": missing}
            opts: dict[str, Any] = {"name": request["release"] or "release-name",
                                    "namespace": request["namespace"] or "default", "is_install": True}
            if request["kube_version"] or request["api_versions"]:
                # Chart.render() does not take kube_version/api_versions (0.2.2); the C ABI it
                # wraps does, in the same options object, so only then is it called directly
                opts.update(kube_version=request["kube_version"], api_versions=request["api_versions"])
                manifests = json.loads(_native.call_string("helm_render", chart._raw(), json.dumps(values),
                                                           json.dumps(opts)))
            else:
                manifests = chart.render(values, **opts)
            docs: Docs = []
            if request["include_crds"]:
                docs += [[crd["filename"], crd["data"]] for crd in chart.crds]
            docs += [[name, text] for name, text in sorted(manifests.items())]
    except HelmError as exc:
        return {"error": str(exc)}
    return {"docs": docs}


def _missing_dependencies(metadata: dict[str, Any], loaded: list[dict[str, Any]]) -> str | None:
    """Helm's CheckDependencies, which the SDK's render skips: every declared dependency is in charts/."""
    have = {dep.get("name") for dep in loaded}
    for dep in metadata.get("dependencies") or []:
        if dep.get("name") not in have:
            where = f" from {dep['repository']}" if dep.get("repository") else ""
            return (f"dependency {dep.get('name')} is not vendored (charts/) nor a file:// chart inside the "
                    f"repository; Argo CD would fetch it{where}, the linter never fetches")
    return None


def _helm_binary(request: dict[str, Any]) -> dict[str, Any]:
    chart = Path(request["dir"])
    args = [request["binary"], "template", request["release"] or "release-name", str(chart),
            "--namespace", request["namespace"] or "default"]
    if request["include_crds"]:
        args.append("--include-crds")
    if request["kube_version"]:
        args += ["--kube-version", request["kube_version"]]
    for api in request["api_versions"]:
        args += ["--api-versions", api]
    for number, layer in enumerate(_layers(request)):
        layer_file = chart.parent / f".gitops-lint-values-{number}.json"  # JSON is YAML
        layer_file.write_text(json.dumps(layer))
        args += ["--values", str(layer_file)]
    proc = subprocess.run(args, capture_output=True, stdin=subprocess.DEVNULL, cwd=chart)
    if proc.returncode != 0:
        return {"error": _first_line(proc.stderr)}
    return {"docs": split_sources(proc.stdout.decode("utf-8", "replace"))}


def split_sources(text: str) -> Docs:
    """`helm template` output cut at each `# Source:` comment: [[template, its documents], ...]."""
    docs: Docs = []
    source = ""
    for chunk in ("\n" + text).split("\n---\n"):
        head, _, rest = chunk.lstrip("\n").partition("\n")
        if head.startswith("# Source: "):
            source, chunk = head[len("# Source: "):].strip(), rest
        if chunk.strip():
            docs.append([source, chunk])  # a document without its own comment belongs to the one before
    return docs


def _kustomize(request: dict[str, Any]) -> dict[str, Any]:
    binary = request["binary"]
    command = "build" if Path(binary).name.lower().startswith("kustomize") else "kustomize"
    args = [binary, command, request["dir"], "--load-restrictor", "LoadRestrictionsRootOnly"]
    proc = subprocess.run(args, capture_output=True, stdin=subprocess.DEVNULL, cwd=request["dir"])
    if proc.returncode != 0:
        return {"error": _first_line(proc.stderr)}
    return {"docs": [["", proc.stdout.decode("utf-8", "replace")]]}


def _first_line(stderr: bytes, limit: int = 800) -> str:
    """A tool's message as one line (kustomize quotes its config over several)."""
    text = " ".join(stderr.decode("utf-8", "replace").split()) or "failed with no message"
    text = text[len("error: "):] if text.lower().startswith("error: ") else text
    return text if len(text) <= limit else text[:limit] + " …"


if __name__ == "__main__":
    main()
