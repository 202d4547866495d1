"""The JSON contract of design.md §4 (schema: docs/schemas/report.schema.json)."""
from __future__ import annotations

from typing import Any

from gitops_lint import __version__
from gitops_lint.formats.escape import json_document
from gitops_lint.model import Finding, Severity


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule, "severity": finding.severity.value, "message": finding.message,
        "path": finding.path, "line": finding.line, "column": finding.column, "app": finding.app,
        "env": finding.env, "fix": finding.fix, "fingerprint": finding.fingerprint,
        "suppressed": finding.suppressed,
    }


def report(result: Any, *, fail_on: Severity = Severity.ERROR) -> dict[str, Any]:
    return {
        "tool": "gitops-lint",
        "version": __version__,
        "result": "fail" if result.failed(fail_on) else "pass",
        "findings": [finding_dict(f) for f in result.findings],
        "summary": {
            "error": result.count(Severity.ERROR), "warning": result.count(Severity.WARNING),
            "info": result.count(Severity.INFO), "apps": result.apps, "envs": result.envs,
            "files": result.files, "unmodeled": result.unmodeled,
        },
        "history": result.history,
        "notices": list(result.notices),
    }


def render(result: Any, *, fail_on: Severity = Severity.ERROR, **_: Any) -> str:
    return json_document(report(result, fail_on=fail_on))
