"""argocd/values-order: a source lists shared defaults after env- or cluster-specific values files.
Helm merges valueFiles in order and the later file wins, so the defaults override the values that
were meant to specialise them (gitops-bridge's kyverno ApplicationSet: env, cluster, then default)."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from gitops_lint.checks import CheckKind, Hit
from gitops_lint.model import Origin
from gitops_lint.repo import RepoModel

_DEFAULT_WORDS = frozenset({"default", "defaults", "common", "base", "shared", "global"})
_ACTION = re.compile(r"\{\{-?\s*\.?([^}]*?)\s*-?\}\}")
# placeholders that differ per cluster or env (`{{name}}`, `{{metadata.labels.environment}}`)
_VARYING = re.compile(r"(^|\.)(name|nameNormalized|server|region)$|cluster|env|label", re.I)


def values_order(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    from gitops_lint.checks.argocd import appset_documents

    for path, index, data in appset_documents(model):
        meta = data.get("metadata")
        name = str(meta.get("name", "")) if isinstance(meta, dict) else ""
        spec = data.get("spec")
        template = spec.get("template") if isinstance(spec, dict) else None
        tspec = template.get("spec") if isinstance(template, dict) else None
        if isinstance(tspec, dict):
            base = ("spec", "template", "spec")
            for key, source in _sources(tspec):
                yield from _judge(model, _files(source), Origin(path, base + key, index), f"ApplicationSet {name}", name)
    for app in model.argo_apps:
        if app.generated_by and app.generated_by.startswith("ApplicationSet"):
            continue  # judged once, on the template, above
        for source in app.sources:
            keypath = (source.origin.keypath or ()) if source.origin else ()
            yield from _judge(model, list(source.value_files), Origin(app.file, keypath, app.doc),
                              f"Application {app.name}", app.name)


def _sources(tspec: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    if isinstance(tspec.get("source"), dict):
        yield ("source",), tspec["source"]
    for position, source in enumerate(tspec.get("sources") if isinstance(tspec.get("sources"), list) else ()):
        if isinstance(source, dict):
            yield ("sources", position), source


def _files(source: dict[str, Any]) -> list[Any]:
    helm = source.get("helm")
    files = helm.get("valueFiles") if isinstance(helm, dict) else None
    return files if isinstance(files, list) else []


def _judge(model: RepoModel, files: list[Any], source: Origin, owner: str, name: str) -> Iterator[Hit]:
    specific: str | None = None
    for position, entry in enumerate(files[:500]):
        if not isinstance(entry, str):
            continue
        kind = _kind(model, entry)
        if kind == "specific" and specific is None:
            specific = entry
        elif kind == "shared" and specific is not None:
            where = Origin(source.path, source.keypath + ("helm", "valueFiles", position), source.doc)
            yield Hit("default", where, name, None, {"owner": owner, "shared": entry, "specific": specific},
                      anchor=f"{owner}:{entry}")
            return


def _kind(model: RepoModel, entry: str) -> str:
    """"specific" (per env or cluster), "shared" (defaults for all), or "other"."""
    path = entry.split("/", 1)[1] if entry.startswith("$") and "/" in entry else entry
    if "{" in _ACTION.sub("x", path) or "}" in _ACTION.sub("x", path):
        return "other"  # a malformed template (argocd/values-file reports it)
    if any(_VARYING.search(field) for field in _ACTION.findall(path)):
        return "specific"
    static = _ACTION.sub("x", path)
    if model.scheme.find(static) is not None:
        return "specific"
    words = set(re.findall(r"[a-z0-9]+", static.lower()))
    if words & _DEFAULT_WORDS or posixpath.basename(static) in ("values.yaml", "values.yml"):
        return "shared"
    return "other"


KINDS = (CheckKind("values-order", values_order, {"type": "object", "additionalProperties": False},
                   "Finds valueFiles lists that put shared defaults after env- or cluster-specific files."),)
