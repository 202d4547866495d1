"""Helmfile releases whose values files differ per env: `values/api/{{ .Environment.Name }}.yaml`.

Many helmfiles keep per-env settings in release values files named after the env rather than in
`environments.<env>.values`. Each release with such a file is an app of its own (named after the
release): per env, its local chart's values.yaml, then its values files in order with the env name
put in. Those are chart values (`image.tag`, `resources`), so images, parity, rendering and history
treat them as any Helm values (kind "helm"). Values templates (`*.gotmpl`, paths with other template
actions) and inline values are not read: one notice per release says so, and such a release keeps
kind "helmfile" (its images and history are checked; its values are neither compared nor rendered,
since part of them is unknown).
"""
from __future__ import annotations

import posixpath
from typing import Any

from gitops_lint import helmfile_text, yamlio
from gitops_lint.helmfile_text import HelmfileDoc, State
from gitops_lint.model import Deployment, Env

MAX_RELEASES = 1000  # per helmfile
MAX_VALUES = 50  # values items per release
_LENIENT = frozenset({"warn", "info", "debug"})


def add_apps(ctx: Any, path: str, state: State, chain: list[Env], helmfile_app: str) -> int:
    """Adds one app per release with per-env values files to `ctx`; returns how many."""
    if not chain:
        return 0
    lenient = any(isinstance(d.data, dict) and _lenient(d.data.get("missingFileHandler")) for d in state.docs)
    added = 0
    for doc in state.docs:
        releases = doc.data.get("releases") if isinstance(doc.data, dict) else None
        if releases is None:
            continue
        if not isinstance(releases, list):
            ctx.unmodeled.append(f"{helmfile_text.where(path, doc, ('releases',))}: releases is "
                                 f"{yamlio.type_name(releases)}, not a list; not read")
            continue
        if len(releases) > MAX_RELEASES:
            ctx.unmodeled.append(f"{path}: {len(releases)} releases; only the first {MAX_RELEASES} are read")
        for index, release in enumerate(releases[:MAX_RELEASES]):
            _templates(ctx, path, release, state.actions, helmfile_app)
            added += _release(ctx, path, doc, index, release, state.actions, chain, helmfile_app, lenient)
    return added


def _templates(ctx: Any, path: str, release: Any, actions: tuple[str, ...], helmfile_app: str) -> None:
    """The release's values templates (`*.gotmpl`) in the repo: parity reads the per-env branches
    they spell out (helmfile_branches)."""
    values = release.get("values") if isinstance(release, dict) else None
    for item in values[:MAX_VALUES] if isinstance(values, list) else ():
        resolved = _file(item, actions, "", posixpath.dirname(path))
        if resolved is not None and resolved.endswith(".gotmpl") and resolved in ctx.file_set \
                and (helmfile_app, resolved) not in ctx.templates:
            ctx.templates.append((helmfile_app, resolved))


def _lenient(handler: Any) -> bool:
    return isinstance(handler, str) and handler.lower() in _LENIENT


def _per_env(item: Any, actions: tuple[str, ...]) -> bool:
    """A values path that names the env (`{{ .Environment.Name }}`), and nothing else unknown."""
    if not isinstance(item, str):
        return False
    one, other = helmfile_text.expand(item, actions, "a"), helmfile_text.expand(item, actions, "b")
    return one is not None and other is not None and one != other


def _release(ctx: Any, path: str, doc: HelmfileDoc, index: int, release: Any, actions: tuple[str, ...],
             chain: list[Env], helmfile_app: str, lenient: bool) -> int:
    here = ("releases", index)
    values = release.get("values") if isinstance(release, dict) else None
    if not isinstance(values, list) or not any(_per_env(item, actions) for item in values[:MAX_VALUES]):
        return 0  # the same files in every env: nothing to compare
    name = release.get("name")
    if not isinstance(name, str) or helmfile_text.templated(name) or not name.strip():
        ctx.unmodeled.append(f"{helmfile_text.where(path, doc, here)}: a release with per-env values files has no "
                             "plain name; it is not modeled")
        return 0
    base_dir = posixpath.dirname(path)
    chart_dir = _local_chart(ctx, base_dir, release.get("chart"))
    chart_values = [] if chart_dir is None else [p for p in (posixpath.join(chart_dir, "values.yaml"),)
                                                 if p in ctx.file_set]
    lenient = lenient or _lenient(release.get("missingFileHandler"))
    app = name if name not in ctx.grouped else f"{helmfile_app}/{name}"
    skipped: list[str] = []
    deps = []
    for env in chain:
        present, missing = list(chart_values), []
        for position, item in enumerate(values[:MAX_VALUES]):
            resolved = _file(item, actions, env.name, base_dir)
            if resolved is None or resolved.endswith(".gotmpl"):
                shown = helmfile_text.restore(item, actions) if isinstance(item, str) else "(inline values)"
                if shown not in skipped:
                    skipped.append(shown)
            elif resolved in ctx.file_set:
                present.append(resolved)
                ctx.consumers.setdefault(resolved, app)
            elif not lenient:
                missing.append(resolved)
                ctx.unmodeled.append(f"{helmfile_text.where(path, doc, here + ('values', position))}: release {name} "
                                     f"of helmfile env {env.name} uses values file {resolved}, which does not exist")
        deps.append(Deployment(app=app, env=env, chart_dir=chart_dir, value_files=tuple(dict.fromkeys(present)),
                               missing_value_files=tuple(missing), argo=None, namespace=_text(release.get("namespace")),
                               revision=None))
    if skipped:  # values not read: neither compared nor rendered as if they were all there
        deps = [dep._replace(kind="helmfile") for dep in deps]
        ctx.unmodeled.append(f"{helmfile_text.where(path, doc, here)}: release {name}: values {', '.join(skipped)} "
                             "are templates or inline values; they are not read")
    ctx.add(app, deps, "helmfile")
    return 1


def _file(item: Any, actions: tuple[str, ...], env: str, base_dir: str) -> str | None:
    if not isinstance(item, str):
        return None
    expanded = helmfile_text.expand(item, actions, env)
    return helmfile_text.resolve(base_dir, expanded) if expanded is not None else None


def _local_chart(ctx: Any, base_dir: str, chart: Any) -> str | None:
    """The repo directory of a release's chart (`./charts/api`), or None for a repository chart."""
    if not isinstance(chart, str) or helmfile_text.templated(chart):
        return None
    resolved = helmfile_text.resolve(base_dir, chart)
    if resolved is None:
        return None
    if resolved == ".":
        return "" if "Chart.yaml" in ctx.file_set else None
    return resolved if posixpath.join(resolved, "Chart.yaml") in ctx.file_set else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() and not helmfile_text.templated(value) else None
