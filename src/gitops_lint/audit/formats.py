"""The audit document as text, JSON, SARIF and JUnit. SARIF and JUnit are the `check` formats
themselves, fed the window's violations as findings (each message names its commit and time), so
code scanning and CI servers read them like any other gitops-lint report."""
from __future__ import annotations

from typing import Any

from gitops_lint.audit.judge import MUTABLE, REBUILT, SOAK, UNTESTED
from gitops_lint.audit.model import duration
from gitops_lint.engine import fingerprint
from gitops_lint.formats import render as render_check
from gitops_lint.formats.escape import json_document, not_a_command, visible
from gitops_lint.model import Finding, Severity
from gitops_lint.report import Report
from gitops_lint.rules import load_rules

AUDIT_RULES = (UNTESTED, SOAK, REBUILT, MUTABLE)


def render(name: str, doc: dict[str, Any]) -> str:
    if name == "json":
        return json_document(doc)
    if name in ("sarif", "junit"):
        return render_check(name, as_check_report(doc))
    if name == "html":
        from gitops_lint.audit.html import render_html

        return render_html(doc)
    return text(doc)


def as_check_report(doc: dict[str, Any]) -> Report:
    findings = tuple(Finding(
        rule=v["rule"], severity=Severity(v["severity"]), message=v["message"], path=v["path"], line=None, column=None,
        app=v["app"], env=v["env"], fix=None,
        fingerprint=fingerprint(v["rule"], v["path"], v["app"], v["env"], f"{v['commit']}:{v['case']}:{v['version']}"),
    ) for v in doc["violations"])
    rules = tuple(rule for rule in load_rules() if rule.id in AUDIT_RULES)
    return Report(findings=findings, notices=tuple(n for r in doc["repos"] for n in r["notices"]), history="checked",
                  apps=doc["summary"]["apps"], envs=sum(len(a["envs"]) for a in doc["apps"]), files=0, chains=(),
                  unmodeled=0, rules=rules, not_run={})


def _v(text: Any) -> str:
    return visible(str(text)) if text is not None else "–"


def text(doc: dict[str, Any]) -> str:
    """A summary for a terminal or a CI log: events with their violations, then each app's numbers."""
    out = []
    for repo in doc["repos"]:
        out.append(not_a_command(f"audit of {_v(repo['name'])} (HEAD {(repo['head'] or '?')[:10]}, as of "
                                 f"{repo['as_of']})"))
    window = doc["window"]
    if any(window.values()):
        out.append("window: " + ", ".join(f"{k} {_v(v)}" for k, v in window.items() if v))
    summary = doc["summary"]
    out.append(f"{summary['events']} events ({summary['promotion']} promotions, {summary['rollback']} rollbacks, "
               f"{summary['initial']} initial) in {summary['apps']} apps; {summary['violations']} violations")
    out.append("")
    for event in doc["events"]:
        if event["kind"] == "initial" and not event["violations"]:
            continue
        pr = f" #{event['pr']}" if event["pr"] else ""
        out.append(not_a_command(f"{event['time']}  {_v(event['app'])}  {_v(event['env'])}  {event['kind']}  "
                                 f"{_v(event['image'])}  {event['commit'][:10]}{pr}  {_v(event['author'])}"))
        for violation in event["violations"]:
            out.append(f"    {violation['severity']} {violation['rule']}: {_v(violation['message'])}")
    out += ["", "apps:"] + [line for app in doc["apps"] for line in _app(app)]
    notices = [n for r in doc["repos"] for n in r["notices"]]
    if notices:
        out += ["", "notes:"] + [f"  - {_v(n)}" for n in notices]
    return "\n".join(out) + "\n"


def _app(app: dict[str, Any]) -> list[str]:
    lead = app["lead_time"]
    chain = " → ".join(_v(e["env"]) for e in app["envs"])
    lines = [not_a_command(f"  {_v(app['app'])} ({chain}): lead time to production "
                           f"{_median_p90(lead)} over {lead['count']}; hotfixes {app['hotfixes']}, "
                           f"rollbacks {app['rollbacks']}")]
    for env in app["envs"]:
        lines.append(f"    {_v(env['env'])}: {env['promotions']} promotions, {env['rollbacks']} rollbacks, "
                     f"{env['skipped_upstream']} skipped upstream; from upstream {_median_p90(env['hop'])}, "
                     f"soak median {duration(env['soak']['median_seconds'])} min "
                     f"{duration(env['soak']['min_seconds'])}")
    for drift in app["drift"]:
        state = "in sync" if drift["in_sync"] else "diverged"
        lines.append(f"    {_v(drift['up_env'])} ↔ {_v(drift['env'])}: {state} since {drift['since'] or '–'} "
                     f"({_v(', '.join(drift['up_versions']))} / {_v(', '.join(drift['versions']))})")
    return lines


def _median_p90(stats: dict[str, Any]) -> str:
    return f"median {duration(stats['median_seconds'])}, p90 {duration(stats['p90_seconds'])}"
