"""ApplicationSets -> the Applications their static generators make.

List generators, and matrices of two static generators, are expanded and the template rendered
with `{{var}}` / `{{.var}}`; other generators are notices, never guessed. At most MAX_APPLICATIONS
are modeled per ApplicationSet: a matrix multiplies, and every Application costs its own values.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from gitops_lint.argofields import Fields
from gitops_lint.model import ArgoApp
from gitops_lint.yamlio import type_name

MAX_APPLICATIONS = 1000
_TEMPLATE = re.compile(r"\{\{-?\s*\.?([A-Za-z_][\w.\-]*)\s*-?\}\}")
Build = Callable[[Any, Fields, str], "ArgoApp | None"]


def expand(data: dict[str, Any], *, file: str, build: Build) -> tuple[list[ArgoApp], list[str]]:
    """The Applications an ApplicationSet makes (`build` turns one rendered template into one),
    and notices about what could not be modeled."""
    fields = Fields(f"{file}: ApplicationSet")
    meta = fields.mapping(data, "metadata", "metadata") or {}
    name = fields.text(meta, "name", "metadata.name") or "?"
    fields.where = f"{file}: ApplicationSet {name}"
    spec = fields.mapping(data, "spec", "spec", then="its Applications are not modeled")
    template = fields.mapping(spec, "template", "spec.template", then="its Applications are not modeled")
    if template is None:
        if not fields.notes:
            fields.notes.append(f"{file}: ApplicationSet {name} has no template; its Applications are not modeled")
        return [], fields.notes
    params: list[dict[str, Any]] = []
    assert spec is not None
    generators = fields.sequence(spec, "generators", "spec.generators", then="its Applications are not modeled")
    for index, generator in enumerate(generators or ()):
        rows = _static_params(generator, fields, f"spec.generators[{index}]")
        if rows is None:
            kinds = ", ".join(sorted(map(str, generator))) if isinstance(generator, dict) else "?"
            fields.notes.append(f"{file}: ApplicationSet {name}: the {kinds} generator is not static; "
                                "the Applications it makes are not modeled")
            continue
        params.extend(rows)
    if len(params) > MAX_APPLICATIONS:
        fields.note(f"its generators make {len(params)} Applications; the first {MAX_APPLICATIONS} are modeled")
        params = params[:MAX_APPLICATIONS]
    return _render_all(template, params, fields, build, f"{file}: ApplicationSet {name}"), fields.notes


def _render_all(template: dict[Any, Any], params: list[dict[str, Any]], fields: Fields, build: Build,
                where: str) -> list[ArgoApp]:
    apps = []
    for element in params:
        rendered = _render(template, element)
        if _has_template(rendered):
            fields.note(f"template fields left unresolved for element {_describe(element)}; that Application "
                        "is not modeled")
            continue
        own = Fields(f"{where}: Application")
        app = build(rendered, own, where.split(": ", 1)[1])
        fields.notes.extend(own.notes)
        if app:
            apps.append(app)
    return apps


def _static_params(generator: Any, fields: Fields, path: str) -> list[dict[str, Any]] | None:
    """Parameter sets of a generator that needs no cluster or remote repo, else None."""
    if not isinstance(generator, dict):
        return None
    listed = fields.mapping(generator, "list", f"{path}.list")
    if listed is not None:
        if listed.get("elementsYaml"):
            return None
        elements = fields.sequence(listed, "elements", f"{path}.list.elements") or []
        for index, element in enumerate(elements):
            if not isinstance(element, dict):
                fields.note(f"{path}.list.elements[{index}] is {type_name(element)}, expected a mapping; ignored")
        return [_flatten(e) for e in elements[:MAX_APPLICATIONS + 1] if isinstance(e, dict)]
    matrix = fields.mapping(generator, "matrix", f"{path}.matrix")
    if matrix is not None:
        inner = fields.sequence(matrix, "generators", f"{path}.matrix.generators") or []
        parts = [_static_params(g, fields, f"{path}.matrix.generators[{i}]") for i, g in enumerate(inner)]
        if len(parts) != 2 or parts[0] is None or parts[1] is None:
            return None
        product = ({**a, **b} for a in parts[0] for b in parts[1])
        return [row for _, row in zip(range(MAX_APPLICATIONS + 1), product)]
    return None


def _flatten(element: dict[Any, Any], prefix: str = "") -> dict[str, Any]:
    """List elements may nest (`{{values.x}}`, `{{.a.b}}`): expose every dotted path too."""
    out: dict[str, Any] = {}
    for key, value in element.items():
        out[f"{prefix}{key}"] = value
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
    return out


def _render(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, str):
        def substitute(match: re.Match[str]) -> str:
            key = match.group(1)
            return str(params[key]) if key in params and not isinstance(params[key], (dict, list)) \
                else match.group(0)
        return _TEMPLATE.sub(substitute, value)
    if isinstance(value, dict):
        return {_render(k, params): _render(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, params) for v in value]
    return value


def _has_template(value: Any) -> bool:
    return any("{{" in text for text in _strings(value))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _describe(element: dict[str, Any]) -> str:
    simple = {k: v for k, v in element.items() if not isinstance(v, (dict, list)) and "." not in k}
    return ", ".join(f"{k}={v}" for k, v in list(simple.items())[:3]) or "?"
