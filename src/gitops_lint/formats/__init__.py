"""Pure renderers: a check Result in, text out. Only cli.py writes it anywhere."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gitops_lint.formats import github, gitlab, jsonfmt, junit, markdown, sarif, text

RENDERERS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": jsonfmt.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
    "gitlab": gitlab.render,
}


def render(name: str, result: Any, **options: Any) -> str:
    return RENDERERS[name](result, **options)
