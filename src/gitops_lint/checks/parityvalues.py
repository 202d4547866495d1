"""How parity/* compares two envs' values: Kubernetes quantities as numbers (`1Gi` == `1024Mi`),
env names folded (`pool-stage` == `pool-prod`), lists in any order, a block on or off, and which
mappings are container resources whatever the key that holds them is called."""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from gitops_lint.keypaths import MISSING

_QUANTITY = re.compile(r"^([+-]?\d+(?:\.\d+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$")
_FACTORS: dict[str | None, Any] = {None: 1, "m": Decimal("0.001"), "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15,
            "E": 10**18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


_RESOURCE_NAMES = frozenset({"cpu", "memory", "ephemeral-storage"})


def resource_blocks(data: Any, path: tuple[Any, ...] = (), budget: list[int] | None = None) -> set[tuple[Any, ...]]:
    """Mappings shaped like container resources (`limits`/`requests` of cpu or memory), whatever the key
    that holds them is called; walked over mappings only, bounded."""
    budget = budget if budget is not None else [20_000]
    out: set[tuple[Any, ...]] = set()
    if not isinstance(data, dict) or budget[0] <= 0 or len(path) > 32:
        return out
    budget[0] -= 1
    parts = [data.get(k) for k in ("limits", "requests")]
    if path and any(isinstance(v, dict) and _RESOURCE_NAMES & set(map(str, v)) for v in parts) \
            and set(map(str, data)) <= {"limits", "requests", "claims"}:
        return {path}
    for key, value in data.items():
        if isinstance(value, dict):
            out |= resource_blocks(value, path + (key,), budget)
    return out


def present(value: Any) -> str:
    if isinstance(value, dict) and "enabled" in value:
        return "on" if value["enabled"] else "off"
    return "on" if value is not MISSING and value else "off"


def same(a: Any, b: Any, fold: Callable[[str], str] | None) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    if isinstance(a, list) and isinstance(b, list):
        if a == b:
            return True
        from deepdiff import DeepDiff  # only when two lists differ: order does not matter here

        return not DeepDiff(normal(a, fold), normal(b, fold), ignore_order=True)
    return bool(normal(a, fold) == normal(b, fold))


def normal(value: Any, fold: Callable[[str], str] | None) -> Any:
    """Kubernetes quantities as numbers (`1Gi` == `1024Mi`), env names folded (`pool-stage` == `pool-prod`)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, str):
        match = _QUANTITY.match(value.strip())
        if match:
            try:
                return Decimal(match.group(1)) * _FACTORS[match.group(2)]
            except InvalidOperation:
                return value
        return fold(value) if fold else value
    if isinstance(value, dict):
        return {k: normal(v, fold) for k, v in value.items()}
    if isinstance(value, list):
        return [normal(v, fold) for v in value]
    return value
