"""The command line. The only module that prints or exits.

Exit codes: 0 pass, 1 failing findings (audit: violations in the window), 2 cannot lint (usage,
config, PATH, shallow clone), 3 internal error.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from gitops_lint import __version__
from gitops_lint.errors import GitopsLintError
from gitops_lint.model import Severity

EXIT_PASS, EXIT_FINDINGS, EXIT_CANNOT_LINT, EXIT_INTERNAL = 0, 1, 2, 3
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "gitlab")
F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int) -> None:
    first, *more = message.split("\n")
    click.echo(f"gitops-lint: {first}", err=True)
    for line in more:  # several problems (a config with many errors): each on its own line, prefixed
        click.echo(f"gitops-lint: {first.split(': ', 1)[0]}: {line}", err=True)
    sys.exit(code)


def _guarded(func: F) -> F:
    """One boundary: our errors -> exit 2 with one line; anything else -> exit 3 (traceback with --debug)."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except GitopsLintError as error:
            if debug:
                raise
            _fail(f"error: {error}", error.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - the boundary that keeps tracebacks away
            if debug:
                raise
            _fail(f"internal error: {type(error).__name__}: {error} (run with --debug for the traceback)",
                  EXIT_INTERNAL)
    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def _root(path: str) -> Path:
    root = Path(path)
    if not root.exists():
        raise GitopsLintError(f"PATH {path!r} does not exist")
    if not root.is_dir():
        raise GitopsLintError(f"PATH {path!r} is not a directory (point it at the repository root)")
    return root.resolve()


def _write(text: str, output: str | None, *, append: bool = False) -> None:
    if output is None:
        # color=True: keep our colour codes when piped (click strips them otherwise); repo strings in
        # the text are already shown escaped, so the only escapes left are the ones we asked for
        click.echo(text, nl=False, color=True)
        return
    try:
        with open(output, "a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise GitopsLintError(f"cannot write {output}: {exc.strerror or exc}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gitops-lint")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def main(debug: bool) -> None:
    """Prove that a multi-environment GitOps repository is safe to deploy from."""


@main.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Report format on stdout [default: text; github when GITHUB_ACTIONS=true].")
@click.option("--output", "-o", "outputs", multiple=True, metavar="[FORMAT=]FILE",
              help="Write a report to FILE: `FILE` for the --format report, `sarif=out.sarif` for another "
                   "format (repeatable).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Lowest severity that fails the run.")
@click.option("--strict", is_flag=True, help="Same as --fail-on warning.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Config file (default: .gitops-lint.yaml at the repository root).")
@click.option("--no-history", is_flag=True, help="Skip the rules that read git history.")
@click.option("--rule", "only", multiple=True, metavar="ID", help="Run only this rule (repeatable).")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Accept the findings recorded in FILE.")
@click.option("--write-baseline", type=click.Path(dir_okay=False),
              help="Record the current findings in FILE (and exit 0).")
@click.option("--no-exemptions", is_flag=True, help="Ignore inline suppressions and config exemptions (audits).")
@click.option("--base", "base_ref", metavar="REF", help="PR mode: report only findings that are new against REF.")
@click.option("--policy-from-base/--policy-from-head", default=True, show_default=True,
              help="In PR mode, read .gitops-lint.yaml from REF, so a PR cannot relax the rule it breaks.")
@click.option("--trust-new-suppressions", is_flag=True,
              help="In PR mode, apply inline suppressions the change adds (default: reported, not applied).")
@click.option("--staged", is_flag=True,
              help="Lint the index (what the next commit contains), not the work tree: for git hooks.")
@click.option("--allow-empty", is_flag=True,
              help="Pass when no multi-environment app is found (default: exit 2, nothing was checked).")
@click.option("--no-render", is_flag=True,
              help="Judge charts and overlays from their values only; do not render them with Helm/Kustomize.")
@click.option("--no-cache", is_flag=True,
              help="Do not read or write the parse cache (content-addressed, outside the repo; see docs).")
@click.option("--color/--no-color", default=None,
              help="Colour the text report (default: when stdout is a TTY; NO_COLOR and FORCE_COLOR are honoured).")
@click.option("--quiet", "-q", is_flag=True, help="Findings and the summary only (no notes).")
@click.option("--verbose", "-v", is_flag=True, help="Every note, instead of one per kind with a count.")
@_guarded
def check(path: str, fmt: str | None, outputs: tuple[str, ...], fail_on: str, strict: bool, config_file: str | None,
          no_history: bool, only: tuple[str, ...], baseline: str | None, write_baseline: str | None,
          no_exemptions: bool, base_ref: str | None, policy_from_base: bool, trust_new_suppressions: bool,
          staged: bool, allow_empty: bool, no_render: bool, no_cache: bool, color: bool | None, quiet: bool,
          verbose: bool) -> None:
    """Lint the GitOps repository at PATH (default: the current directory)."""
    from gitops_lint.formats import render
    from gitops_lint.rules import load_rules
    from gitops_lint.session import CheckOptions, run_check
    from gitops_lint.suppress import baseline_text

    root = _root(path)
    known = {rule.id for rule in load_rules()}
    for rule_id in only:
        if rule_id not in known:
            raise GitopsLintError(f"unknown rule {rule_id!r} (see `gitops-lint rules`)")
    main_format = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    stdout_file, extra = _parse_outputs(outputs)
    options = CheckOptions(config=Path(config_file) if config_file else None, only=set(only) or None,
                           history=not no_history, exemptions=not no_exemptions,
                           baseline=Path(baseline) if baseline else None, base=base_ref,
                           policy_from_base=policy_from_base, cache=not no_cache, staged=staged,
                           trust_new_suppressions=trust_new_suppressions, render=not no_render)
    result = run_check(root, options)
    if result is None:
        click.echo("gitops-lint: the staged change only edits files no env depends on (as of the last full "
                   "check of these manifests); nothing to judge", err=True)
        sys.exit(EXIT_PASS)
    threshold = Severity.WARNING if strict else Severity(fail_on)
    if not allow_empty and not result.failed(threshold):
        _require_apps(result)  # a run that fails on its findings is not silent: they are shown, exit 1
    if write_baseline:
        _write(baseline_text(result.findings), write_baseline)
        click.echo(f"gitops-lint: wrote {sum(1 for f in result.findings if f.suppressed is None)} finding(s) "
                   f"to the baseline {write_baseline}", err=True)
        sys.exit(EXIT_PASS)
    report = result.report()
    _write(render(main_format, report, fail_on=threshold, color=_use_color(color, stdout_file), quiet=quiet,
                  verbose=verbose), stdout_file)
    for name, target in extra:
        _write(render(name, report, fail_on=threshold), target)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        _write(render("markdown", report, fail_on=threshold), summary, append=True)
    sys.exit(EXIT_FINDINGS if result.failed(threshold) else EXIT_PASS)


def _use_color(flag: bool | None, stdout_file: str | None) -> bool:
    """--color/--no-color win; then NO_COLOR (any value: off) and FORCE_COLOR (on, unless "0" or
    "false"), as no-color.org and force-color.org ask; else colour only a terminal."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force is not None and force.strip().lower() not in ("0", "false"):
        return True
    return stdout_file is None and sys.stdout.isatty()


def _require_apps(result: Any) -> None:
    """Never silent: a run that understood no multi-environment app checked nothing, so it cannot pass."""
    apps = result.model.apps
    if any(len({d.env.name for d in app.deployments}) > 1 for app in apps):
        return
    seen = (f"{len(apps)} app(s) with one env each ({', '.join(sorted(a.name for a in apps)[:5])})" if apps
            else "no app at all")
    raise GitopsLintError(
        f"no multi-environment app found in {result.model.root} ({seen}; {len(result.model.files)} files, "
        f"{len(result.model.argo_apps)} Argo CD Applications; {len(result.model.unmodeled)} things seen but not "
        "modeled). Looked for: Argo CD Applications and ApplicationSets, charts that render Applications, Flux "
        "Kustomizations and HelmReleases, helmfile environments, charts with values-<env>.yaml, envs/<env>/ "
        "directories, Kustomize overlays/<env>/, per-env manifest directories. Run `gitops-lint discover` to see "
        "what was understood and why the rest was not, declare your layout in .gitops-lint.yaml "
        "(layouts: [{files: \"path/{env}/{app}.yaml\"}], see docs/layouts.md), or pass --allow-empty")


def _parse_outputs(outputs: tuple[str, ...]) -> tuple[str | None, list[tuple[str, str]]]:
    for output in outputs:
        name, sep, target = output.partition("=")
        if output in FORMATS:
            raise GitopsLintError(f"--output {output}: name the file too (--output {output}=FILE), or use "
                                  f"--format {output} for stdout")
        if sep and name not in FORMATS and "/" not in name and "." not in name and name:
            raise GitopsLintError(f"--output {output}: unknown format {name!r} (formats: {', '.join(FORMATS)})")
        if sep and name in FORMATS and not target:
            raise GitopsLintError(f"--output {output}: name the file after '='")
    plain = [o for o in outputs if "=" not in o or o.split("=", 1)[0] not in FORMATS]
    if len(plain) > 1:
        raise GitopsLintError(f"--output: only one plain FILE (for --format) is allowed, got {', '.join(plain)}")
    extra = [tuple(o.split("=", 1)) for o in outputs if o not in plain]
    return (plain[0] if plain else None), [(name, target) for name, target in extra]


@main.command()
@click.argument("path", default=".", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@_guarded
def discover(path: str, fmt: str, config_file: str | None) -> None:
    """Show what the linter understood: apps x envs, files in merge order, Argo CD apps."""
    from gitops_lint.config import load_config
    from gitops_lint.discover import discover as build
    from gitops_lint.formats.model import model_dict, model_text

    root = _root(path)
    model = build(root, load_config(root, Path(config_file) if config_file else None))
    if fmt == "json":
        from gitops_lint.formats.escape import json_document

        click.echo(json_document(model_dict(model)), nl=False)
    else:
        click.echo(model_text(model), nl=False)


from gitops_lint.cli_audit import audit  # noqa: E402 - the audit command, registered on `main`
from gitops_lint.cli_info import demo, explain, rules_cmd  # noqa: E402 - rule catalogue and example

for _command in (audit, demo, explain, rules_cmd):
    main.add_command(_command)
