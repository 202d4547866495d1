"""argocd/shared-cluster: production deploys to the very cluster a non-production env of the same
app deploys to, kept apart only by namespace (kubefirst's metaphor: development, staging and
production all `in-cluster`)."""
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
            others = [d for d, c in placed if c == cluster and not d.env.production and d.namespace != prod.namespace]
            if not others:
                continue
            shown = ", ".join(f"{d.env.name} (namespace {d.namespace or 'default'})" for d in others)
            where = Origin(prod.argo.file, prod.argo.base + ("spec", "destination"), prod.argo.doc)
            yield Hit("default", where, prod.app, prod.env.name, {
                "env": prod.env.name, "application": prod.argo.name, "cluster": prod.argo.dest_server,
                "others": shown, "namespace": prod.namespace or "default",
            }, anchor=f"{prod.argo.name}:shared-cluster")


def _cluster(server: str) -> str:
    """One name for one cluster: `in-cluster` is `https://kubernetes.default.svc`."""
    stripped = server.rstrip("/")
    return _IN_CLUSTER[0] if stripped in _IN_CLUSTER else stripped


KINDS = (CheckKind("shared-cluster", shared_cluster, {"type": "object", "additionalProperties": False},
                   "Finds production Applications that deploy to the cluster of a non-production env."),)
