"""argocd/shared-cluster: production deploys to the very cluster a non-production env of the same
app deploys to, kept apart only by namespace (one ApplicationSet sends stage and prod `in-cluster`)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops_lint.checks import CheckKind, Hit
from gitops_lint.model import Origin
from gitops_lint.repo import RepoModel

_IN_CLUSTER = ("https://kubernetes.default.svc", "in-cluster")


def shared_cluster(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    for app in model.apps:
        placed = [(d, _cluster(d.argo.dest_server)) for d in app.deployments if d.argo is not None and d.argo.dest_server]
        for prod, cluster in placed:
            if not prod.env.production or prod.argo is None:
                continue
            others = [d for d, c in placed if c == cluster and not d.env.production and d.namespace != prod.namespace
                      and _one_argo_cd(model, prod, d)]
            if not others:
                continue
            shown = ", ".join(f"{d.env.name} (namespace {d.namespace or 'default'})" for d in others)
            where = Origin(prod.argo.file, prod.argo.base + ("spec", "destination"), prod.argo.doc)
            yield Hit("default", where, prod.app, prod.env.name, {
                "env": prod.env.name, "application": prod.argo.name, "cluster": prod.argo.dest_server,
                "others": shown, "namespace": prod.namespace or "default",
            }, anchor=f"{prod.argo.name}:shared-cluster")


def _one_argo_cd(model: RepoModel, prod: Any, other: Any) -> bool:
    """Evidence that one Argo CD deploys both, so `in-cluster` is one cluster for both: one
    ApplicationSet generates both Applications. Hand-written Applications prove nothing, even with
    namespaces named after the envs: each env may run its own Argo CD in its own cluster."""
    a, b = prod.argo, other.argo
    return bool(a.generated_by and a.generated_by == b.generated_by and a.generated_by.startswith("ApplicationSet"))


def _cluster(server: str) -> str:
    """One name for one cluster: `in-cluster` is `https://kubernetes.default.svc`."""
    stripped = server.rstrip("/")
    return _IN_CLUSTER[0] if stripped in _IN_CLUSTER else stripped


KINDS = (CheckKind("shared-cluster", shared_cluster, {"type": "object", "additionalProperties": False},
                   "Finds production Applications that deploy to the cluster of a non-production env."),)
