"""structure/*: every app reaches production through its protected envs."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops_lint.checks import CheckKind, Hit
from gitops_lint.model import Deployment, Origin
from gitops_lint.repo import RepoModel


def _where(dep: Deployment) -> Origin | None:
    if dep.argo is not None:
        return Origin(dep.argo.file, dep.argo.base + ("metadata", "name"), dep.argo.doc)
    return Origin(dep.value_files[-1]) if dep.value_files else None


def plays_stage(model: RepoModel, prod: Deployment) -> Deployment | None:
    """With no protected env before production, the env just before it rehearses it, unless that is
    the first env of the order (dev -> prod has no rehearsal)."""
    up = model.upstream(prod)
    scheme = model.scheme
    if up is None or up.env.protected or up.env.role == scheme.order[0]:
        return None
    if any(d.env.protected and d.env.rank < prod.env.rank for d in model.by_app(prod.app)):
        return None
    return up


def missing_env(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    scheme = model.scheme
    for app in model.apps:
        roles = {d.env.role for d in app.deployments}
        for dep in app.deployments:
            if not dep.env.production:
                continue
            missing = [r for r in scheme.order if r in scheme.protected and scheme.rank(r) < dep.env.rank
                       and r not in roles]
            if not missing:
                continue
            if plays_stage(model, dep) is not None:
                continue  # dev -> test -> prod: the env just before prod plays the stage role
            chain = " → ".join(d.env.name for d in app.deployments)
            case = "production-only" if len(roles) == 1 else "default"
            yield Hit(case, _where(dep), app.name, dep.env.name, {
                "app": app.name, "env": dep.env.name, "missing": ", ".join(missing), "chain": chain,
            }, anchor=f"{app.name}:{','.join(missing)}")


def removed(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    """PR mode: what the base deploys and the change no longer does, so nothing checks it any more."""
    if model.base is None:
        return
    here = {(d.app, d.env.name) for d in model.deployments()}
    # the same env deployed through the same Application or its own values file: the app is only
    # named otherwise now (a Chart.yaml added beside the env files names it after the chart)
    still = {(d.env.name, _identity(d)) for d in model.deployments()}
    apps_here = {a.name for a in model.argo_apps}
    reported: set[str] = set()
    for dep in model.base.deployments():
        if (dep.app, dep.env.name) in here or (dep.env.name, _identity(dep)) in still:
            continue
        if dep.argo is not None:
            reported.add(dep.argo.name)
        where = _where(dep)
        yield _on_base(model.base, where, Hit("default", None, dep.app, dep.env.name, {
            "app": dep.app, "env": dep.env.name, "what": _described(dep), "file": where.path if where else "?",
        }, anchor=f"{dep.app}:{dep.env.name}:removed", protected=dep.env.protected))
    for app in model.base.argo_apps:
        if app.name not in apps_here and app.name not in reported:
            where = Origin(app.file, app.base + ("metadata", "name"), app.doc)
            yield _on_base(model.base, where, Hit("application", None, None, None, {
                "application": app.name, "file": app.file}, anchor=f"{app.name}:application-removed"))


def _identity(dep: Deployment) -> tuple[str, ...]:
    """What deploys the env: its Application (file and name), else its own values file."""
    if dep.argo is not None:
        return ("application", dep.argo.file, dep.argo.name)
    return ("file", dep.own_file)


def _on_base(base: RepoModel, where: Origin | None, hit: Hit) -> Hit:
    """Located where the base has it (the file may be gone from the change)."""
    position = base.position(where) if where is not None and where.keypath is not None else None
    return hit._replace(origin=Origin(where.path) if where else None, line=position.line if position else None,
                        column=position.column if position else None)


def _described(dep: Deployment) -> str:
    if dep.argo is not None:
        return f"Application {dep.argo.name} in {dep.argo.file}"
    return ", ".join(dep.value_files) or "its files"


KINDS = (CheckKind("env-chain", missing_env, {"type": "object", "additionalProperties": False},
                   "Finds apps that reach production without every protected env before it."),
         CheckKind("removed", removed, {"type": "object", "additionalProperties": False},
                   "PR mode: compares the base's apps, envs and Applications with the change's."))
