"""Rules x repo model -> sorted, located findings."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint import gitio, report, suppress
from gitops_lint.cache import DiskCache, for_repo
from gitops_lint.checks import CheckKind, Hit, get_kind
from gitops_lint.config import Config
from gitops_lint.discover import discover
from gitops_lint.errors import HistoryUnavailableError
from gitops_lint.history import HistoryStore
from gitops_lint.proposal import Proposal
from gitops_lint.snapshot import WorkTree
from gitops_lint.model import Finding, GitView, Severity
from gitops_lint.repo import RepoModel
from gitops_lint.rules import Configured, configure, load_rules


META_RULE = "meta/suppression"


class Result(NamedTuple):
    findings: list[Finding]
    model: RepoModel
    notices: list[str]
    history: str  # "checked" | "skipped" | "unavailable"
    comments: frozenset[tuple[str, tuple[str, ...], str]] = frozenset()  # inline suppressions seen
    not_run: dict[str, str] = {}  # rule id -> why it did not run

    def count(self, severity: Severity) -> int:
        return report.count(self.findings, severity)

    @property
    def unmodeled(self) -> int:
        """Things seen but not modeled (each also a notice): --strict fails on them."""
        return len(self.model.unmodeled)

    def failed(self, fail_on: Severity) -> bool:
        return report.failed(self.findings, self.unmodeled, fail_on)

    def report(self) -> report.Report:
        """What the formats show: the typed report, without the model."""
        model = self.model
        return report.Report(
            findings=tuple(self.findings), notices=tuple(self.notices), history=self.history,
            apps=len(model.apps), envs=model.envs_count(), files=len(model.cache.loaded_paths()),
            chains=tuple(sorted({" → ".join(d.env.name for d in app.deployments) for app in model.apps})),
            unmodeled=self.unmodeled, rules=tuple(load_rules()), not_run=dict(self.not_run))


def _enabled(item: Configured, only: set[str] | None) -> bool:
    if only is not None and item.rule.id not in only:
        return False
    return item.severity is not Severity.OFF or any(s is not Severity.OFF for s in item.severity_by_case.values())


def run(root: Path, config: Config, *, only: set[str] | None = None, history: bool = True,
        exemptions: bool = True, baseline: Path | None = None, git: GitView | None = None,
        disk: DiskCache | None = None, trusted: frozenset[tuple[str, tuple[str, ...], str]] | None = None,
        base_model: RepoModel | None = None, render: bool = True) -> Result:
    """Lint `git.snapshot` (default: the work tree of `root`). PR mode passes the base's model
    (`base_model`) and the inline suppressions it had (`trusted`, see suppress.apply)."""
    disk = disk if disk is not None else for_repo(root)
    git = git or GitView(root, WorkTree(root))
    try:
        return _run(root, config, only=only, history=history, exemptions=exemptions, baseline=baseline, git=git,
                    disk=disk, trusted=trusted, base_model=base_model, render=render)
    finally:
        git.snapshot.close()
        disk.save()


def _run(root: Path, config: Config, *, only: set[str] | None, history: bool, exemptions: bool,
         baseline: Path | None, git: GitView, disk: DiskCache,
         trusted: frozenset[tuple[str, tuple[str, ...], str]] | None, base_model: RepoModel | None,
         render: bool) -> Result:
    every = configure(load_rules(), config.rules, config.path)
    configured = [item for item in every if _enabled(item, only)]
    running = {item.rule.id for item in configured}
    not_run = {item.rule.id: ("not selected (--rule)" if only is not None and item.rule.id not in only
                              else "turned off in the configuration") for item in every if item.rule.id not in running}
    model = discover(root, config, git, disk, render=render)
    if base_model is None and "structure/removed" in running:
        not_run["structure/removed"] = "PR mode only (--base)"
    model.base = base_model
    model.render = render
    history_rules = sorted(i.rule.id for i in configured if _kind(i).needs_history)
    readers = history_rules or [i.rule.id for i in configured if _kind(i).uses_history]
    status, notices = _attach_history(model, history_rules, readers, wanted=history)
    findings: dict[tuple[object, ...], Finding] = {}
    for item in configured:
        if status != "checked" and item.rule.id in history_rules:
            not_run[item.rule.id] = "--no-history" if status == "skipped" else "no git history"
            continue
        for hit in _kind(item).run(model, item.params):
            finding = _finding(model, item, hit)
            if finding is not None:
                findings.setdefault((finding.rule, finding.path, finding.line, finding.column, finding.message),
                                    finding)
    if model.history is not None:
        model.history.close()
    outcome = suppress.apply(list(findings.values()), snapshot=git.snapshot, config=config,
                             loaded=model.cache.loaded_paths(), exemptions=exemptions, baseline=baseline, trusted=trusted)
    final = outcome.findings
    meta = next((item for item in configured if item.rule.id == META_RULE), None)
    if meta is not None:  # with --rule, other rules' suppressions would look unused: not reported then
        hits = [hit for hit in outcome.hits if only is None or hit.case != "unused"]
        final += [f for f in (_finding(model, meta, hit) for hit in hits) if f is not None]
    ordered = sorted(final, key=Finding.sort_key)
    notices = (notices + (model.history.notices if model.history else []) + list(model.unmodeled)
               + list(model.notices) + outcome.notices)
    return Result(ordered, model, notices, status, outcome.comments, not_run)


def _kind(item: Configured) -> CheckKind:
    kind = get_kind(item.rule.kind)
    assert kind is not None
    return kind


def _attach_history(model: RepoModel, rules: list[str], readers: list[str], *,
                    wanted: bool) -> tuple[str, list[str]]:
    """Give the model its timelines, or say out loud why the history rules did not run.

    `rules` need history (skipped with a notice without it, exit 2 on a shallow clone); `readers`
    also counts rules that use history when it is there and work without it (then: quietly)."""
    if not readers or not wanted:
        return "skipped", ([f"--no-history: {', '.join(rules)} did not run"] if rules else [])
    missing = _history_missing(model.git.root)
    if missing is None:
        _attach(model)
        return "checked", []
    if not rules:
        return "skipped", []
    names = ", ".join(rules)
    if missing == "shallow":
        raise HistoryUnavailableError(
            f"this is a shallow clone, so {names} cannot see when each image ran where. "
            "Fetch the full history (actions/checkout: fetch-depth: 0; or git fetch --unshallow), "
            "or pass --no-history to skip these rules")
    return "unavailable", [f"{missing}, so the history rules ({names}) could not run: they need the git history "
                           "of the env files"]


def _history_missing(git: Path) -> str | None:
    """Why there is no history to read (None: there is)."""
    if gitio.toplevel(git) is None:
        return f"{git.name} is not a git repository"
    if gitio.is_shallow(git):
        return "shallow"
    if gitio.head_commit(git) is None:
        return "the repository has no commits yet"
    return None


def _attach(model: RepoModel) -> None:
    tracked = model.tracked_files()
    current = {}
    for path in tracked:
        loaded = model.cache.load(path) if path in model.file_set else None
        if loaded is not None:
            current[path] = loaded.data
    snapshot = model.git.snapshot
    proposal = Proposal(model.git.root, snapshot.kind, snapshot.commit, current, model.revisions)
    model.history = HistoryStore(model.git.root, tracked=tracked, resolver=model.revisions, proposal=proposal,
                                 disk=model.cache.disk, learned=_learned(model))
    model.warm_history()


def _learned(model: RepoModel) -> dict[tuple[str, str], list[tuple[Any, Any]]]:
    """Per env, the values keys a render showed to set an image that no naming convention finds
    (`image_name`/`image_version`): history follows the same keys back in time."""
    learned: dict[tuple[str, str], list[tuple[Any, Any]]] = {}
    for dep in model.deployments():
        for image in model.images(dep):
            if image.kind != "rendered":
                continue
            keys = tuple(o.keypath if o is not None and o.path in dep.value_files else None
                         for o in (image.tag_origin, image.repo_origin))
            if any(keys):
                learned.setdefault((dep.app, dep.env.name), []).append(keys)
    return learned


def _severity(item: Configured, hit: Hit) -> Severity:
    severity = item.severity_by_case.get(hit.case, item.severity)
    if hit.protected is False and item.severity_unprotected is not None and severity is not Severity.OFF:
        severity = item.severity_unprotected
    return severity


def _finding(model: RepoModel, item: Configured, hit: Hit) -> Finding | None:
    severity = _severity(item, hit)
    if severity is Severity.OFF:
        return None
    path = hit.origin.path if hit.origin else None
    line, column = hit.line, hit.column
    if line is None and hit.origin is not None and hit.origin.keypath is not None:
        position = model.position(hit.origin)
        if position is not None:
            line, column = position
    rule = item.rule
    return Finding(
        rule=rule.id, severity=severity, message=rule.message(hit.case, hit.fields), path=path, line=line,
        column=column, app=hit.app, env=hit.env, fix=rule.fix_for(hit.case, hit.fields) or None,
        fingerprint=fingerprint(rule.id, path, hit.app, hit.env, hit.anchor),
    )


def fingerprint(rule: str, path: str | None, app: str | None, env: str | None, anchor: str) -> str:
    """Stable across line shifts: built from what the finding is about, never from its line."""
    text = "\x1f".join([rule, path or "", app or "", env or "", anchor])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:20]
