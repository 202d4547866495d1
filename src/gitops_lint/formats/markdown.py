"""A PR comment: verdict, counts, a table per app and env, fixes folded away.

GitHub renders it (GFM with raw HTML, math and tables), so a string from the repo must stay text:
`_text` makes it `visible` (one line, no controls), then writes every character that could start
markup as an HTML character reference (`<` → `&lt;`, `` ` `` → `&#96;`, `[` → `&#91;`, ...), which
GFM shows as the character itself; `|` is `\\|` so it cannot end a table cell. `_code` writes a code
span whose backtick fence is longer than any backtick run inside, so nothing can close it early.
Ordinary text (letters, digits, `.-/:,()'` and white space) comes out unchanged."""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from gitops_lint.formats.escape import visible
from gitops_lint.model import Finding, Severity

_ICON = {Severity.ERROR: "🔴 error", Severity.WARNING: "🟡 warning", Severity.INFO: "🔵 info"}

# `_` inside a word (app_version) never starts emphasis in GFM and is left alone; `|` is the table
# cell escape, which GFM also honours in headings and list items.
_MARKUP = re.compile(r"(?<![^\W_])_|_(?![^\W_])|[&<>`*\[\]\\~#$|]")
_REFERENCE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|"}
# At the start of a list item's text, these would open a block (list, thematic break, indented code).
_BLOCK_START = re.compile(r"\s|[-+=]|\d{1,9}[.)](?:\s|$)")
_BACKTICKS = re.compile(r"`+")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _REFERENCE.get(char, f"&#{ord(char)};")


def _text(text: str, *, line_start: bool = False) -> str:
    """`text` as inline Markdown that renders as exactly these characters and nothing else."""
    shown = _MARKUP.sub(_escape, visible(text))
    if line_start and _BLOCK_START.match(shown):
        shown = f"&#{ord(shown[0])};{shown[1:]}"
    return shown


def _code(text: str, *, in_table: bool = False) -> str:
    """A code span that `text` cannot close; in a table `|` is escaped (GFM strips the backslash)."""
    shown = visible(text)
    fence = "`" * (1 + max((len(run) for run in _BACKTICKS.findall(shown)), default=0))
    if shown.startswith("`") or shown.endswith("`") or (shown.startswith(" ") and shown.endswith(" ") and shown.strip()):
        shown = f" {shown} "
    if in_table:
        shown = shown.replace("|", "\\|")
    return f"{fence}{shown}{fence}"


def _where(finding: Finding, *, in_table: bool) -> str:
    where = finding.path or "(repository)"
    return _code(f"{where}:{finding.line}" if finding.line else where, in_table=in_table)


def render(result: Any, *, fail_on: Severity = Severity.ERROR, **_: Any) -> str:
    failed = result.failed(fail_on)
    counts = {s: result.count(s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
    suppressed = sum(1 for f in result.findings if f.suppressed is not None)
    lines = [f"## gitops-lint: {'❌ FAIL' if failed else '✅ PASS'}", "",
             f"**{counts[Severity.ERROR]}** errors, **{counts[Severity.WARNING]}** warnings, "
             f"**{counts[Severity.INFO]}** info in {result.apps} app{'' if result.apps == 1 else 's'}"
             + (f" ({suppressed} suppressed)" if suppressed else "") + ".", ""]
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in result.findings:
        if finding.suppressed is None:
            groups[(finding.app or "(repository)", finding.env or "-")].append(finding)
    for (app, env), findings in sorted(groups.items()):
        lines += [f"### {_text(app)} / {_text(env)}", "", "| severity | rule | where | finding |", "|---|---|---|---|"]
        lines += [f"| {_ICON[f.severity]} | {_code(f.rule, in_table=True)} | {_where(f, in_table=True)} | "
                  f"{_text(f.message)} |" for f in findings]
        fixes = [f for f in findings if f.fix]
        if fixes:
            lines += ["", "<details><summary>How to fix</summary>", ""]
            lines += [f"- {_code(f.rule)} at {_where(f, in_table=False)}: {_text(f.fix or '')}" for f in fixes]
            lines += ["", "</details>"]
        lines.append("")
    if result.notices:
        lines += ["<details><summary>Notices</summary>", ""] + [f"- {_text(n, line_start=True)}" for n in result.notices] + \
                 ["", "</details>", ""]
    return "\n".join(lines)
