"""Layout: plain Kubernetes manifests, one directory per env (`clusters/web-dev/deploy.yaml` …
`web-prod/`, or `apps/web/prod/*.yaml`). The directory's name (or its parent's, when the directory
is just the env) carries the env word; the rest of the name is the app. A directory qualifies when
it holds a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Rollout, Pod) and no chart or
kustomization, and none of its files is already used by another env. Each of its YAML files is one
layer of the env, so images are found (and followed through history) in the manifests themselves.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict

from gitops_lint.envs import EnvScheme
from gitops_lint.filecache import FileCache
from gitops_lint.model import Deployment

WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Rollout", "Pod", "ReplicaSet"})
_NOT_MANIFEST_DIRS = ("templates", "charts", "crds")


def deployments(yaml_files: list[str], cache: FileCache, scheme: EnvScheme, *, taken: set[str],
                skip_dirs: set[str]) -> dict[str, list[Deployment]]:
    """Apps (with two envs or more) found as per-env manifest directories."""
    by_dir: dict[str, list[str]] = defaultdict(list)
    for path in yaml_files:
        directory = posixpath.dirname(path)
        if path not in taken and directory not in skip_dirs \
                and not any(part in _NOT_MANIFEST_DIRS for part in directory.split("/")):
            by_dir[directory].append(path)
    apps: dict[str, list[Deployment]] = defaultdict(list)
    for directory, paths in sorted(by_dir.items()):
        named = _env_of(directory, scheme)
        if named is None or not any(_has_workload(cache, p) for p in paths):
            continue
        app, role, display = named
        if any(d.env.role == role and d.env.name == display for d in apps[app]):
            continue
        apps[app].append(Deployment(app=app, env=scheme.env(role, display), chart_dir=None,
                                    value_files=tuple(sorted(paths)), missing_value_files=(), argo=None,
                                    namespace=None, revision=None, kind="manifests"))
    return {app: deps for app, deps in apps.items() if len({d.env.name for d in deps}) > 1}


def _env_of(directory: str, scheme: EnvScheme) -> tuple[str, str, str] | None:
    """(app, role, env as written) from `…/web-prod` or `…/web/prod`."""
    base = posixpath.basename(directory)
    found = scheme.find(base) if base else None
    if found is None:
        return None
    role, display, rest = found
    parent = posixpath.basename(posixpath.dirname(directory))
    app = rest or parent
    return (app, role, display) if app else None


def _has_workload(cache: FileCache, path: str) -> bool:
    loaded = cache.load(path)
    return any(isinstance(doc.data, dict) and isinstance(doc.data.get("kind"), str) and doc.data["kind"] in WORKLOADS
               for doc in (loaded.docs if loaded is not None else ()))
