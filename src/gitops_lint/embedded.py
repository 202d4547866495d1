"""Values embedded in a document (`Deployment.values_in`): a release's inline values, a patch's, a
ConfigMap's `values.yaml` text. One reading of an origin serves now (repo.py) and every older
version of the file (history.py), so both see the same layers."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gitops_lint import yamlio
from gitops_lint.errors import YamlProblem
from gitops_lint.model import Origin

MAX_TEXT_HOPS = 2  # strings parsed on the way down one key path (a patch text holding a values text)


def documents(data: bytes | None, relpath: str) -> list[Any]:
    """Every document of a file's bytes (no positions); [] when it does not parse."""
    if data is None:
        return []
    try:
        return [doc.data for doc in yamlio.load_text(yamlio.decode(data, relpath), relpath, positions=False).docs]
    except YamlProblem:
        return []


def resolve(docs: Sequence[Any], origin: Origin) -> Any:
    """The value at `origin` in a file's documents, or None.

    A key path may go on past a string (an inline patch, a ConfigMap's `values.yaml`): the string is
    parsed as YAML text (bounded like a file) and the path goes on in its list of documents, so
    `('patches', 0, 'patch', 0, 'spec', 'values')` reads the values of the first document of a patch."""
    if not 0 <= origin.doc < len(docs):
        return None
    node, hops = docs[origin.doc], 0
    for key in origin.keypath or ():
        if isinstance(node, str):
            hops += 1
            if hops > MAX_TEXT_HOPS:
                return None
            try:
                node = [doc.data for doc in yamlio.load_text(node, origin.path, positions=False).docs]
            except YamlProblem:
                return None
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    return node
