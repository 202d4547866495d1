"""GitHub Actions workflow commands: one annotation per finding, shown on the PR diff."""
from __future__ import annotations

from typing import Any

from gitops_lint.model import Severity

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: Any, *, fail_on: Severity = Severity.ERROR, **_: Any) -> str:
    lines = []
    for finding in result.findings:
        if finding.suppressed is not None:
            continue
        props = []
        if finding.path:
            props.append(f"file={_property(finding.path)}")
            if finding.line:
                props.append(f"line={finding.line}")
            if finding.column:
                props.append(f"col={finding.column}")
        props.append(f"title={_property(finding.rule)}")
        message = finding.message + (f"\nfix: {finding.fix}" if finding.fix else "")
        lines.append(f"::{_COMMAND[finding.severity]} {','.join(props)}::{_data(message)}")
    for notice in result.notices:
        lines.append(f"::notice title=gitops-lint::{_data(notice)}")
    from gitops_lint.formats.text import summary_line

    lines.append(summary_line(result, fail_on=fail_on))
    return "\n".join(lines) + "\n"
