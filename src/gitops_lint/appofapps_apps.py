"""One Application a chart rendered (app of apps) -> an ArgoApp rooted in the repo.

A rendered Application exists in no file, so everything about it is anchored where the repo
says it: `file` is the values file the chart was rendered with and `base` the entry of that file
that produced it (the list item or key holding the Application's name), so a finding on any of
its fields lands on that entry's line (or the file's first line when no entry names it).

Its env files are modeled as values layers, so history follows them:
- the values file itself, when the template passes the env's values through (`toYaml .Values`):
  then the inline values keep only what the file does not already set (env-wide defaults are
  located at their own line) and delete the file's keys the Application does not get;
- the files the templates read with `.Files.Get` for this app in this env (`image-tags/<env>/<app>`),
  recognised by name (a path segment naming the env, a basename naming the app) and confirmed by
  content (one of their values appears in the rendered Application).
"""
from __future__ import annotations

import json
import posixpath
from collections.abc import Callable
from typing import Any, NamedTuple

from gitops_lint import argocd, yamlio
from gitops_lint.errors import YamlProblem
from gitops_lint.model import ArgoApp, KeyPath, Origin, Source
from gitops_lint.values import merge

MAX_WALK = 20_000  # nodes visited while looking for the entry that names an Application
MAX_FEEDS = 8  # `.Files.Get` files taken per Application
REF = "gitops-lint-app-of-apps"  # the values-only source that lists the env's files as valueFiles


class Rendering(NamedTuple):
    """One render of an app-of-apps chart: with which values file, and what it may read."""

    chart: str
    values_file: str  # repo path of the values file (the chart's values.yaml when it has no env file)
    values: dict[str, Any]  # that file's first document
    env: str  # the env the values file names ("" when none)
    data_files: tuple[str, ...]  # chart files outside templates/ that `.Files.Get` may read
    overrides: dict[str, Any] | None = None  # values set for this render (the env parameter: {"govukEnvironment": "staging"})


def to_argo_app(obj: dict[str, Any], run: Rendering, *, is_local: Callable[[str], bool], cache: Any,
                scheme: Any) -> tuple[ArgoApp | None, list[str]]:
    """The ArgoApp of one rendered `Application` object, and notices about its fields."""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    name = meta.get("name") if isinstance(meta.get("name"), str) else ""
    found = scheme.find(name) if name else None
    names = [name] + ([found[2]] if found and found[2] else [])  # `web-production` was written `web`
    base = next((path for path in (entry_of(run.values, n) for n in names) if path), ())
    made = f"chart {run.chart} ({posixpath.basename(run.values_file)})"
    if run.overrides:  # rendered once per env with the env parameter set: located at that parameter
        base = base or (next(iter(run.overrides)),)
        made = f"chart {run.chart} ({', '.join(f'{k}={v}' for k, v in run.overrides.items())})"
    app, notes = argocd.rendered_application(obj, file=run.values_file, doc=0, base=base, is_local=is_local,
                                             generated_by=made, where=f"{run.values_file}: Application rendered by {made}")
    if app is None or not app.sources:
        return app, notes
    chart = argocd.chart_source(app)
    if chart is None:
        return app, notes
    inline = _inline(chart, notes, run.values_file)
    files: list[str] = []
    if inline is not None and _passes_through(run.values, inline):
        files.append(run.values_file)
        inline = subtract(run.values, inline)
    text = json.dumps(obj, default=str, sort_keys=True)
    files += feeds(run, names, base, text, cache)
    sources = [s._replace(values_text=None, values_object=inline) if s is chart and inline is not None else s
               for s in app.sources]
    if files:
        sources.append(Source(
            repo_url=chart.repo_url if chart.local else "", path=None, chart=None,
            target_revision=chart.target_revision, ref=REF, value_files=tuple(f"${REF}/{f}" for f in files),
            values_text=None, values_object=None, parameters=(), ignore_missing_value_files=True, local=True,
            origin=Origin(run.values_file, base, 0)))
    return app._replace(sources=tuple(sources), dest_server=_cluster(app.dest_server, run.env)), notes


def _cluster(server: str, env: str) -> str:
    """The in-cluster destination of an Application rendered with an env's values is that env's
    cluster: each env's Argo CD syncs its own app-of-apps root (GOV.UK, EKS Blueprints)."""
    if env and server.rstrip("/") in ("https://kubernetes.default.svc", "in-cluster"):
        return f"{server} ({env})"
    return server


def _inline(source: Source, notes: list[str], where: str) -> dict[str, Any] | None:
    """`helm.values` then `helm.valuesObject` of the rendered source, merged as Argo CD does."""
    data: Any = None
    if source.values_text:
        try:
            data = yamlio.load_text(source.values_text, where, positions=False).data
        except YamlProblem as problem:
            notes.append(f"{where}: the helm.values a chart rendered do not parse ({problem.message}); ignored")
    if isinstance(source.values_object, dict):
        data = merge(data if isinstance(data, dict) else {}, source.values_object)
    return data if isinstance(data, dict) else None


def _passes_through(values: dict[str, Any], inline: dict[str, Any]) -> bool:
    """The template hands the env's values on (`toYaml .Values`, perhaps minus the list of apps): every
    top-level key of the values file but at most one (that list) reaches the Application."""
    missing = [key for key in values if key not in inline]
    return bool(values) and len(missing) <= 1 and len(missing) < len(values)


def subtract(base: dict[str, Any], full: dict[str, Any]) -> dict[str, Any]:
    """What `full` adds over `base` (merging `base` then the result gives `full`): keys equal in both
    are left to `base`, keys only `base` has are deleted (null)."""
    out: dict[str, Any] = {}
    for key, value in full.items():
        if key in base and base[key] == value:
            continue
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            rest = subtract(base[key], value)
            if rest:
                out[key] = rest
        else:
            out[key] = value
    for key in base:
        if key not in full:
            out[key] = None
    return out


def entry_of(values: Any, name: str) -> KeyPath:
    """The key path of the values entry that produced the Application `name`: the mapping whose
    `name` (else any text field) is exactly `name`, else the key spelled `name`; () when not one."""
    if not name:
        return ()
    for found in _entry_index(values):
        unique = found.get(name, set())
        if len(unique) == 1:
            return next(iter(unique))
    return ()


_LAST_INDEX: list[Any] = [None, None]  # (values, index): one render's Applications share its values


def _entry_index(values: Any) -> tuple[dict[str, set[KeyPath]], ...]:
    """Every text the values hold, mapped to the entries holding it as `name`, as another field, or
    as a key: one walk per values file (bounded by MAX_WALK), not one per rendered Application."""
    if _LAST_INDEX[0] is values:
        return _LAST_INDEX[1]
    by_name: dict[str, set[KeyPath]] = {}
    by_field: dict[str, set[KeyPath]] = {}
    by_key: dict[str, set[KeyPath]] = {}
    stack: list[tuple[Any, KeyPath]] = [(values, ())]
    seen = 0
    while stack and seen < MAX_WALK:
        node, path = stack.pop()
        seen += 1
        items = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        for key, value in items:
            if isinstance(value, (dict, list)):
                if isinstance(key, str):
                    by_key.setdefault(key, set()).add(path + (key,))
                stack.append((value, path + (key,)))
            elif isinstance(node, dict) and isinstance(value, str) and path:
                (by_name if key == "name" else by_field).setdefault(value, set()).add(path)
    _LAST_INDEX[:] = [values, (by_name, by_field, by_key)]
    return _LAST_INDEX[1]


def feeds(run: Rendering, app_names: list[str], base: KeyPath, rendered: str, cache: Any) -> list[str]:
    """The chart files a template read for this Application with `.Files.Get`: under a directory named
    for the env, named for the app (its name, or a text field of its values entry), and holding a value
    that appears in the rendered Application."""
    if not run.env or not run.data_files:
        return []
    names = set(app_names) | _texts(yamlio.value_at(run.values, base) if base else None)
    found = []
    for path in run.data_files:
        rel = path[len(run.chart) + 1:] if run.chart not in ("", ".") else path
        parts = rel.split("/")
        stem = parts[-1].rsplit(".", 1)[0] if parts[-1].endswith((".yaml", ".yml", ".json")) else parts[-1]
        if run.env not in parts[:-1] or stem not in names:
            continue
        loaded = cache.load(path)
        data = loaded.data if loaded is not None else None
        if isinstance(data, dict) and any(_shows(value, rendered) for value in data.values()):
            found.append(path)
        if len(found) >= MAX_FEEDS:
            break
    return found


def _texts(entry: Any) -> set[str]:
    """Text fields of a values entry and of its lists of text (`repoName`, `imageValues: [a, b]`)."""
    out: set[str] = set()
    for value in entry.values() if isinstance(entry, dict) else ():
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, list):
            out.update(v for v in value[:50] if isinstance(v, str))
    return out


def _shows(value: Any, rendered: str) -> bool:
    """A scalar of a data file that the rendered Application carries (as JSON text)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
        return False
    text = str(value)
    return len(text) >= 2 and text in rendered
