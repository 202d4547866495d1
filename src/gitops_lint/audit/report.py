"""The audit as one JSON-ready document (docs/schemas/audit.schema.json): the `json` format, and
the data every other format (text, html, sarif, junit) is rendered from."""
from __future__ import annotations

from typing import Any

from gitops_lint.audit.collect import Audit
from gitops_lint.audit.metrics import Stats, all_metrics
from gitops_lint.audit.model import Event, iso

SCHEMA_ID = "gitops-lint-audit/1"
FAILING = ("error", "warning")  # violations at these severities make the exit code 1


def document(audit: Audit) -> dict[str, Any]:
    events = audit.events
    metrics = all_metrics([h for repo in audit.repos for h in repo.apps], events)
    window = audit.options.window
    violations = [_violation(e, v) for e in events for v in e.violations]
    return {
        "schema": SCHEMA_ID,
        "window": {"since": iso(window.since), "until": iso(window.until), "app": audit.options.app,
                   "env": audit.options.env},
        "repos": [{"name": r.label, "path": r.path, "head": r.head, "as_of": iso(r.as_of), "notices": list(r.notices)}
                  for r in audit.repos],
        "summary": {
            "apps": len(metrics), "events": len(events),
            **{kind: sum(1 for e in events if e.kind == kind) for kind in ("initial", "promotion", "rollback")},
            "violations": len(violations), "failing": sum(1 for v in violations if v["severity"] in FAILING),
            "events_with_violations": sum(1 for e in events if e.violations),
        },
        "events": [_event(e) for e in events],
        "violations": violations,
        "apps": [{
            "repo": m.repo, "app": m.app, "lead_time": _stats(m.lead), "hotfixes": m.hotfixes, "rollbacks": m.rollbacks,
            "envs": [{"env": r.env, "role": r.role, "production": r.production, "upstream": r.upstream,
                      "promotions": r.promotions, "rollbacks": r.rollbacks, "skipped_upstream": r.skipped,
                      "events_with_violations": r.violations, "hop": _stats(r.hop), "soak": _stats(r.soak)}
                     for r in m.envs],
            "drift": [{"up_env": d.up_env, "env": d.env, "in_sync": d.in_sync, "since": iso(d.since),
                       "up_versions": list(d.up_versions), "versions": list(d.versions)} for d in m.drift],
        } for m in metrics],
    }


def failed(doc: dict[str, Any]) -> bool:
    return bool(doc["summary"]["failing"])


def _event(event: Event) -> dict[str, Any]:
    return {
        "repo": event.repo, "app": event.app, "env": event.env, "role": event.role, "upstream": event.upstream,
        "kind": event.kind, "keypath": event.keypath, "image": event.image, "version": event.version,
        "identity": event.identity, "commit": event.commit, "time": iso(event.time), "author": event.author,
        "email": event.email, "merge": event.merge, "pr": event.pr, "subject": event.subject,
        "lead_seconds": event.lead, "hop_seconds": event.hop, "soak_seconds": event.soak,
        "violations": [_violation(event, v) for v in event.violations],
    }


def _violation(event: Event, violation: Any) -> dict[str, Any]:
    return {"repo": event.repo, "app": event.app, "env": event.env, "rule": violation.rule, "case": violation.case,
            "severity": violation.severity, "message": violation.message, "path": violation.path,
            "image": event.image, "version": event.version, "commit": event.commit, "time": iso(event.time)}


def _stats(stats: Stats) -> dict[str, Any]:
    return {"count": stats.count, "median_seconds": stats.median, "p90_seconds": stats.p90,
            "min_seconds": stats.minimum}
