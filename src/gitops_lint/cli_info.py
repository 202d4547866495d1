"""`gitops-lint rules`, `explain` and `demo`: the rule catalogue and the bundled example; registered
on the CLI group in cli.py."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from gitops_lint.cli import EXIT_FINDINGS, EXIT_PASS, _guarded
from gitops_lint.errors import GitopsLintError
from gitops_lint.model import Severity


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@_guarded
def rules_cmd(fmt: str) -> None:
    """List every rule: id, default severity, summary."""
    from gitops_lint.rules import load_rules

    rules = load_rules()
    if fmt == "json":
        click.echo(json.dumps([{"id": r.id, "severity": r.severity.value, "title": r.title, "summary": r.summary}
                               for r in rules], indent=2))
        return
    width = max(len(r.id) for r in rules)
    for rule in rules:
        click.echo(f"{rule.id:<{width}}  {rule.severity.value:<7}  {rule.summary}")


@click.command()
@click.argument("rule_id", metavar="RULE")
@_guarded
def explain(rule_id: str) -> None:
    """Document RULE: what it does, why, an example, the fix, its parameters."""
    from gitops_lint.docs import rule_doc
    from gitops_lint.rules import load_rules

    rule = next((r for r in load_rules() if r.id == rule_id), None)
    if rule is None:
        raise GitopsLintError(f"unknown rule {rule_id!r} (see `gitops-lint rules`)")
    click.echo(rule_doc(rule), nl=False)


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@_guarded
def demo(directory: str | None) -> None:
    """Build the bundled example repo (with git history) and lint it before and after a bad change."""
    from gitops_lint.config import load_config
    from gitops_lint.demo import build_demo
    from gitops_lint.engine import run
    from gitops_lint.formats import render

    for title, root in build_demo(Path(directory) if directory else None):
        click.echo(f"$ gitops-lint check {root}   # {title}")
        result = run(root, load_config(root))
        click.echo(render("text", result.report(), color=sys.stdout.isatty()))
        click.echo(f"(exit code {EXIT_FINDINGS if result.failed(Severity.ERROR) else EXIT_PASS})\n")
