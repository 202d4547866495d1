"""Parameter sets of ApplicationSet generators: their shape, and where their values are written.

A parameter set is what one element gives the template (flat dotted names for fasttemplate,
nested maps for Go templates). Two hidden keys no template can name ride along: STAND_IN marks a
set made for a stand-in cluster (appset_infer), ORIGINS maps a parameter to the key path where its
value is written as is in the ApplicationSet, so a field that is exactly one parameter
(`targetRevision: '{{values.addonChartVersion}}'`) is located at that entry and history follows it.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops_lint.appset_template import scalar_text

Params = dict[str, Any]
STAND_IN = "\x00stand-in"  # parameter set for a stand-in cluster (no template can name this key)
# where a parameter's value is written, as is, in the ApplicationSet: dotted name -> key path from the
# document root (an element of a list generator, a `values:` entry); findings and history go there
ORIGINS = "\x00origins"


def flatten(element: dict[Any, Any], prefix: str = "", depth: int = 32) -> Params:
    """Nested parameters under every dotted path too (`values.env`, `a.b.0`), as Argo CD flattens
    list elements and git files for fasttemplate; deeper than `depth` is left nested."""
    out: Params = {}
    items = element.items() if isinstance(element, dict) else enumerate(element)
    for key, value in items:
        name = f"{prefix}{key}"
        out[name] = value
        if isinstance(value, (dict, list)) and depth > 0:
            out.update(flatten(value, f"{name}.", depth - 1))  # type: ignore[arg-type]
    return out


def keypath(path: str) -> tuple[Any, ...]:
    """`spec.generators[0].merge.generators[2].clusters` as a key path. Generator paths are built
    from fixed words (generator kinds, `generators`, `elements`), never from a repo's keys."""
    out: list[Any] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        out.append(name)
        for index in rest.replace("]", "").split("[") if rest else ():
            out.append(int(index))
    return tuple(out)


def leaves(element: Any, where: tuple[Any, ...], prefix: str = "", depth: int = 8) -> Any:
    """(dotted name, key path) of every scalar in a list element, as fasttemplate names them."""
    items = element.items() if isinstance(element, dict) else enumerate(element)
    for key, value in items:
        if not isinstance(key, (str, int)) or isinstance(key, bool):
            continue
        if isinstance(value, (dict, list)):
            if depth > 0:
                yield from leaves(value, where + (key,), f"{prefix}{key}.", depth - 1)
        else:
            yield f"{prefix}{key}", where + (key,)


def deep_merge(a: Any, b: Any, depth: int) -> Any:
    """`b` over `a`, mappings merged key by key down to `depth` levels (a merge generator's later
    elements, a templatePatch over its template)."""
    if isinstance(a, dict) and isinstance(b, dict) and depth > 0:
        out = dict(a)
        for key, value in b.items():
            out[key] = deep_merge(a[key], value, depth - 1) if key in a else value
        return out
    return b


def describe(element: Params) -> str:
    simple = [(k, scalar_text(v)) for k, v in element.items()
              if isinstance(k, str) and "." not in k and k not in (STAND_IN, ORIGINS) and scalar_text(v) is not None]
    shown = ", ".join(f"{k}={v}" for k, v in simple[:3])
    return shown[:120] or "?"


def traced(value: Any, origins: dict[str, Any], where: tuple[Any, ...], depth: int = 0) -> Iterator[Any]:
    """(key path, origin key path) of each template text that is exactly one parameter written as is
    in the ApplicationSet (`'{{values.addonChartVersion}}'`, `'{{ .chartVersion }}'`)."""
    if not origins or depth > 32:
        return
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{{") and text.endswith("}}") and text.count("{{") == 1:
            name = text[2:-2].strip(" -").lstrip(".")
            if name in origins:
                yield where, origins[name]
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from traced(item, origins, where + (key,), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from traced(item, origins, where + (index,), depth + 1)
