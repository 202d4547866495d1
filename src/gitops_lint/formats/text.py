"""Human output: findings grouped by file, then a PASS/FAIL line with counts.

Strings from the repo go through `escape.visible`, so a name or value cannot move the cursor, clear
the screen, retitle the terminal or start a new line; our own colour codes are added after that.
The report is often read in CI logs: no line of it can be taken for a workflow command."""
from __future__ import annotations

from typing import Any

from gitops_lint.formats import notices
from gitops_lint.formats.escape import not_a_command, visible
from gitops_lint.model import Finding, Severity

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET, _BOLD, _DIM = "\033[0m", "\033[1m", "\033[2m"


def _where(finding: Finding) -> str:
    """Starts a line, with or without colour: a path cannot make it a `::command`."""
    where = not_a_command(visible(finding.path)) if finding.path else "(repository)"
    if finding.line is not None:
        where += f":{finding.line}"
        if finding.column is not None:
            where += f":{finding.column}"
    return where


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 or word == "info" else "s")


def render(result: Any, *, fail_on: Severity = Severity.ERROR, color: bool = False, quiet: bool = False,
           verbose: bool = False, **_: Any) -> str:
    """`quiet`: findings and the summary only; `verbose`: every notice, not one per kind."""
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines: list[str] = []
    shown = [] if quiet else notices.lines(result.notices, verbose=verbose)
    for notice in shown:
        lines.append(paint(f"note: {visible(notice)}", _DIM))
    if shown:
        lines.append("")
    for finding in result.findings:
        if finding.suppressed is not None:
            continue
        severity = paint(f"{finding.severity.value:<7}", _COLORS.get(finding.severity, ""))
        lines.append(f"{paint(_where(finding), _BOLD)}  {severity} {finding.rule}")
        lines.append(f"    {visible(finding.message)}")
        if finding.fix:
            lines.append(f"    fix: {visible(finding.fix)}")
    if result.findings:
        lines.append("")
    verdict = "FAIL" if result.failed(fail_on) else "PASS"
    lines.append(paint(verdict, _COLORS[Severity.ERROR] if verdict == "FAIL" else "\033[32m")
                 + summary_line(result, fail_on=fail_on)[4:])
    return "\n".join(not_a_command(line) for line in lines) + "\n"


def summary_line(result: Any, *, fail_on: Severity) -> str:
    """`FAIL  2 errors, 0 warnings, 1 info in 1 app (dev → stage → prod), 8 files read`, on one line:
    env names come from the repo and are shown with `visible`."""
    counts = ", ".join(_plural(result.count(s), s.value) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    scope = f"{_plural(result.apps, 'app')}"
    if len(result.chains) == 1:
        scope += f" ({visible(result.chains[0])})"
    suppressed = sum(1 for f in result.findings if f.suppressed is not None)
    tail = f" ({suppressed} suppressed)" if suppressed else ""
    if result.unmodeled:
        tail += f"; {result.unmodeled} seen but not modeled (see the notes)"
    verdict = "FAIL" if result.failed(fail_on) else "PASS"
    return (f"{verdict}  {counts} in {scope}, {_plural(result.files, 'file')} read{tail}")
