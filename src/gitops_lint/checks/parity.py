"""parity/*: stage rehearses prod. Compares effective values over production-shaping keys."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from gitops_lint import keypaths
from gitops_lint.checks import CheckKind, Hit
from gitops_lint.checks.parityvalues import present, resource_blocks, same
from gitops_lint.keypaths import MISSING
from gitops_lint.model import Deployment, Origin
from gitops_lint.repo import RepoModel
from gitops_lint.yamlio import format_keypath, value_at

def compared_pairs(model: RepoModel, params: dict[str, Any], *,
                   any_kind: bool = False) -> Iterator[tuple[Deployment, Deployment]]:
    """(rehearsal, production) pairs: production and the protected env just before it (both Helm
    values, unless `any_kind`)."""
    roles = params.get("envs")
    for app in model.apps:
        for dep in app.deployments:
            if roles:
                if dep.env.role != roles[1]:
                    continue
                rehearsal = next((d for d in app.deployments if d.env.role == roles[0]), None)
            else:
                if not dep.env.production:
                    continue
                rehearsal = model.upstream(dep)
                if rehearsal is not None and not rehearsal.env.protected:
                    from gitops_lint.checks.structure import plays_stage
                    rehearsal = plays_stage(model, dep)
            if rehearsal is not None and (any_kind or rehearsal.kind == dep.kind == "helm") \
                    and dep.chart_dir not in model.rendered_charts:  # an app of apps: judged in its Applications
                yield rehearsal, dep


def values_parity(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    patterns = [k if isinstance(k, str) else k["path"] for k in params["keys"]]
    presence = {k["path"] for k in params["keys"] if isinstance(k, dict) and k.get("compare") == "presence"}
    allow = list(params.get("allow", ()))
    fold = model.scheme.fold if params.get("ignore_env_names", True) else None
    reported: set[tuple[str, str, str]] = set()
    for stage, prod in compared_pairs(model, params):
        left, right = model.effective(stage), model.effective(prod)
        found = set(keypaths.find(left.data, patterns)) | set(keypaths.find(right.data, patterns))
        if params.get("resources_by_shape"):  # `appResources`, `workerResources`: requests/limits blocks by any name
            found |= {p for p in resource_blocks(left.data) | resource_blocks(right.data)
                      if not any(p[:i] in found for i in range(1, len(p) + 1))}
        matched = sorted(found, key=lambda p: tuple(map(str, p)))
        for path in matched:
            a, b = left.get(path, MISSING), right.get(path, MISSING)
            case = "default"
            if any(keypaths.matches(path, p) for p in presence):
                a, b, case = present(a), present(b), "presence"
            # a setting one env lacks entirely is one finding, not one per leaf of the other side
            whole = a is MISSING or b is MISSING or not isinstance(a, dict) or not isinstance(b, dict)
            ours = {path: a} if whole else keypaths.leaves(a, path)
            theirs = {path: b} if whole else keypaths.leaves(b, path)
            for leaf in sorted(set(ours) | set(theirs), key=lambda p: tuple(map(str, p))):
                mine, other = ours.get(leaf, MISSING), theirs.get(leaf, MISSING)
                if same(mine, other, fold) or any(keypaths.matches(leaf, p) for p in allow):
                    continue
                if params.get("skip_when_autoscaled") and _autoscaled(left.data, right.data, leaf):
                    continue
                where = right.origin(leaf)
                position = model.position(where) if where else None
                prod_where = (f"{where.path}:{position.line}" if where and position
                              else where.path if where else "chart default")
                origin = left.origin(leaf)
                if origin is None and stage.value_files:
                    origin = Origin(stage.value_files[-1])  # not set anywhere: the env's own file
                shape = "missing" if mine is MISSING else "extra" if other is MISSING else case
                reported.add((stage.app, stage.env.name, keypaths.show(mine)))
                yield Hit(shape if case == "default" else case, origin, stage.app, stage.env.name, {
                    "env": stage.env.name, "prod_env": prod.env.name, "key": format_keypath(leaf),
                    "value": keypaths.show(mine), "prod_value": keypaths.show(other), "prod_where": prod_where,
                    "file": _own_file(origin, stage, prod),
                }, anchor=format_keypath(leaf), protected=stage.env.protected)


    if params.get("rendered_scaling"):
        yield from _rendered_scaling(model, params, reported)
    if params.get("rendered_shaping"):
        yield from _rendered_shaping(model, params, reported, fold)
        from gitops_lint.checks.templatedrift import branch_drift

        yield from branch_drift(model, params, fold)  # helmfile values templates' per-env branches


def _rendered_shaping(model: RepoModel, params: dict[str, Any], reported: set[tuple[str, str, str]],
                      fold: Callable[[str], str] | None) -> Iterator[Hit]:
    """Pod placement, resources, probes, security context and PDBs as rendered, for every pair that
    renders (Kustomize overlays and plain manifests too): what the values comparison cannot see.
    A difference the values comparison already reported is not reported twice."""
    from gitops_lint.rendered import shaping

    allow = list(params.get("allow", ()))
    for stage, prod in compared_pairs(model, params, any_kind=True):
        ours, theirs = model.rendered_objects(stage), model.rendered_objects(prod)
        if ours is None or theirs is None:
            continue
        mine, other = _folded(shaping(ours), model), _folded(shaping(theirs), model)
        for folded in sorted(set(mine) & set(other)):  # a setting only one env renders: the values comparison's
            (key, (a, source)), (_, (b, prod_source)) = mine[folded], other[folded]
            whole = a is MISSING or b is MISSING or not isinstance(a, dict) or not isinstance(b, dict)
            ours_leaves = {(): a} if whole else keypaths.leaves(a)
            theirs_leaves = {(): b} if whole else keypaths.leaves(b)
            for leaf in sorted(set(ours_leaves) | set(theirs_leaves), key=lambda p: tuple(map(str, p))):
                x, y = ours_leaves.get(leaf, MISSING), theirs_leaves.get(leaf, MISSING)
                name = " ".join([key, format_keypath(leaf)]).strip()
                if same(x, y, fold) or (stage.app, stage.env.name, keypaths.show(x)) in reported \
                        or any(keypaths.matches((key.rsplit(" ", 1)[-1],) + leaf, p) for p in allow):
                    continue
                scalar = isinstance(x, (str, int, float)) and not isinstance(x, bool)
                origin = (model.trace_number(stage, x) or model.locate_text(stage, source, str(x)) if scalar else None) \
                    or Origin(source or prod_source)
                shape = "missing" if x is MISSING else "extra" if y is MISSING else "default"
                yield Hit(shape, origin, stage.app, stage.env.name, {
                    "env": stage.env.name, "prod_env": prod.env.name, "key": name, "value": keypaths.show(x),
                    "prod_value": keypaths.show(y), "prod_where": prod_source or "not rendered",
                    "file": _own_file(origin, stage, prod),
                }, anchor=f"rendered:{name}", protected=stage.env.protected)


def _rendered_scaling(model: RepoModel, params: dict[str, Any], reported: set[tuple[str, str, str]]) -> Iterator[Hit]:
    """Scaling as rendered (workload replicas, HPA min/max): keys no convention names
    (`minReplica`), HPA manifests, Kustomize patches. Located at the values key that holds stage's
    number when exactly one does, else at the manifest or template."""
    from gitops_lint.rendered import scaling

    for stage, prod in compared_pairs(model, params, any_kind=True):
        ours, theirs = model.rendered_objects(stage), model.rendered_objects(prod)
        if ours is None or theirs is None:
            continue
        mine, other = _folded(scaling(ours), model), _folded(scaling(theirs), model)
        for folded in sorted(set(mine) & set(other)):
            (key, (a, source)), (_, (b, prod_source)) = mine[folded], other[folded]
            if a == b or (stage.app, stage.env.name, str(a)) in reported:
                continue
            origin = model.trace_number(stage, a) or Origin(source)
            yield Hit("default", origin, stage.app, stage.env.name, {
                "env": stage.env.name, "prod_env": prod.env.name, "key": key, "value": str(a),
                "prod_value": str(b), "prod_where": prod_source, "file": _own_file(origin, stage, prod),
            }, anchor=f"rendered:{key}", protected=stage.env.protected)


def _folded(found: dict[str, Any], model: RepoModel) -> dict[str, tuple[str, Any]]:
    """Rendered objects named after their env (`web-stage`, `web-prod`: the release name) are one:
    keyed with the object's name folded, each with its key as the env renders it."""
    out = {}
    for key, value in found.items():
        kind, _, rest = key.partition(" ")
        name, _, tail = rest.partition(" ")
        out[" ".join(filter(None, (kind, model.scheme.fold(name), tail)))] = (key, value)
    return out


def _own_file(origin: Origin | None, stage: Deployment, prod: Deployment) -> str:
    """Where to change the rehearsal env alone: the file that sets it, unless prod shares that file."""
    if origin is not None and origin.path not in prod.value_files:
        return origin.path
    return stage.own_file


def _autoscaled(left: dict[str, Any], right: dict[str, Any], leaf: tuple[Any, ...]) -> bool:
    if str(leaf[-1]) not in ("replicaCount", "replicas"):
        return False
    prefix = leaf[:-1]
    return all(value_at(side, prefix + ("autoscaling", "enabled")) is True for side in (left, right))


_PARAMS = {
    "type": "object", "additionalProperties": False, "required": ["keys"],
    "properties": {
        "keys": {"type": "array", "description": "Key path patterns to compare (`**` = any keys before).",
                 "items": {"oneOf": [{"type": "string"}, {
                     "type": "object", "required": ["path"], "additionalProperties": False,
                     "properties": {"path": {"type": "string"}, "compare": {"enum": ["value", "presence"]}}}]}},
        "allow": {"type": "array", "items": {"type": "string"},
                  "description": "Key path patterns whose differences are intended."},
        "envs": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2,
                 "description": "The two roles to compare, rehearsal first (default: the protected env "
                                "before production, and production)."},
        "ignore_env_names": {"type": "boolean", "description": "Values that differ only by an env name "
                                                               "(`pool-stage`/`pool-prod`) are not drift."},
        # "x-rules": the rules an option is meant for (docs list it only there)
        "skip_when_autoscaled": {"type": "boolean", "x-rules": ["parity/replicas"],
                                 "description": "Ignore replica counts where both envs enable autoscaling."},
        "rendered_scaling": {"type": "boolean", "x-rules": ["parity/replicas"],
                             "description": "Also compare the rendered workloads' replicas and HPA min/max when "
                                            "both envs render."},
        "rendered_shaping": {"type": "boolean", "x-rules": ["parity/drift"],
                             "description": "Also compare rendered pod placement, resources, probes, security "
                                            "context and PDBs when both envs render."},
        "resources_by_shape": {"type": "boolean", "x-rules": ["parity/drift"],
                               "description": "Also compare every mapping shaped like container resources "
                                              "(`limits`/`requests` of cpu or memory), whatever its key is called "
                                              "(`appResources`, `workerResources`)."},
    },
}

KINDS = (CheckKind("values-parity", values_parity, _PARAMS,
                   "Compares the effective values of the rehearsal env and production over chosen keys."),)
