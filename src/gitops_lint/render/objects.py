"""Rendered text → `RenderedObject`s, parsed by the project's one YAML loader (safe, bounded)."""
from __future__ import annotations

import posixpath
import re
from typing import Any, Callable

from gitops_lint import yamlio
from gitops_lint.errors import GitopsLintError

from .base import RenderedObject
from .tree import Refused

# Kinds Argo CD leaves without a namespace (it asks the cluster; we know the built-in ones)
CLUSTER_SCOPED = frozenset({
    "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ComponentStatus",
    "CSIDriver", "CSINode", "CustomResourceDefinition", "FlowSchema", "IngressClass",
    "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration", "Namespace",
    "Node", "PersistentVolume", "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration",
    "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration", "VolumeAttachment", "ClusterIssuer", "ClusterSecretStore",
})

_DOC_START = re.compile(r"^---[ \t]*(?:#.*)?$", re.MULTILINE)


def parse(docs: list[tuple[str, str]], *, namespace: str,
          source_of: Callable[[str], str]) -> tuple[RenderedObject, ...]:
    """Objects of every rendered (template, text) in order; Helm's partials and NOTES are not manifests."""
    out = []
    for template, text in docs:
        base = posixpath.basename(template)
        if base.startswith("_") or base == "NOTES.txt" or not text.strip():
            continue
        source = source_of(template)
        for piece in _DOC_START.split(text):  # one document at a time: the size limit is per object
            if piece.strip():
                out += [_object(data, source, namespace) for data in _load(piece, source) if data is not None]
    return tuple(out)


def _load(text: str, source: str) -> list[Any]:
    try:
        return [doc.data for doc in yamlio.load_text(text, source, positions=False).docs]
    except GitopsLintError as exc:
        raise Refused(f"the rendered output of {source} cannot be used: {exc.message}") from None


def _object(data: Any, source: str, namespace: str) -> RenderedObject:
    if not isinstance(data, dict):
        raise Refused(f"{source} renders a document that is not a Kubernetes object (a {type(data).__name__})")
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind:
        raise Refused(f"{source} renders an object without a kind")
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name")
    own = metadata.get("namespace")
    if isinstance(own, str) and own:
        where: str | None = own
    else:
        where = None if kind in CLUSTER_SCOPED or not namespace else namespace
    return RenderedObject(kind, name if isinstance(name, str) else "", where, data, source)
