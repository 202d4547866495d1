"""GitHub Actions workflow commands: one annotation per finding, shown on the PR diff.

The runner reads stdout line by line and obeys `::name k=v,k=v::data` at the start of a line (after
white space) and the legacy `##[name k=v;k=v]data` anywhere in a line that is not a `::` command
(actions/runner, ActionCommand.cs). So every string from the repo is first made `visible` (one line,
controls shown, `##[` broken), then data is escaped as the toolkit's escapeData does (`%`, CR, LF)
and property values as its escapeProperty does (also `:` and `,`); our own line break before
`fix:` stays %0A. The summary, the one line that is not a command, starts with PASS/FAIL and has no
line break left: no line but our own commands starts with `::`."""
from __future__ import annotations

from typing import Any

from gitops_lint.formats import notices
from gitops_lint.formats.escape import visible
from gitops_lint.formats.text import summary_line
from gitops_lint.model import Severity

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: Any, *, fail_on: Severity = Severity.ERROR, quiet: bool = False, verbose: bool = False,
           **_: Any) -> str:
    lines = []
    for finding in result.findings:
        if finding.suppressed is not None:
            continue
        props = []
        if finding.path:
            props.append(f"file={_property(visible(finding.path))}")
            if finding.line:
                props.append(f"line={finding.line}")
            if finding.column:
                props.append(f"col={finding.column}")
        props.append(f"title={_property(finding.rule)}")
        message = visible(finding.message) + (f"\nfix: {visible(finding.fix)}" if finding.fix else "")
        lines.append(f"::{_COMMAND[finding.severity]} {','.join(props)}::{_data(message)}")
    for notice in [] if quiet else notices.lines(result.notices, verbose=verbose):
        lines.append(f"::notice title=gitops-lint::{_data(visible(notice))}")
    lines.append(summary_line(result, fail_on=fail_on))
    return "\n".join(lines) + "\n"
