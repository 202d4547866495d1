"""GitLab Code Quality report (a JSON array), shown in merge request widgets."""
from __future__ import annotations

from typing import Any

from gitops_lint.formats.escape import json_document
from gitops_lint.model import Severity

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(result: Any, **_: Any) -> str:
    issues = [{
        "type": "issue",
        "check_name": f.rule,
        "description": f.message,
        "content": {"body": f"fix: {f.fix}"} if f.fix else {"body": ""},
        "categories": ["Bug Risk"],
        "fingerprint": f.fingerprint,
        "severity": _SEVERITY[f.severity],
        "location": {"path": f.path or ".", "lines": {"begin": f.line or 1}},
    } for f in result.findings if f.suppressed is None]
    return json_document(issues)
