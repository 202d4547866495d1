"""File-based layouts: env files found by name when no Argo CD Application says which to use.

`values-<env>.yaml` beside a chart (or above it), `envs/<env>/values.yaml`, `<app>/<env>/values.yaml`,
and Kustomize overlays `overlays/<env>/kustomization.yaml` (or `<app>/<env>/base/kustomization.yaml`
when the env directory itself has none: per-cluster overlays build on the env's base).
"""
from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from pathlib import Path

from gitops_lint.envs import EnvScheme
from gitops_lint.model import Deployment
from gitops_lint.repo import FileCache

KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_ENV_FILE = re.compile(r"^(?:values[-._].+|.+[-._]values)\.ya?ml$", re.I)
_ENV_PARENTS = ("envs", "environments", "env", "overlays", "clusters", "deploy")
_ENV_BASES = ("base", "common")  # `<app>/<env>/base/kustomization.yaml`: the env's own base, its clusters overlay it


def joined(base: str, name: str) -> str:
    return posixpath.normpath(posixpath.join(base, name)) if base else name


def kustomization_file(directory: str, files: set[str] | frozenset[str]) -> str | None:
    """The kustomization of a directory (`kustomization.yaml`, `.yml` or `Kustomization`), if it has one."""
    return next((joined(directory, n) for n in KUSTOMIZATIONS if joined(directory, n) in files), None)


def file_deployments(root: Path, yaml_files: list[str], charts: list[str], files: set[str], scheme: EnvScheme,
                     cache: FileCache, *, consumers: dict[str, str], argo_charts: dict[str, str],
                     taken: set[str]) -> tuple[dict[str, list[Deployment]], list[tuple[str, str, str]]]:
    """Deployments of env files no Application uses, and the env files Applications leave unused."""
    grouped: dict[str, list[Deployment]] = defaultdict(list)
    unused: list[tuple[str, str, str]] = []
    for group, by_role in sorted(_env_file_groups(yaml_files, scheme).items()):
        chart = _find_chart(group, charts)
        owners = sorted({consumers[p] for paths in by_role.values() for p in paths if p in consumers})
        owner = owners[0] if owners else argo_charts.get(chart or group)
        if owner is not None:  # Applications deploy this directory: what they do not use is unused
            for role, paths in sorted(by_role.items()):
                unused.extend((owner, role, p) for p in paths
                              if p not in consumers and posixpath.basename(p) not in KUSTOMIZATIONS)
            continue
        name = _app_name(root, group, chart, cache, taken=taken | set(grouped))
        base_values = [f"{chart}/values.yaml"] if chart and joined(chart, "values.yaml") in files else []
        for role, paths in by_role.items():
            display = _display(paths[0], scheme, role)
            if posixpath.basename(paths[0]) in KUSTOMIZATIONS:
                grouped[name].append(Deployment(
                    app=name, env=scheme.env(role, display), chart_dir=None, value_files=(paths[0],),
                    missing_value_files=(), argo=None, namespace=None, revision=None, kind="kustomize"))
                continue
            variants = _variants(paths, scheme, role)
            common = variants.pop("", [])
            own_chart = _nearest_chart(paths[0], charts, group)  # envs/<env>/ is itself a chart
            base = base_values
            if own_chart:
                base = [joined(own_chart, "values.yaml")] if joined(own_chart, "values.yaml") in files else []
            for variant, own in (sorted(variants.items()) or [("", [])]):
                env = scheme.env(role, f"{display}-{variant}" if variant else display)
                grouped[name].append(Deployment(
                    app=name, env=env, chart_dir=own_chart or chart,
                    value_files=tuple(dict.fromkeys(base + common + own)),  # an env dir's own values.yaml once
                    missing_value_files=(), argo=None, namespace=None, revision=None))
    return dict(grouped), unused


def _env_file_groups(yaml_files: list[str], scheme: EnvScheme) -> dict[str, dict[str, list[str]]]:
    """Directory that holds an app's env files -> role -> files (values-<env>.yaml, <env>/values.yaml)."""
    groups: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    names = set(yaml_files)
    for path in yaml_files:
        directory, name = posixpath.split(path)
        found = scheme.find(name[: name.rfind(".")]) if _ENV_FILE.match(name) else None
        if found:
            groups[directory][found[0]].append(path)
            continue
        parent = posixpath.basename(directory)
        if name in KUSTOMIZATIONS and parent.lower() in _ENV_BASES and scheme.role_of(posixpath.basename(
                posixpath.dirname(directory))) and not any(joined(posixpath.dirname(directory), k) in names
                                                           for k in KUSTOMIZATIONS):
            directory = posixpath.dirname(directory)  # `<app>/<env>/base/`: what the env's clusters build on
            parent = posixpath.basename(directory)
        role = scheme.role_of(parent) if parent and (name.lower().startswith("values") or name in KUSTOMIZATIONS) \
            else None
        if role:
            group = posixpath.dirname(directory)
            if posixpath.basename(group) in _ENV_PARENTS:
                group = posixpath.dirname(group)
            groups[group][role].append(path)
    for by_role in groups.values():
        for paths in by_role.values():
            paths.sort(key=lambda p: (posixpath.dirname(p), len(posixpath.basename(p)), p))
    return {g: dict(r) for g, r in groups.items() if r}



def _variants(paths: list[str], scheme: EnvScheme, role: str) -> dict[str, list[str]]:
    """`values-production-east.yaml` / `-west.yaml`: two targets of one env, not two layers of one."""
    out: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        found = scheme.find(posixpath.basename(path).rsplit(".", 1)[0])
        rest = found[2] if found and found[0] == role else ""
        out["-".join(t for t in re.split(r"[^a-z0-9]+", rest.lower()) if t and t != "values")].append(path)
    return out



def _nearest_chart(path: str, charts: list[str], group: str) -> str | None:
    """The chart directory holding an env file, below the group directory (`envs/dev/` with its Chart.yaml)."""
    directory = posixpath.dirname(path)
    while directory and directory != group and (not group or directory.startswith(group + "/")):
        if directory in charts:
            return directory
        directory = posixpath.dirname(directory)
    return None



def _find_chart(group: str, charts: list[str]) -> str | None:
    """The chart of a directory of env files: itself, chart/, charts/, helm/, or its one child chart."""
    if group in charts:
        return group
    for name in ("chart", "charts", "helm"):
        if joined(group, name) in charts:
            return joined(group, name)
    prefix = f"{group}/" if group else ""
    children = [c for c in charts if c.startswith(prefix) and (
        "/" not in c[len(prefix):] or (c[len(prefix):].startswith("charts/") and c[len(prefix):].count("/") == 1))]
    return children[0] if len(children) == 1 else None



def _app_name(root: Path, group: str, chart: str | None, cache: FileCache, *, taken: set[str]) -> str:
    name = posixpath.basename(group) or root.resolve().name
    if name in taken or name in _ENV_PARENTS or name in ("helm", "helm_deploy", "deploy", "chart"):
        if chart:
            loaded = cache.load(joined(chart, "Chart.yaml"))
            chart_name = loaded.data.get("name") if loaded and isinstance(loaded.data, dict) else None
            if isinstance(chart_name, str) and chart_name and chart_name not in taken:
                return chart_name
        return group or name
    return name



def _display(path: str, scheme: EnvScheme, role: str) -> str:
    for part in reversed(path.split("/")):
        found = scheme.find(part.rsplit(".", 1)[0]) if "." in part else (
            (scheme.role_of(part), part, "") if scheme.role_of(part) else None)
        if found and found[0] == role:
            return found[1]
    return role

