"""One `check` run as the CLI asks for it: what is under test, the policy, PR mode, baselines.

What is under test is a snapshot: the work tree (default), or the index (`--staged`, what a
commit would contain). PR mode (`--base REF`) lints REF's snapshot too, read from git objects
(nothing is checked out or extracted, no filter runs), and keeps only the findings whose
fingerprints REF does not have. In PR mode the policy (.gitops-lint.yaml) comes from REF by
default, inline suppressions the change adds are not applied, and an env, app or Application
that REF deploys and the change removes is an error: a change cannot weaken its own check.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from gitops_lint import gitio
from gitops_lint.cache import DiskCache, digest, for_repo
from gitops_lint import configerrors
from gitops_lint.config import CONFIG_NAMES, Config, config_from_bytes, from_data, layout_regex, load_config
from gitops_lint.engine import Result, run
from gitops_lint.errors import ConfigError, GitopsLintError, YamlProblem
from gitops_lint.model import GitView, Severity
from gitops_lint.snapshot import GitTree, Snapshot, WorkTree


class CheckOptions(NamedTuple):
    config: Path | None = None
    cache: bool = True
    only: set[str] | None = None
    history: bool = True
    exemptions: bool = True
    baseline: Path | None = None
    base: str | None = None
    policy_from_base: bool = True
    staged: bool = False
    trust_new_suppressions: bool = False
    render: bool = True


def run_check(root: Path, options: CheckOptions) -> Result | None:
    """The result, or None when a `--staged` change can change no verdict (see `_irrelevant`)."""
    disk = for_repo(root, options.cache)
    try:
        if options.base is None:
            snapshot = _under_test(root, options)
            config = _policy(root, snapshot, options)
            if isinstance(snapshot, GitTree) and _irrelevant(root, snapshot, config, disk):
                return None
            result = run(root, config, only=options.only, history=options.history,
                         exemptions=options.exemptions, baseline=options.baseline, git=GitView(root, snapshot),
                         disk=disk, render=options.render)
            if isinstance(snapshot, GitTree) and not result.failed(Severity.INFO):
                disk.put(_deps_key(snapshot), sorted(_depends_on(result)))
            return result
        return _pr_mode(root, options, options.base, disk)
    finally:
        disk.save()


_MANIFEST = (".yaml", ".yml", ".json")


def _deps_key(snapshot: GitTree) -> str:
    """What discovery can depend on, by content: every YAML/JSON file's blob id."""
    listed = "\0".join(f"{p}:{b}" for p, b in sorted(snapshot.blobs().items()) if p.endswith(_MANIFEST))
    return f"staged-deps:{digest(listed.encode('utf-8', 'surrogateescape'))}"


def _depends_on(result: Result) -> set[str]:
    model = result.model
    return model.tracked_files() | {p for d in model.deployments() for p in d.missing_value_files}


def _irrelevant(root: Path, snapshot: GitTree, config: Config, disk: DiskCache) -> bool:
    """A pre-commit fast path, sound by construction: the staged change only modifies files that are
    not YAML/JSON, not matched by a declared layout, and not among the files every env depended on
    in an earlier clean full run (no finding at all) over the very same YAML/JSON contents (from the
    cache). Anything added, deleted, or unknown runs the full check."""
    known = disk.get(_deps_key(snapshot)) if disk.enabled else None
    changes = gitio.staged_changes(root) if known is not None else None
    if known is None or changes is None:
        return False
    depends = set(known)
    layouts = [layout_regex(layout["files"]) for layout in config.layouts]
    return all(status == "M" and not path.endswith(_MANIFEST) and path not in depends
               and not any(pattern.match(path) for pattern in layouts) for status, path in changes)


def _under_test(root: Path, options: CheckOptions) -> Snapshot:
    if not options.staged:
        return WorkTree(root)
    if gitio.toplevel(root) is None:
        raise GitopsLintError(f"--staged: {root} is not a git repository, so it has no index")
    return GitTree(root, "index")


def _policy(root: Path, snapshot: Snapshot, options: CheckOptions) -> Config:
    """`--config FILE`, else the snapshot's own `.gitops-lint.yaml`, read like every repo file."""
    if options.config is not None:
        return load_config(root, options.config)
    return config_in(snapshot, snapshot.label)[0]


def _pr_mode(root: Path, options: CheckOptions, base: str, disk: DiskCache) -> Result:
    if gitio.toplevel(root) is None:
        raise GitopsLintError(f"--base {base}: {root} is not a git repository")
    sha = gitio.resolve(root, base)
    if sha is None:
        remotes = gitio.remotes(root)
        remote, _, rest = base.partition("/")
        if not rest or (remote not in remotes and remote != "origin"):  # `main`, `refs/heads/main`, a SHA
            remote, rest = ("origin" if "origin" in remotes or not remotes else sorted(remotes)[0]), base
        rest = rest.removeprefix("refs/heads/").removeprefix("refs/remotes/" + remote + "/")
        raise GitopsLintError(f"--base {base}: no such revision in this clone (fetch it first: "
                              f"`git fetch {remote} {rest}`, or check out with fetch-depth: 0)")
    notices: list[str] = []
    base_snapshot = GitTree(root, "commit", sha)
    head_snapshot = _under_test(root, options)
    config = _policy(root, head_snapshot, options)
    if options.policy_from_base and options.config is None:
        config, base_bytes = config_in(base_snapshot, f"at {base}")
        if base_bytes != config_in(head_snapshot, head_snapshot.label)[1]:
            notices.append(f"this change edits .gitops-lint.yaml; the policy from {base} applies "
                           "(pass --policy-from-head to lint with the change's own policy)")
    common = dict(only=options.only, history=options.history, exemptions=options.exemptions,
                  baseline=options.baseline, disk=disk, render=options.render)
    before = run(root, config, git=GitView(root, base_snapshot, base=base), **common)  # type: ignore[arg-type]
    head = run(root, config, git=GitView(root, head_snapshot, base=base), base_model=before.model,
               trusted=None if options.trust_new_suppressions else before.comments, **common)  # type: ignore[arg-type]
    known = {f.fingerprint for f in before.findings}
    new = [f for f in head.findings if f.fingerprint not in known]
    old = sum(1 for f in head.findings if f.fingerprint in known and f.suppressed is None)
    if old:
        notices.append(f"{old} finding(s) already present on {base} are not reported (PR mode)")
    return head._replace(findings=new, notices=notices + head.notices)


def config_in(snapshot: Snapshot, where: str) -> tuple[Config, bytes | None]:
    """The policy a snapshot holds (defaults when it has none), and its bytes to compare. Read like
    every repo file (symlinks must stay inside, size bounded); errors quote nothing from it."""
    files = set(snapshot.files())
    for name in CONFIG_NAMES:
        if name not in files:
            continue
        shown = name if snapshot.kind == "worktree" else f"{name} ({where})"
        try:
            data = snapshot.read(name)
        except YamlProblem as problem:
            raise ConfigError(configerrors.yaml_message(problem.message, problem.rule), path=shown,
                              line=problem.line) from None
        return config_from_bytes(data, shown), data
    return from_data({}, None), None
