"""The values an Argo CD Application carries inline (`helm.values`, `helm.valuesObject`,
`helm.parameters`), as layers after its valueFiles: one answer for now and for history."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from gitops_lint import yamlio
from gitops_lint.errors import YamlProblem
from gitops_lint.model import ArgoApp, KeyPath
from gitops_lint.values import Layer, parameters_to_values


def inline_layers(app: ArgoApp, on_problem: Callable[[KeyPath, YamlProblem], None] | None = None) -> Iterator[Layer]:
    """Layers in Argo CD's precedence: values, valuesObject, parameters (each source in order).
    A `helm.values` string that does not parse is skipped and handed to `on_problem`."""
    for source in app.sources:
        base: KeyPath = source.origin.keypath or ()
        if source.values_text:
            try:
                inline = yamlio.load_text(source.values_text, app.file, positions=False)
                yield Layer(app.file, app.doc, base + ("helm", "values"), inline.data)
            except YamlProblem as problem:
                if on_problem is not None:
                    on_problem(base + ("helm", "values"), problem)
        if isinstance(source.values_object, dict):
            yield Layer(app.file, app.doc, base + ("helm", "valuesObject"), source.values_object)
        if source.parameters:
            tree, _ = parameters_to_values(source.parameters)
            yield Layer(app.file, app.doc, base + ("helm", "parameters"), tree)
