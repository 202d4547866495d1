"""`gitops-lint audit`: the promotion ledger (docs/audit.md); registered on the CLI group in cli.py."""
from __future__ import annotations

import sys

import click

from gitops_lint.cli import EXIT_FINDINGS, EXIT_PASS, _guarded, _root, _write


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--since", metavar="DATE", help="Only events at or after DATE (2026-05-01, or an ISO 8601 time; UTC).")
@click.option("--until", metavar="DATE", help="Only events before DATE (a day: up to its end); also \"now\" for drift.")
@click.option("--app", "app_glob", metavar="GLOB", help="Only apps whose name matches GLOB (`*`, `?`, `**`).")
@click.option("--env", "env_name", metavar="NAME", help="Only events of this env (a name or a role: prod).")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "sarif", "junit", "html")), default="text",
              show_default=True, help="html: one self-contained page (use -o audit.html).")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes, each taking a share of the apps.")
@_guarded
def audit(paths: tuple[str, ...], since: str | None, until: str | None, app_glob: str | None, env_name: str | None,
          fmt: str, output: str | None, jobs: int) -> None:
    """The promotion ledger of the repositories at PATH... (default: .): every event, judged as of its
    commit, with lead times, soak, rollbacks, hotfixes and drift (docs/audit.md).

    Exit codes: 0 no violation (error or warning) in the window, 1 violations, 2 usage, config or
    history error."""
    from gitops_lint.audit import audit as run_audit, failed, parse_date
    from gitops_lint.audit.formats import render

    roots = [_root(p) for p in paths or (".",)]
    window = parse_date(since, option="--since"), parse_date(until, option="--until", end=True)
    doc = run_audit(roots, since=window[0], until=window[1], app=app_glob, env=env_name, jobs=jobs,
                    progress=_progress if sys.stderr.isatty() else None)
    if sys.stderr.isatty():
        click.echo("\r\033[K", err=True, nl=False)
    _write(render(fmt, doc), output)
    sys.exit(EXIT_FINDINGS if failed(doc) else EXIT_PASS)


def _progress(done: int, total: int, name: str) -> None:
    """A bar on stderr (only when it is a terminal): `audit [#####.....] 12/40 router`."""
    filled = 20 * done // max(total, 1)
    click.echo(f"\r\033[Kaudit [{'#' * filled}{'.' * (20 - filled)}] {done}/{total} {name[:40]}", err=True, nl=False)
