"""SVG drawn in Python for the HTML report: a promotion timeline per app and small bar charts.

Every repo-derived string goes through markupsafe.escape (text and attribute values alike), and
the result is `Markup`, so the Jinja2 template inserts it as is and escapes everything else."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from markupsafe import Markup, escape

from gitops_lint.audit.model import duration

WIDTH, LEFT, RIGHT, LANE, TOP = 960, 130, 20, 34, 26
MAX_POINTS = 600  # events drawn per app (the newest); the table lists them all


def _seconds(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def _day(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d")


def timeline(app: dict[str, Any], events: Sequence[dict[str, Any]], as_of: str) -> Markup:
    """Lanes are the app's envs in promotion order; a dot is an event (red: a violation, hollow: the
    env's first state, a diamond: a rollback); a line joins the dots of one version across lanes."""
    lanes = [env["env"] for env in app["envs"]]
    events = list(events)[-MAX_POINTS:]
    height = TOP + LANE * len(lanes) + 8
    times = [_seconds(e["time"]) for e in events] or [_seconds(as_of)]
    start, end = min(times), max(max(times), _seconds(as_of))
    span = max(end - start, 1)

    def x(stamp: str) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (_seconds(stamp) - start) / span, 1)

    def y(env: str) -> float:
        return TOP + LANE * lanes.index(env) + LANE / 2

    parts = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="promotion timeline of {escape(app["app"])}">']
    for number, env in enumerate(lanes):
        top = TOP + LANE * number
        parts.append(f'<rect class="lane{number % 2}" x="{LEFT}" y="{top}" width="{WIDTH - LEFT - RIGHT}" '
                     f'height="{LANE}"/><text class="lane-name" x="{LEFT - 8}" y="{top + LANE / 2 + 4}">'
                     f'{escape(env)}</text>')
    for fraction in (0, 0.5, 1):
        at = start + span * fraction
        parts.append(f'<text class="tick" x="{LEFT + (WIDTH - LEFT - RIGHT) * fraction}" y="{TOP - 8}" '
                     f'text-anchor="{("start", "middle", "end")[int(fraction * 2)]}">{_day(at)}</text>')
    by_version: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if event["env"] in lanes:
            by_version.setdefault(event["identity"], []).append(event)
    for identity, holding in by_version.items():
        if len(holding) > 1:
            points = " ".join(f"{x(e['time'])},{y(e['env'])}" for e in sorted(holding, key=lambda e: e["time"]))
            parts.append(f'<polyline class="version" points="{points}"><title>{escape(identity)}</title></polyline>')
    for event in events:
        if event["env"] in lanes:
            parts.append(_dot(event, x(event["time"]), y(event["env"])))
    parts.append("</svg>")
    return Markup("".join(parts))


def _dot(event: dict[str, Any], cx: float, cy: float) -> str:
    classes = ["event", event["kind"]] + (["violation"] if event["violations"] else [])
    lines = [f"{event['env']}: {event['image']} ({event['kind']})", f"commit {event['commit'][:10]} at {event['time']}",
             f"author {event['author'] or '?'}"]
    if event["pr"]:
        lines.append(f"pull request #{event['pr']}")
    if event["merge"]:
        lines.append(f"merged in {event['merge'][:10]}")
    lines += [f"{v['rule']}: {v['message']}" for v in event["violations"]]
    title = escape("\n".join(lines))
    attrs = f'class="{" ".join(classes)}" data-commit="{escape(event["commit"])}"'
    if event["kind"] == "rollback":
        return (f'<path {attrs} d="M{cx},{cy - 7} L{cx + 7},{cy} L{cx},{cy + 7} L{cx - 7},{cy} Z">'
                f'<title>{title}</title></path>')
    return f'<circle {attrs} cx="{cx}" cy="{cy}" r="6"><title>{title}</title></circle>'


def bars(title: str, items: Sequence[tuple[str, float, str]], *, limit: int = 25) -> Markup:
    """A horizontal bar chart: (label, value, value as shown), largest first, at most `limit`."""
    shown = sorted((i for i in items if i[1] is not None), key=lambda i: -i[1])[:limit]
    width, label, row = 440, 150, 18
    height = 24 + row * max(len(shown), 1)
    top = max((value for _, value, _ in shown), default=0) or 1
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             f'<text class="chart-title" x="0" y="14">{escape(title)}</text>']
    if not shown:
        parts.append('<text class="tick" x="0" y="34">no data in the window</text>')
    for number, (name, value, text) in enumerate(shown):
        top_y = 22 + row * number
        length = round((width - label - 70) * value / top, 1)
        parts.append(f'<text class="bar-label" x="{label - 6}" y="{top_y + 12}">{escape(name[:24])}</text>'
                     f'<rect class="bar" x="{label}" y="{top_y + 2}" width="{max(length, 1)}" height="{row - 5}">'
                     f'<title>{escape(name)}: {escape(text)}</title></rect>'
                     f'<text class="bar-value" x="{label + length + 4}" y="{top_y + 12}">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def lead_items(apps: Sequence[dict[str, Any]], key: str) -> list[tuple[str, float, str]]:
    """(app, seconds, as shown) for a lead-time statistic of each app that has one."""
    return [(a["app"], a["lead_time"][key], duration(a["lead_time"][key])) for a in apps
            if a["lead_time"][key] is not None]
