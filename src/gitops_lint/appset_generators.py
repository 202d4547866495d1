"""ApplicationSet generators -> parameter sets, one per Application.

`list`, `clusters` (cluster Secrets defined in the repo), `git` (files and directories of this
repository) and the `matrix` and `merge` generators that combine them. Parameters take the shape
the template syntax reads: flat dotted names for fasttemplate (`path.basename`, `values.env`),
nested maps for Go templates (`.path.basename`, `.values.env`). Whatever needs a live cluster, a
remote repo or an API (pull requests, SCM providers, plugins) is a notice, never guessed. Lists are
cut at LIMIT, nesting at MAX_DEPTH, and a matrix whose second generator reads the first's
parameters is evaluated for at most MAX_DEPENDENT of them.
"""
from __future__ import annotations

from typing import Any

from gitops_lint import appset_git, appset_infer
from gitops_lint.appset_repo import Cluster, RepoView, normalized, selector
from gitops_lint.appset_params import ORIGINS, STAND_IN, Params, deep_merge, describe, flatten, keypath, leaves
from gitops_lint.appset_template import Syntax, Unresolved, Unsupported, render, render_text, scalar_text
from gitops_lint.argofields import Fields
from gitops_lint.yamlio import type_name

MAX_APPLICATIONS = 1000
LIMIT = MAX_APPLICATIONS + 1  # one more than modeled, so the cut can be told
MAX_DEPTH = 3  # matrix/merge nesting (Argo CD itself allows two levels)
MAX_DEPENDENT = 100
MAX_PROBLEMS = 5  # element notices per ApplicationSet, then one count
class Generators:
    """Expands the generators of one ApplicationSet; notices go to `fields`."""

    def __init__(self, fields: Fields, repo: RepoView | None, syntax: Syntax, spec: Any = None) -> None:
        self.fields, self.repo, self.syntax = fields, repo, syntax
        self.spec = spec if isinstance(spec, dict) else {}  # the ApplicationSet's spec (stand-in clusters)
        self.problems = 0
        self._stand_ins: list[Cluster] | None = None  # None: not looked for yet

    def problem(self, element: Params, why: str) -> None:
        """One element that cannot be modeled: named for the first few, counted after."""
        self.problems += 1
        if self.problems <= MAX_PROBLEMS:
            self.fields.note(f"element {describe(element)}: {why}; that Application is not modeled")
        elif self.problems == MAX_PROBLEMS + 1:
            self.fields.note("more elements could not be rendered (not named one by one)")

    def params(self, generator: Any, path: str, depth: int = 0) -> list[Params] | None:
        """The parameter sets of one generator; None (after a notice) when it is not modeled."""
        if not isinstance(generator, dict):
            self.fields.note(f"{path} is {type_name(generator)}, expected a mapping; its Applications are not modeled")
            return None
        kinds = sorted(str(k) for k in generator if k != "selector")
        if len(kinds) != 1 or depth > MAX_DEPTH:
            why = "nests deeper than Argo CD allows" if depth > MAX_DEPTH else "does not name exactly one generator"
            self.fields.note(f"{path} {why}; its Applications are not modeled")
            return None
        kind = kinds[0]
        spec = generator[kind]
        handler = {"list": self._list, "clusters": self._clusters, "git": self._git, "matrix": self._matrix,
                   "merge": self._merge}.get(kind)
        if handler is None:
            self.fields.note(f"the {kind} generator is not static; the Applications it makes are not modeled")
            return None
        if not isinstance(spec, dict):
            self.fields.note(f"{path}.{kind} is {type_name(spec)}, expected a mapping; its Applications are not "
                             "modeled")
            return None
        if "template" in spec:
            self.fields.note(f"{path}.{kind}.template (a per-generator template) is not modeled; its Applications "
                             "are not modeled")
            return None
        rows = handler(spec, f"{path}.{kind}", depth)
        return self._selected(rows, generator.get("selector"), f"{path}.selector") if rows is not None else None

    def _selected(self, rows: list[Params], raw: Any, path: str) -> list[Params] | None:
        """A generator's own `selector:` keeps the parameter sets whose flat values match."""
        if raw is None:
            return rows
        notes: list[str] = []
        test = selector(raw, path, notes)
        for note in notes:
            self.fields.note(f"{note}; its Applications are not modeled")
        if test is None:
            return None
        return [row for row in rows if test({k: v for k, v in self.flat(row).items() if v is not None})]

    def _list(self, spec: dict[Any, Any], path: str, depth: int) -> list[Params] | None:
        if spec.get("elementsYaml"):
            self.fields.note(f"{path}.elementsYaml is not static; the Applications it makes are not modeled")
            return None
        elements = self.fields.sequence(spec, "elements", f"{path}.elements") or []
        rows = []
        where = keypath(f"{path}.elements")
        for index, element in enumerate(elements[:LIMIT]):
            if isinstance(element, dict):
                row = dict(element) if self.syntax.go else flatten(element)
                row[ORIGINS] = dict(leaves(element, where + (index,)))
                rows.append(row)
            else:
                self.fields.note(f"{path}.elements[{index}] is {type_name(element)}, expected a mapping; ignored")
        return rows

    def _clusters(self, spec: dict[Any, Any], path: str, depth: int) -> list[Params] | None:
        if self.repo is None:
            return None
        clusters, notes = self.repo.clusters()
        self.fields.notes.extend(notes)
        if not clusters:
            clusters = self._inferred()
        if not clusters:
            self.fields.note("its clusters generator selects Argo CD cluster Secrets, the repository defines none, "
                             "and no selector names an env; the Applications it makes are not modeled (declare the "
                             "clusters under `clusters:` in .gitops-lint.yaml: docs/layouts.md)")
            return None
        problems: list[str] = []
        test = selector(spec.get("selector"), f"{path}.selector", problems)
        values = spec.get("values")
        if values is not None and not isinstance(values, dict):
            problems.append(f"{path}.values is {type_name(values)}, expected a mapping")
        for note in problems:
            self.fields.note(f"{note}; its Applications are not modeled")
        if test is None or problems:
            return None
        rows = []
        for cluster in clusters:
            if not test(cluster.labels):
                continue
            if self.syntax.go:
                row: Params = {"name": cluster.name, "nameNormalized": normalized(cluster.name),
                               "server": cluster.server, "project": cluster.project,
                               "metadata": {"labels": dict(cluster.labels), "annotations": dict(cluster.annotations)}}
            else:
                row = {"name": cluster.name, "nameNormalized": normalized(cluster.name), "server": cluster.server,
                       "project": cluster.project, **{f"metadata.labels.{k}": v for k, v in cluster.labels.items()},
                       **{f"metadata.annotations.{k}": v for k, v in cluster.annotations.items()}}
            if cluster.file == appset_infer.INFERRED_FROM:
                row[STAND_IN] = cluster.name  # a stand-in is named after the env it stands for
            row = self.with_values(row, values, path)
            if row is not None:
                rows.append(row)
        return rows

    def _inferred(self) -> list[Cluster]:
        """Stand-in clusters from this ApplicationSet's selectors (appset_infer), said once per run."""
        if self._stand_ins is None:
            assert self.repo is not None
            inferred = appset_infer.stand_ins(self.spec, self.repo.env_words)
            if inferred is not None:
                self.repo.stand_ins.append((self.fields.where, inferred))
            self._stand_ins = inferred.clusters if inferred is not None else []
        return self._stand_ins

    def with_values(self, row: Params, values: dict[Any, Any] | None, path: str) -> Params | None:
        """`values:` of a clusters or git generator, rendered with the element's own parameters."""
        rendered: dict[str, str] = {}
        origins = dict(row.get(ORIGINS) or {})
        for key, value in (values or {}).items():
            text = scalar_text(value)
            if not isinstance(key, str) or text is None:
                self.problem(row, f"{path}.values.{key} is {type_name(value)}, expected text")
                return None
            try:
                rendered[key] = render_text(text, row, self.syntax)
            except (Unresolved, Unsupported) as exc:
                self.problem(row, f"{path}.values.{key}: {exc}")
                return None
            if "{{" not in text:
                origins[f"values.{key}"] = keypath(path) + ("values", key)
        if not values:
            return row
        if self.syntax.go:
            return {**row, "values": rendered, ORIGINS: origins}
        return {**row, **{f"values.{k}": v for k, v in rendered.items()}, ORIGINS: origins}

    def _git(self, spec: dict[Any, Any], path: str, depth: int) -> list[Params] | None:
        return appset_git.params(self, spec, path)

    def _matrix(self, spec: dict[Any, Any], path: str, depth: int) -> list[Params] | None:
        children = self.fields.sequence(spec, "generators", f"{path}.generators")
        if children is None or len(children) != 2:
            self.fields.note(f"{path}.generators does not hold two generators; its Applications are not modeled")
            return None
        first = self.params(children[0], f"{path}.generators[0]", depth + 1)
        if first is None:
            return None
        second_path = f"{path}.generators[1]"
        if not any("{{" in text for text in _texts(children[1])):
            second = self.params(children[1], second_path, depth + 1)
            return None if second is None else _cut(self.combine(a, b) for a in first for b in second)
        rows: list[Params] = []
        if len(first) > MAX_DEPENDENT:
            self.fields.note(f"{second_path} reads the parameters of the first generator; it is evaluated for the "
                             f"first {MAX_DEPENDENT} of its {len(first)} elements")
        lenient = self.syntax._replace(keep_unknown=True)
        for a in first[:MAX_DEPENDENT]:
            try:
                child = render(children[1], a, lenient)
            except (Unresolved, Unsupported) as exc:
                self.problem(a, f"{second_path}: {exc}")
                continue
            second = self.params(child, second_path, depth + 1)
            if second is None:
                return None
            rows.extend(self.combine(a, b) for b in second)
            if len(rows) >= LIMIT:
                break
        return rows[:LIMIT]

    def _merge(self, spec: dict[Any, Any], path: str, depth: int) -> list[Params] | None:
        keys = self.fields.sequence(spec, "mergeKeys", f"{path}.mergeKeys")
        children = self.fields.sequence(spec, "generators", f"{path}.generators")
        if not keys or not all(isinstance(k, str) for k in keys) or not children:
            self.fields.note(f"{path} needs mergeKeys (a list of text) and generators; its Applications are not "
                             "modeled")
            return None
        base = self.params(children[0], f"{path}.generators[0]", depth + 1)
        if base is None:
            return None
        index: dict[tuple[Any, ...], int] = {}
        for position, row in enumerate(base):
            index.setdefault(self._key(row, keys), position)
        for number, child in enumerate(children[1:], start=1):
            rows = self.params(child, f"{path}.generators[{number}]", depth + 1)
            if rows is None:
                return None
            for row in rows:
                position = index.get(self._key(row, keys))  # type: ignore[assignment]
                if position is not None:
                    base[position] = self.combine(base[position], row)
        return base

    def _key(self, row: Params, keys: list[str]) -> tuple[Any, ...]:
        flat = self.flat(row)
        return tuple(flat.get(k) for k in keys)

    def flat(self, row: Params) -> dict[str, str | None]:
        """Dotted names and printed values, as fasttemplate and selectors see a parameter set."""
        return {k: scalar_text(v) for k, v in (flatten(row) if self.syntax.go else row).items()}

    def combine(self, a: Params, b: Params) -> Params:
        """b over a: flat names replace, Go maps merge key by key (where values are written, too)."""
        out = deep_merge(a, b, MAX_DEPTH * 16) if self.syntax.go else {**a, **b}
        if ORIGINS in a or ORIGINS in b:
            out[ORIGINS] = {**(a.get(ORIGINS) or {}), **(b.get(ORIGINS) or {})}
        return out


def _cut(rows: Any) -> list[Params]:
    return [row for _, row in zip(range(LIMIT), rows)]


def _texts(value: Any) -> Any:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
