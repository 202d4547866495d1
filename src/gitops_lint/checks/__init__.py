"""Check kinds: one module per family, each kind a function over the repo model.

A rule file names its kind (`check: {kind: values-parity, params: {...}}`); the kind yields Hits
(what and where, as a file and key path) and the engine turns them into located Findings.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from gitops_lint.model import Origin

if TYPE_CHECKING:
    from gitops_lint.repo import RepoModel


class Hit(NamedTuple):
    case: str  # selects the rule's message/fix/severity variant; "default" most of the time
    origin: Origin | None  # where: a file and key path; positions are resolved by the engine
    app: str | None
    env: str | None
    fields: dict[str, Any]  # values for the rule's message and fix templates
    anchor: str  # what the hit is about, stable across line shifts (for fingerprints)
    protected: bool | None = None  # the env is protected (None: not env-specific)
    line: int | None = None  # an explicit position, when the origin has no key path (yaml/*)
    column: int | None = None


class CheckKind(NamedTuple):
    name: str
    run: Callable[[RepoModel, dict[str, Any]], Iterable[Hit]]
    params_schema: dict[str, Any]
    doc: str
    needs_history: bool = False  # reads git history: skipped with a notice when there is none
    uses_history: bool = False  # also reads git history when it is there, and works without it


def _registry() -> dict[str, CheckKind]:
    from gitops_lint.checks import (argocd, cluster, crossenv, exposure, history, parity, project, promotion, structure,
                                    valueorder, yamlcheck)

    kinds: dict[str, CheckKind] = {}
    for module in (promotion, history, parity, crossenv, exposure, argocd, cluster, project, valueorder, structure, yamlcheck):
        for kind in module.KINDS:
            kinds[kind.name] = kind
    return kinds


_KINDS: dict[str, CheckKind] | None = None


def get_kind(name: str) -> CheckKind | None:
    global _KINDS
    if _KINDS is None:
        _KINDS = _registry()
    return _KINDS.get(name)


def kind_names() -> list[str]:
    get_kind("")
    assert _KINDS is not None
    return sorted(_KINDS)
