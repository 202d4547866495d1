"""Suppressions: inline comments, config exemptions and baselines, each with a reason.

A suppressed finding stays in the report, marked with its reason; it no longer fails the run.
Suppressions that match nothing, exemptions past their date and comments without a reason
become `meta/suppression` hits, so the list of exceptions can only shrink honestly.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint import yamlio
from gitops_lint.checks import Hit
from gitops_lint.config import Config, path_matches
from gitops_lint.errors import GitopsLintError, YamlProblem
from gitops_lint.model import Finding, Origin

_INLINE = re.compile(r"#\s*gitops-lint:\s*ignore\[([^\]]*)\]\s*(.*?)\s*$")
BASELINE_VERSION = 1


class Inline(NamedTuple):
    path: str
    line: int  # where the comment is
    rules: tuple[str, ...]
    reason: str
    own_line: bool  # the comment is alone on its line: it covers the next line too

    @property
    def key(self) -> tuple[str, tuple[str, ...], str]:
        """What a comment is, wherever its line: to tell a comment a change adds from one it keeps."""
        return (self.path, self.rules, self.reason)


def _rule_matches(rule: str, pattern: str) -> bool:
    return pattern in ("*", rule) or fnmatch.fnmatchcase(rule, pattern)


def _unknown_rules(patterns: Iterable[str]) -> dict[str, str] | None:
    """The first rule named in a suppression that matches no rule (`parity/drfit`), with the nearest
    real rule id: it would suppress nothing, which 'matches no finding' hid."""
    import difflib

    from gitops_lint.rules import load_rules

    known = sorted(rule.id for rule in load_rules())
    for pattern in patterns:
        if not any(_rule_matches(rule, pattern) for rule in known):
            close = difflib.get_close_matches(pattern, known, n=1)
            return {"unknown": pattern, "hint": f" (did you mean {close[0]}?)" if close else ""}
    return None


def inline_comments(snapshot: Any, paths: Iterable[str]) -> list[Inline]:
    found = []
    for path in sorted(paths):
        try:
            text = yamlio.decode(snapshot.read(path), path)
        except YamlProblem:
            continue
        if "gitops-lint:" not in text:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            match = _INLINE.search(line)
            if match:
                rules = tuple(r.strip() for r in match.group(1).split(",") if r.strip())
                found.append(Inline(path, number, rules, match.group(2), line.lstrip().startswith("#")))
    return found


class Outcome(NamedTuple):
    findings: list[Finding]
    hits: list[Hit]  # meta/suppression
    notices: list[str]
    comments: frozenset[tuple[str, tuple[str, ...], str]]  # every inline comment seen (Inline.key)


def apply(findings: list[Finding], *, snapshot: Any, config: Config, loaded: Iterable[str], exemptions: bool,
          baseline: Path | None, trusted: frozenset[tuple[str, tuple[str, ...], str]] | None = None) -> Outcome:
    """Apply suppressions. `trusted`: in PR mode, the inline comments the base already had; a comment
    the change adds is not applied (a change cannot silence its own findings) and is reported."""
    hits: list[Hit] = []
    notices: list[str] = []
    out = list(findings)
    comments = inline_comments(snapshot, loaded)
    if exemptions:
        new = [c for c in comments if trusted is not None and c.key not in trusted]
        out, more = _inline(out, [c for c in comments if c not in new])
        hits += more + [_new_comment(c) for c in new]
        out, more = _config(out, config)
        hits += more
    if baseline is not None:
        out, fixed = _baseline(out, baseline)
        if fixed:
            notices.append(f"{fixed} finding(s) in the baseline {baseline} are fixed; shrink it with "
                           f"--write-baseline {baseline}")
    return Outcome(out, hits, notices, frozenset(c.key for c in comments))


def _new_comment(comment: Inline) -> Hit:
    rules = ", ".join(comment.rules) or "(no rule)"
    fields = {"rules": rules, "reason": comment.reason, "where": f"{comment.path}:{comment.line}"}
    return Hit("new", Origin(comment.path), None, None, fields, f"{comment.path}:{rules}:{comment.reason}:new",
               line=comment.line, column=1)


def _inline(findings: list[Finding], comments: list[Inline]) -> tuple[list[Finding], list[Hit]]:
    used: set[Inline] = set()
    out = []
    for finding in findings:
        match = None
        if finding.suppressed is None and finding.path is not None and finding.line is not None:
            match = next((c for c in comments if c.path == finding.path and c.reason
                          and (c.line == finding.line or (c.own_line and c.line == finding.line - 1))
                          and any(_rule_matches(finding.rule, r) for r in c.rules)), None)
        if match is not None:
            used.add(match)
            finding = finding._replace(suppressed=f"inline: {match.reason}")
        out.append(finding)
    hits = []
    for comment in comments:
        rules = ", ".join(comment.rules) or "(no rule)"
        where = Origin(comment.path)
        fields = {"rules": rules, "reason": comment.reason, "where": f"{comment.path}:{comment.line}"}
        unknown = _unknown_rules(comment.rules)
        if unknown:
            hits.append(Hit("unknown-rule", where, None, None, {**fields, **unknown},
                            f"{comment.path}:{rules}:unknown", line=comment.line, column=1))
        elif not comment.reason:
            hits.append(Hit("no-reason", where, None, None, fields, f"{comment.path}:{rules}:no-reason",
                            line=comment.line, column=1))
        elif comment not in used:
            hits.append(Hit("unused", where, None, None, fields, f"{comment.path}:{rules}:{comment.reason}",
                            line=comment.line, column=1))
    return out, hits


def _config(findings: list[Finding], config: Config) -> tuple[list[Finding], list[Hit]]:
    today = dt.date.today().isoformat()
    live: list[tuple[int, dict[str, Any]]] = []
    hits = []
    for index, exemption in enumerate(config.exemptions):
        where = Origin(config.path or ".gitops-lint.yaml", ("exemptions", index))
        fields = {"rules": exemption["rule"], "reason": exemption["reason"], "expires": exemption.get("expires", ""),
                  "where": f"{config.path}: exemptions[{index}]"}
        if exemption.get("expires") and exemption["expires"] < today:
            hits.append(Hit("expired", where, None, None, fields, f"exemption:{exemption['rule']}:{index}:expired"))
        else:
            live.append((index, exemption))
    used: set[int] = set()
    out = []
    for finding in findings:
        if finding.suppressed is None:
            for index, exemption in live:
                if _exempts(exemption, finding):
                    used.add(index)
                    finding = finding._replace(suppressed=f"exemption: {exemption['reason']}")
                    break
        out.append(finding)
    for index, exemption in live:
        if index not in used:
            hits.append(Hit("unused", Origin(config.path or ".gitops-lint.yaml", ("exemptions", index)), None, None,
                            {"rules": exemption["rule"], "reason": exemption["reason"],
                             "where": f"{config.path}: exemptions[{index}]"},
                            f"exemption:{exemption['rule']}:{index}:unused"))
    return out, hits


def _exempts(exemption: dict[str, Any], finding: Finding) -> bool:
    if not _rule_matches(finding.rule, exemption["rule"]):
        return False
    if exemption.get("paths") and not any(path_matches(finding.path or "", p) for p in exemption["paths"]):
        return False
    if exemption.get("envs") and (finding.env or "").lower() not in {e.lower() for e in exemption["envs"]}:
        return False
    return not exemption.get("apps") or finding.app in exemption["apps"]


def _baseline(findings: list[Finding], path: Path) -> tuple[list[Finding], int]:
    known = read_baseline(path)
    seen: set[str] = set()
    out = []
    for finding in findings:
        if finding.suppressed is None and finding.fingerprint in known:
            seen.add(finding.fingerprint)
            finding = finding._replace(suppressed=f"baseline: {path.name}")
        out.append(finding)
    return out, len(set(known) - seen)


def read_baseline(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {entry["fingerprint"]: entry for entry in data["findings"]}
    except FileNotFoundError:
        raise GitopsLintError(f"baseline {path} not found (create it with --write-baseline {path})") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GitopsLintError(f"baseline {path} is not a gitops-lint baseline: {exc}") from None


def baseline_text(findings: list[Finding]) -> str:
    """Stable bytes: sorted, no timestamps, so the baseline diffs cleanly in review."""
    entries = sorted(({"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "app": f.app, "env": f.env,
                       "message": f.message} for f in findings if f.suppressed is None or
                      f.suppressed.startswith("baseline:")),
                     key=lambda e: (e["path"] or "", e["rule"], e["fingerprint"]))
    return json.dumps({"tool": "gitops-lint", "baseline_version": BASELINE_VERSION, "findings": entries},
                      indent=2, ensure_ascii=False) + "\n"
