"""A PR comment: verdict, counts, a table per app and env, fixes folded away."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from gitops_lint.model import Finding, Severity

_ICON = {Severity.ERROR: "🔴 error", Severity.WARNING: "🟡 warning", Severity.INFO: "🔵 info"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _where(finding: Finding) -> str:
    where = finding.path or "(repository)"
    return f"`{where}:{finding.line}`" if finding.line else f"`{where}`"


def render(result: Any, *, fail_on: Severity = Severity.ERROR, **_: Any) -> str:
    failed = result.failed(fail_on)
    counts = {s: result.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    suppressed = sum(1 for f in result.findings if f.suppressed is not None)
    lines = [f"## gitops-lint: {'❌ FAIL' if failed else '✅ PASS'}", "",
             f"**{counts[Severity.ERROR]}** errors, **{counts[Severity.WARNING]}** warnings, "
             f"**{counts[Severity.INFO]}** info in {len(result.model.apps)} app{'' if len(result.model.apps) == 1 else 's'}"
             + (f" ({suppressed} suppressed)" if suppressed else "") + ".", ""]
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in result.findings:
        if finding.suppressed is None:
            groups[(finding.app or "(repository)", finding.env or "-")].append(finding)
    for (app, env), findings in sorted(groups.items()):
        lines += [f"### {app} / {env}", "", "| severity | rule | where | finding |", "|---|---|---|---|"]
        lines += [f"| {_ICON[f.severity]} | `{f.rule}` | {_where(f)} | {_cell(f.message)} |" for f in findings]
        fixes = [f for f in findings if f.fix]
        if fixes:
            lines += ["", "<details><summary>How to fix</summary>", ""]
            lines += [f"- `{f.rule}` at {_where(f)}: {_cell(f.fix or '')}" for f in fixes]
            lines += ["", "</details>"]
        lines.append("")
    if result.notices:
        lines += ["<details><summary>Notices</summary>", ""] + [f"- {_cell(n)}" for n in result.notices] + \
                 ["", "</details>", ""]
    return "\n".join(lines)
