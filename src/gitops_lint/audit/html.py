"""The audit as one self-contained HTML page: Jinja2 (autoescaping) for the page, SVG drawn in
Python (audit/svg.py), a few lines of inline script to sort tables. Nothing is fetched: a
Content-Security-Policy allows no network source, so the page works the same from file://."""
from __future__ import annotations

from typing import Any

import jinja2

from gitops_lint.audit.model import duration
from gitops_lint.audit.svg import bars, lead_items, timeline

MAX_ROWS = 5000  # events listed in the table (the newest); the JSON format has them all
MAX_TIMELINES = 200  # apps drawn, those with the most events first


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("gitops_lint.audit", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["duration"] = duration
    env.filters["short"] = lambda sha: (sha or "")[:10]
    return env


def render_html(doc: dict[str, Any]) -> str:
    events = doc["events"]
    by_app: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for event in events:
        by_app.setdefault((event["repo"], event["app"]), []).append(event)
    as_of = {repo["name"]: repo["as_of"] for repo in doc["repos"]}
    ranked = sorted(doc["apps"], key=lambda a: (-len(by_app.get((a["repo"], a["app"]), [])), a["repo"], a["app"]))
    timelines = [{"app": app, "svg": timeline(app, by_app.get((app["repo"], app["app"]), []), as_of[app["repo"]]),
                  "events": len(by_app.get((app["repo"], app["app"]), []))} for app in ranked[:MAX_TIMELINES]]
    pairs: list[tuple[str, str]] = []
    for app in doc["apps"]:
        for drift in app["drift"]:
            if (drift["up_env"], drift["env"]) not in pairs:
                pairs.append((drift["up_env"], drift["env"]))
    charts = [
        bars("lead time to production, median", lead_items(doc["apps"], "median_seconds")),
        bars("lead time to production, p90", lead_items(doc["apps"], "p90_seconds")),
        bars("promotions in the window", [(a["app"], float(sum(e["promotions"] for e in a["envs"])),
                                           str(sum(e["promotions"] for e in a["envs"]))) for a in doc["apps"]]),
        bars("hotfixes (production without its upstream)", [(a["app"], float(a["hotfixes"]), str(a["hotfixes"]))
                                                            for a in doc["apps"] if a["hotfixes"]]),
        bars("rollbacks", [(a["app"], float(a["rollbacks"]), str(a["rollbacks"])) for a in doc["apps"] if a["rollbacks"]]),
        bars("soak before production, median", [
            (a["app"], e["soak"]["median_seconds"], duration(e["soak"]["median_seconds"]))
            for a in doc["apps"] for e in a["envs"] if e["production"] and e["soak"]["median_seconds"] is not None]),
    ]
    return _environment().get_template("audit.html.j2").render(
        doc=doc, timelines=timelines, hidden=max(len(ranked) - MAX_TIMELINES, 0), rows=events[-MAX_ROWS:][::-1],
        cut=max(len(events) - MAX_ROWS, 0), pairs=pairs, charts=charts,
        drift={(a["repo"], a["app"]): {(d["up_env"], d["env"]): d for d in a["drift"]} for a in doc["apps"]})
