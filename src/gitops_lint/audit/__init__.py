"""`gitops-lint audit`: the promotion ledger of a repository's history (docs/audit.md).

`audit(paths, …)` returns the audit document (docs/schemas/audit.schema.json); `formats.render`
turns it into text, JSON, SARIF, JUnit or one self-contained HTML page."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from gitops_lint.audit.collect import AuditOptions, Progress, run_audit
from gitops_lint.audit.model import Window
from gitops_lint.audit.report import document, failed
from gitops_lint.errors import GitopsLintError

FORMATS = ("text", "json", "sarif", "junit", "html")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

__all__ = ["FORMATS", "audit", "failed", "parse_date"]


def parse_date(text: str | None, *, option: str, end: bool = False) -> int | None:
    """`2026-05-05` (a whole day: `--until` includes it) or an ISO 8601 time (`2026-05-05T08:00:00Z`,
    UTC unless it names an offset) as Unix seconds."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise GitopsLintError(f"{option} {text!r}: not a date (use 2026-05-05 or 2026-05-05T08:00:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if end and _DAY.match(text.strip()):
        moment += timedelta(days=1)
    return int(moment.timestamp())


def audit(paths: list[Path], *, since: int | None = None, until: int | None = None, app: str | None = None,
          env: str | None = None, jobs: int = 1, progress: Progress | None = None) -> dict[str, Any]:
    if since is not None and until is not None and since >= until:
        raise GitopsLintError("--since must be before --until")
    return document(run_audit(paths, AuditOptions(Window(since, until), app, env, jobs), progress))
