"""Promotion orders a repo declares, and the evidence behind each edge of an app's promotion graph.

Env names usually say the order (`dev` → `staging` → `prod`). Some repos also declare it:
gitops-promoter's `PromotionStrategy` lists its environment branches in order, Kargo `Stage`s name
the stages they take freight from, and an ApplicationSet's Progressive Sync (`strategy.rollingSync`)
rolls out step by step. A declared order (1) names envs the alias list does not know (`latest` →
`stable`), which then take the roles of the last envs of the configured order, and (2) is shown in
`discover` as the evidence of each edge. An env that no declared order and no known name places
gets no role: no chain is invented for it.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from gitops_lint.envs import EnvScheme

_MAX_STAGES = 500  # Kargo Stages read per repo


class DeclaredOrder(NamedTuple):
    envs: tuple[str, ...]  # env names, lower case, in promotion order
    source: str  # what declares it: "PromotionStrategy demo"
    file: str
    branches: tuple[str, ...] = ()  # a PromotionStrategy governs the envs that watch these branches
    appset: str | None = None  # a rollingSync governs the Applications of this ApplicationSet
    inferred: int = 0  # inferred from history (inferorder.py): how many promotions show it; `file` is the env dirs' parent


class Edge(NamedTuple):
    app: str
    upstream: str
    downstream: str
    evidence: str  # "declared", "configured" or "by name"
    detail: str  # where the evidence is


def declared_in(data: Any, path: str) -> list[DeclaredOrder]:
    """The orders one parsed document declares (none for any other document)."""
    if not isinstance(data, dict) or not isinstance(data.get("spec"), dict):
        return []
    api, kind, spec = str(data.get("apiVersion", "")), data.get("kind"), data["spec"]
    name = data.get("metadata", {}).get("name") if isinstance(data.get("metadata"), dict) else None
    if api.startswith("promoter.argoproj.io/") and kind == "PromotionStrategy":
        branches = [e["branch"] for e in spec.get("environments") or ()
                    if isinstance(e, dict) and isinstance(e.get("branch"), str)] \
            if isinstance(spec.get("environments"), list) else []
        envs = tuple(b.rsplit("/", 1)[-1].lower() for b in branches)
        return [DeclaredOrder(envs, f"PromotionStrategy {name}", path, tuple(branches))] if len(envs) > 1 else []
    if api.startswith("argoproj.io/") and kind == "ApplicationSet":
        return _rolling_sync(spec, name, path)
    return []


def _rolling_sync(spec: dict[str, Any], name: Any, path: str) -> list[DeclaredOrder]:
    strategy = spec.get("strategy")
    rolling = strategy.get("rollingSync") if isinstance(strategy, dict) else None
    steps = rolling.get("steps") if isinstance(rolling, dict) else None
    if not isinstance(steps, list):
        return []
    envs: list[str] = []
    for step in steps:
        expressions = step.get("matchExpressions") if isinstance(step, dict) else None
        for expression in expressions if isinstance(expressions, list) else ():
            if isinstance(expression, dict) and expression.get("operator") == "In" and \
                    isinstance(expression.get("values"), list):
                envs.extend(str(v).lower() for v in expression["values"] if isinstance(v, str))
    return [DeclaredOrder(tuple(envs), f"ApplicationSet {name} rollingSync", path, appset=str(name))] \
        if len(envs) > 1 else []


def kargo_stage(data: Any) -> tuple[str, list[str]] | None:
    """(stage, the stages it takes freight from) of a Kargo Stage document."""
    if not isinstance(data, dict) or data.get("kind") != "Stage" or \
            not str(data.get("apiVersion", "")).startswith("kargo.akuity.io/"):
        return None
    meta, spec = data.get("metadata"), data.get("spec")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not isinstance(spec, dict):
        return None
    upstream: list[str] = []
    for request in spec.get("requestedFreight") or () if isinstance(spec.get("requestedFreight"), list) else ():
        sources = request.get("sources") if isinstance(request, dict) else None
        stages = sources.get("stages") if isinstance(sources, dict) else None
        upstream += [s for s in stages or () if isinstance(s, str)] if isinstance(stages, list) else []
    subscriptions = spec.get("subscriptions")
    legacy = subscriptions.get("upstreamStages") if isinstance(subscriptions, dict) else None
    upstream += [s["name"] for s in legacy or () if isinstance(s, dict) and isinstance(s.get("name"), str)] \
        if isinstance(legacy, list) else []
    return meta["name"], upstream


def kargo_orders(stages: list[tuple[str, list[str], str]]) -> list[DeclaredOrder]:
    """Each root-to-leaf path of the Kargo pipeline graph, as an order (cycles are cut)."""
    ups = {name: up for name, up, _ in stages[:_MAX_STAGES]}
    files = {name: path for name, _, path in stages[:_MAX_STAGES]}
    downs: dict[str, list[str]] = {}
    for name, up in ups.items():
        for parent in up:
            downs.setdefault(parent, []).append(name)
    orders: list[DeclaredOrder] = []
    for root in sorted(n for n, up in ups.items() if not any(u in ups for u in up)):
        stack = [(root, (root,))]
        while stack and len(orders) < _MAX_STAGES:
            name, path = stack.pop()
            children = [c for c in sorted(downs.get(name, ())) if c not in path]
            if not children and len(path) > 1:
                orders.append(DeclaredOrder(tuple(p.lower() for p in path), "Kargo Stages", files[path[-1]]))
            stack.extend((c, path + (c,)) for c in reversed(children))
    return orders


def roles_for_unknown(orders: list[DeclaredOrder], scheme: EnvScheme) -> dict[str, list[str]]:
    """Aliases for declared env names the scheme does not know: an order's unknown names take the
    roles of the last envs of the configured order (`latest` → `stable` become stage → prod), kept
    below the first known name that follows them."""
    extra: dict[str, list[str]] = {}
    for order in orders:
        if all(scheme.find(name) is not None for name in order.envs):
            continue
        roles = list(scheme.order[-len(order.envs):]) if len(order.envs) <= len(scheme.order) else \
            [scheme.order[0]] * (len(order.envs) - len(scheme.order)) + list(scheme.order)
        for name, role in zip(order.envs, roles):
            if scheme.find(name) is None:
                extra.setdefault(role, []).append(name)
    return extra


def edges(model: Any) -> list[Edge]:
    """Every (upstream, downstream) pair of every app, with its evidence."""
    orders: list[DeclaredOrder] = list(model.declared_orders)
    configured = model.config.path is not None and tuple(model.scheme.order) != ("dev", "qa", "stage", "prod")
    out = []
    scheme = model.scheme
    role_orders = [(o, [(scheme.find(n) or (None,))[0] for n in o.envs]) for o in orders]
    for up, dep in model.pairs():
        declared = next((o for o, roles in role_orders if up.env.role in roles and dep.env.role in roles
                         and roles.index(up.env.role) < roles.index(dep.env.role)
                         and _governs(o, up) and _governs(o, dep)), None)
        if declared is not None and declared.inferred:
            out.append(Edge(dep.app, up.env.name, dep.env.name, "inferred",
                            f"from {declared.inferred} promotions in the history of {declared.file}"))
        elif declared is not None:
            out.append(Edge(dep.app, up.env.name, dep.env.name, "declared", f"{declared.source}, {declared.file}"))
        elif configured:
            out.append(Edge(dep.app, up.env.name, dep.env.name, "configured", f"environments.order in {model.config.path}"))
        else:
            out.append(Edge(dep.app, up.env.name, dep.env.name, "by name",
                            f"{up.env.role} comes before {dep.env.role}"))
    return out


def _governs(order: DeclaredOrder, dep: Any) -> bool:
    """Whether a declared order is about this env: a PromotionStrategy about the envs that watch its
    branches, a rollingSync about its ApplicationSet's Applications, Kargo Stages about the repo."""
    if order.inferred:
        return any(path.startswith(f"{order.file}/") for path in dep.value_files)
    if order.branches:
        return dep.revision in order.branches
    if order.appset is not None:
        return dep.argo is not None and dep.argo.generated_by == f"ApplicationSet {order.appset}"
    return True
