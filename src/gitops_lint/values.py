"""Effective Helm values in Argo CD precedence, each value with the file and key that set it.

Order: chart `values.yaml`, each valueFile in order (maps merge deeply, lists replace, `null`
deletes the key), then `helm.values`, `helm.valuesObject`, then `helm.parameters`.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from gitops_lint import helmset, yamlio
from gitops_lint.model import KeyPath, Origin


class Layer(NamedTuple):
    path: str  # repo-relative file that holds these values
    doc: int
    base: KeyPath  # where the values mapping sits inside that document
    data: Any


class Effective(NamedTuple):
    data: dict[str, Any]
    layers: tuple[Layer, ...]

    def origin(self, keypath: KeyPath) -> Origin | None:
        """The layer that sets `keypath` last; else the latest layer holding its deepest parent."""
        best: tuple[int, Layer] | None = None
        for layer in reversed(self.layers):
            depth = _depth_present(layer.data, keypath)
            if depth == len(keypath):
                return Origin(layer.path, layer.base + keypath, layer.doc)
            if depth > 0 and (best is None or depth > best[0]):
                best = (depth, layer)
        if best is None:
            return None
        depth, layer = best
        return Origin(layer.path, layer.base + keypath[:depth], layer.doc)

    def get(self, keypath: KeyPath, default: Any = None) -> Any:
        return yamlio.value_at(self.data, keypath, default)


def _depth_present(data: Any, keypath: KeyPath) -> int:
    depth = 0
    for key in keypath:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            break
        depth += 1
    return depth


def merge(base: Any, overlay: Any) -> Any:
    """Helm's coalescing for user values: deep for maps, replace otherwise, null deletes."""
    if not isinstance(base, dict) or not isinstance(overlay, dict):
        return overlay
    out = dict(base)
    for key, value in overlay.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def effective(layers: list[Layer]) -> Effective:
    data: Any = {}
    for layer in layers:
        if isinstance(layer.data, dict):
            data = merge(data, layer.data)
    return Effective(data if isinstance(data, dict) else {}, tuple(layers))


def parameters_to_values(parameters: tuple[tuple[str, str], ...]) -> tuple[dict[str, Any], list[KeyPath]]:
    """`helm.parameters` (`--set name=value`, read as Helm's strvals reads them) as a values tree.

    Returns the tree and, for each parameter in order, the key path it set: () for one Helm sets
    nothing for or refuses (helmset.parameter_problems says why), which is left out of the tree.
    """
    tree: dict[str, Any] = {}
    paths: list[KeyPath] = []
    budget = helmset.Budget()
    for name, raw in parameters:
        try:
            paths.append(helmset.apply(tree, name, raw, budget))
        except helmset.ParameterError:
            paths.append(())
    return tree, paths
