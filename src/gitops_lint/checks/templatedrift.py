"""parity/drift over helmfile values templates: the per-env branches a `*.gotmpl` values file spells
out on one line (`{{ if eq .Environment.Name "production" }} "1024Mi" {{ else if … }}`), compared
between the rehearsal env and production like any values (helmfile_branches reads them)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from gitops_lint import helmfile_branches, keypaths
from gitops_lint.checks import Hit
from gitops_lint.checks.parityvalues import same
from gitops_lint.errors import GitopsLintError
from gitops_lint.model import Origin
from gitops_lint.repo import RepoModel
from gitops_lint.yamlio import format_keypath


def branch_drift(model: RepoModel, params: dict[str, Any], fold: Callable[[str], str] | None) -> Iterator[Hit]:
    from gitops_lint.checks.parity import compared_pairs  # parity calls this module: imported late

    if not model.values_templates:
        return
    patterns = [k for k in params["keys"] if isinstance(k, str)]  # values, not on/off presence
    allow = list(params.get("allow", ()))
    templates: dict[str, list[str]] = {}
    for app, path in model.values_templates:
        templates.setdefault(app, []).append(path)
    for stage, prod in compared_pairs(model, params, any_kind=True):
        for path in templates.get(stage.app, ()):
            for branched in _read(model, path):
                leaf = branched.keypath
                if not _shaping(leaf, patterns) or any(keypaths.matches(leaf, p) for p in allow):
                    continue
                mine, theirs = branched.value_for(stage.env.name), branched.value_for(prod.env.name)
                if mine is None or theirs is None or same(mine, theirs, fold):
                    continue
                key = format_keypath(leaf)
                yield Hit("default", Origin(path), stage.app, stage.env.name, {
                    "env": stage.env.name, "prod_env": prod.env.name, "key": key, "value": mine,
                    "prod_value": theirs, "prod_where": f"{path}:{branched.line}, its {prod.env.name} branch",
                    "file": path,
                }, anchor=f"template:{path}:{key}", protected=stage.env.protected, line=branched.line,
                    column=branched.column)


def _shaping(leaf: tuple[str, ...], patterns: list[str]) -> bool:
    return any(keypaths.matches(leaf[:end], p) for end in range(1, len(leaf) + 1) for p in patterns)


def _read(model: RepoModel, path: str) -> list[helmfile_branches.Branched]:
    try:
        data = model.cache.snapshot.read(path)
    except GitopsLintError:
        return []  # unreadable: the helmfile layout's notice says the template is not read
    return helmfile_branches.read(data.decode("utf-8", "replace"))
