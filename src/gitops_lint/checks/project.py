"""argocd/foreign-project: a protected env's Application uses an AppProject that only another env
creates (EKS Blueprints: dev's app-of-apps renders the `ecsdemo-frontend` AppProject with
`createProject: true`; test and prod set it false but still use the project)."""
from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from gitops_lint.checks import CheckKind, Hit
from gitops_lint.model import Origin
from gitops_lint.repo import RepoModel

def foreign_project(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    created = _created(model)
    for app in model.apps:
        for dep in app.deployments:
            argo = dep.argo
            if argo is None or not dep.env.protected or argo.project in ("", "default") or argo.project not in created:
                continue
            makers = created[argo.project]
            if any(role is None or role == dep.env.role for role, _, _ in makers):
                continue  # created for every env, or by this env
            envs = sorted({shown for _, shown, _ in makers})
            yield Hit("default", Origin(argo.file, argo.base + ("spec", "project"), argo.doc), dep.app, dep.env.name, {
                "application": argo.name, "env": dep.env.name, "project": argo.project,
                "others": " and ".join(envs), "verb": "creates" if len(envs) == 1 else "create", "where": ", ".join(sorted({w for _, _, w in makers})[:3]),
            }, anchor=f"{argo.name}:project:{argo.project}", protected=True)


def _created(model: RepoModel) -> dict[str, list[tuple[str | None, str, str]]]:
    """AppProject name -> (env role or None for every env, env as written, where) of each definition:
    the ones app-of-apps renders create per env, and hand-written ones (an env when the path names one)."""
    out: dict[str, list[tuple[str | None, str, str]]] = defaultdict(list)
    for name, env, values_file in model.rendered_projects:
        role = model.scheme.role_of(env) if env else None
        out[name].append((role, env or "every env", values_file))
    from gitops_lint.checks.argocd import documents_of_kind

    for path, _, data in documents_of_kind(model, "AppProject"):
        meta = data.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("name"), str):
            found = model.scheme.find(posixpath.dirname(path)) if posixpath.dirname(path) else None
            out[meta["name"]].append((found[0] if found else None, found[1] if found else "every env", path))
    return out


KINDS = (CheckKind("foreign-project", foreign_project, {"type": "object", "additionalProperties": False},
                   "Finds protected envs whose Application uses an AppProject only another env creates."),)
