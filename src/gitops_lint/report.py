"""The typed report: everything a format may show, and nothing else. Formatters take a `Report`
as their only input; they never read the model, the cache or the rule files."""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from gitops_lint.model import Finding, Severity
from gitops_lint.rules import Rule


class Report(NamedTuple):
    findings: tuple[Finding, ...]  # sorted; suppressed ones included, marked
    notices: tuple[str, ...]  # what could not be modeled or checked, said out loud
    history: str  # "checked" | "skipped" | "unavailable"
    apps: int
    envs: int
    files: int  # files read
    chains: tuple[str, ...]  # each app's envs in promotion order, "dev → stage → prod" (distinct, sorted)
    unmodeled: int  # things seen but not modeled (each is also a notice); --strict fails on them
    rules: tuple[Rule, ...]  # every rule, in catalogue order
    not_run: dict[str, str]  # rule id -> why it did not run (off, not selected, no history)

    def count(self, severity: Severity) -> int:
        return count(self.findings, severity)

    def failed(self, fail_on: Severity) -> bool:
        return failed(self.findings, self.unmodeled, fail_on)


def count(findings: Iterable[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity and f.suppressed is None)


def failed(findings: Iterable[Finding], unmodeled: int, fail_on: Severity) -> bool:
    """Failing findings at or above `fail_on`; with warnings failing (--strict), unmodeled input too."""
    if fail_on.rank <= Severity.WARNING.rank and unmodeled:
        return True
    return any(f.suppressed is None and f.severity.rank >= fail_on.rank for f in findings)
