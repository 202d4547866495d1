"""One audit run: for each repository, the same discovery and timelines as `check`, then the
events of every app (optionally in `--jobs` worker processes, each taking a share of the apps),
with who made each change, filtered to the window asked for."""
from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import NamedTuple

from gitops_lint import gitio
from gitops_lint.audit.events import app_events
from gitops_lint.audit.judge import UNTESTED, Rules
from gitops_lint.audit.model import Event, RepoAudit, Window
from gitops_lint.cache import for_repo
from gitops_lint.config import load_config
from gitops_lint.discover import discover
from gitops_lint.engine import _attach_history
from gitops_lint.errors import GitopsLintError
from gitops_lint.globs import path_matches
from gitops_lint.model import GitView
from gitops_lint.rules import configure, load_rules
from gitops_lint.snapshot import WorkTree

Progress = Callable[[int, int, str], None]  # (done, total, what was just done)
_PR = re.compile(r"[#!](\d{1,9})")  # `Merge pull request #123`, `Title (#123)`, GitLab `…!45`
MAX_SUBJECT = 200


class AuditOptions(NamedTuple):
    window: Window = Window(None, None)
    app: str | None = None  # a glob over app names
    env: str | None = None  # an env name or role
    jobs: int = 1


class Audit(NamedTuple):
    repos: tuple[RepoAudit, ...]
    options: AuditOptions

    @property
    def events(self) -> list[Event]:
        return [event for repo in self.repos for event in repo.events]


def run_audit(paths: list[Path], options: AuditOptions, progress: Progress | None = None) -> Audit:
    labels = _labels(paths)
    shares = max(1, options.jobs)
    if shares == 1:
        return Audit(tuple(audit_repo(p, labels[p], options, progress=progress) for p in paths), options)
    parts: dict[Path, list[RepoAudit]] = {p: [] for p in paths}
    with ProcessPoolExecutor(max_workers=shares) as pool:
        futures = {pool.submit(audit_repo, p, labels[p], options, (k, shares)): p for p in paths for k in range(shares)}
        for done, future in enumerate(as_completed(futures), start=1):
            parts[futures[future]].append(future.result())
            if progress is not None:
                progress(done, len(futures), futures[future].name)
    return Audit(tuple(_joined(parts[p]) for p in paths), options)


def _labels(paths: list[Path]) -> dict[Path, str]:
    """Each repo's name in a combined report: its directory name, its full path when two share one."""
    names = [p.name for p in paths]
    return {p: p.name if names.count(p.name) == 1 else str(p) for p in paths}


def _joined(parts: list[RepoAudit]) -> RepoAudit:
    first = parts[0]
    notices = tuple(dict.fromkeys(n for part in parts for n in part.notices))
    events = tuple(sorted((e for part in parts for e in part.events), key=lambda e: (e.time, e.app)))
    apps = tuple(sorted((a for part in parts for a in part.apps), key=lambda a: a.app))
    return first._replace(events=events, apps=apps, notices=notices)


def audit_repo(root: Path, label: str, options: AuditOptions, share: tuple[int, int] = (0, 1),
               progress: Progress | None = None) -> RepoAudit:
    """The events of the apps of `share` (k of n) in the repository at `root`."""
    config = load_config(root)
    disk = for_repo(root)
    git = GitView(root, WorkTree(root))
    try:
        model = discover(root, config, git, disk)
        status, notices = _attach_history(model, [UNTESTED], [UNTESTED], wanted=True)
        if status != "checked":
            raise GitopsLintError(f"{label}: {'; '.join(notices) or 'no git history'}: an audit reads the history")
        assert model.history is not None
        rules = Rules({item.rule.id: item for item in configure(load_rules(), config.rules, config.path)},
                      model.scheme.words())
        head = gitio.head_commit(root)
        as_of = options.window.until or _time_of(root, head)
        apps = [a for a in model.apps if options.app is None or path_matches(a.name, options.app)][share[0]::share[1]]
        wanted = (options.env.lower(), (model.scheme.role_of(options.env) or options.env).lower()) if options.env else None
        events, histories = [], []
        for done, app in enumerate(apps, start=1):
            found, history = app_events(model, app, rules, label, as_of)
            events += [e for e in found if options.window.holds(e.time) and _env_matches(e, wanted)]
            histories.append(history)
            if progress is not None:
                progress(done, len(apps), app.name)
        model.history.close()
        found_notices = tuple(dict.fromkeys(model.history.notices + list(model.unmodeled) + list(model.notices)))
        events.sort(key=lambda e: (e.time, e.app))  # stable: one commit's envs stay in promotion order
        return RepoAudit(label, str(root), head, tuple(_with_authors(root, events)), tuple(histories),
                         found_notices, as_of)
    finally:
        git.snapshot.close()
        disk.save()


def _env_matches(event: Event, wanted: tuple[str, str] | None) -> bool:
    """`--env`: the env's name, or its role (`production` names the role prod)."""
    return wanted is None or event.env.lower() == wanted[0] or event.role.lower() == wanted[1]


def _time_of(root: Path, commit: str | None) -> int:
    if commit is None:
        return 0
    out = gitio.run(root, "log", "-1", "--format=%ct", commit, "--").decode().strip()
    return int(out) if out.isdigit() else 0


class _Who(NamedTuple):
    author: str
    email: str
    parents: tuple[str, ...]
    subject: str


def _with_authors(root: Path, events: list[Event]) -> list[Event]:
    """Who made each change, and the merge or pull request that landed it: one `git log` over the
    events' commits and, for merges, their second parents (the change's own author)."""
    if not events:
        return events
    who = _read(root, sorted({e.commit for e in events}))
    seconds = sorted({w.parents[1] for w in who.values() if len(w.parents) > 1} - set(who))
    who.update(_read(root, seconds))
    out = []
    for event in events:
        commit = who.get(event.commit)
        if commit is None:
            out.append(event)
            continue
        merged = len(commit.parents) > 1
        author = who.get(commit.parents[1], commit) if merged else commit
        prs = _PR.findall(commit.subject)
        out.append(event._replace(author=author.author, email=author.email, merge=event.commit if merged else None,
                                  pr=prs[-1] if prs else None, subject=commit.subject[:MAX_SUBJECT]))
    return out


def _read(root: Path, commits: list[str]) -> dict[str, _Who]:
    if not commits:
        return {}
    out = gitio.run(root, "log", "--no-walk=unsorted", "--stdin", "--format=%H%x00%an%x00%ae%x00%P%x00%s%x00",
                    input_bytes="".join(f"{c}\n" for c in commits).encode())
    fields = out.decode("utf-8", "replace").split("\0")
    found: dict[str, _Who] = {}
    for start in range(0, len(fields) - 4, 5):
        sha, author, email, parents, subject = fields[start:start + 5]
        found[sha.strip()] = _Who(author, email, tuple(parents.split()), subject)
    return found
