"""yaml/*: files the linter needs but cannot use (syntax, duplicate keys, unsafe input)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops_lint.checks import CheckKind, Hit
from gitops_lint.model import Origin
from gitops_lint.repo import RepoModel


def yaml_problems(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    for problem in model.problems():
        if problem.rule != params["problem"]:
            continue
        assert problem.path is not None
        yield Hit("default", Origin(problem.path), None, None, {"problem": problem.message},
                  anchor=f"{problem.line}:{problem.column}:{problem.message}",
                  line=problem.line, column=problem.column)


_YAML = (CheckKind("yaml-problem", yaml_problems, {
    "type": "object", "required": ["problem"], "additionalProperties": False,
    "properties": {"problem": {"enum": ["yaml/syntax", "yaml/duplicate-key", "yaml/unsafe"]}},
}, "Reports a file the linter needs that cannot be loaded (or loads ambiguously)."),)


def _suppressions(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    """Reported by the engine after every other rule ran (see suppress.py): nothing to do here."""
    return iter(())


KINDS = _YAML + (CheckKind("suppressions", _suppressions, {"type": "object", "additionalProperties": False},
                           "Checks inline suppressions and config exemptions (run by the engine last)."),)
