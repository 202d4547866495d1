"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Everything goes through json.dumps; a repo path becomes a relative URI reference with every
character outside the unreserved set and `/` percent-encoded (`%`, `:`, `#`, `?`, spaces, newlines),
so it can neither name another scheme or host nor lose a fragment, and decodes to the path again."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from gitops_lint import __version__
from gitops_lint.docs import anchor
from gitops_lint.formats.escape import json_document
from gitops_lint.model import Finding, Severity
from gitops_lint.rules import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/gitops-lint/gitops-lint"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.OFF: "none"}


def _rule(rule: Rule) -> dict[str, Any]:
    help_text = f"{rule.description.strip()}\n\nWhy: {rule.rationale.strip()}\n\nFix: {rule.fix.strip()}"
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.replace("/", "-").split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.summary},
        "help": {"text": help_text, "markdown": f"**{rule.title}**\n\n{help_text}\n\n"
                                                f"`gitops-lint explain {rule.id}`"},
        "helpUri": f"{INFO_URI}/blob/v{__version__}/docs/rules.md#{anchor(rule.id)}",
        "defaultConfiguration": {"level": _LEVEL[rule.severity], "enabled": rule.severity is not Severity.OFF},
        "properties": {"tags": ["gitops", rule.id.split("/")[0]]},
    }


def _uri(path: str) -> str:
    return quote(path, safe="/", errors="surrogateescape")


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    text = finding.message + (f"\nFix: {finding.fix}" if finding.fix else "")
    result: dict[str, Any] = {
        "ruleId": finding.rule, "ruleIndex": index[finding.rule], "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "partialFingerprints": {"gitopsLintFingerprint/v1": finding.fingerprint},
        "properties": {"app": finding.app, "env": finding.env},
    }
    if finding.path is not None:
        region = {"startLine": finding.line or 1}
        if finding.column:
            region["startColumn"] = finding.column
        result["locations"] = [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(finding.path), "uriBaseId": "%SRCROOT%"}, "region": region}}]
    if finding.suppressed is not None:
        kind = "inSource" if finding.suppressed.startswith("inline:") else "external"
        result["suppressions"] = [{"kind": kind, "justification": finding.suppressed}]
    return result


def report(result: Any) -> dict[str, Any]:
    rules = result.rules
    index = {rule.id: position for position, rule in enumerate(rules)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "gitops-lint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFO_URI, "rules": [_rule(rule) for rule in rules]}},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the root of the linted repository"}}},
            "results": [_result(f, index) for f in result.findings],
            "invocations": [{"executionSuccessful": True,
                             "toolExecutionNotifications": [{"level": "note", "message": {"text": n}}
                                                            for n in result.notices]}],
        }],
    }


def render(result: Any, **_: Any) -> str:
    return json_document(report(result))
