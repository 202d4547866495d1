"""One `check` run as the CLI asks for it: config, PR mode against a base revision, baselines.

PR mode (`--base REF`) lints a snapshot of REF too (extracted with `git archive` into a temp dir
outside the repo, with history read at REF) and keeps only the findings whose fingerprints REF
does not have. The policy (.gitops-lint.yaml) comes from REF by default, so a change cannot
switch off the rule it breaks.
"""
from __future__ import annotations

import io
import tarfile
import tempfile
from pathlib import Path
from typing import NamedTuple

from gitops_lint import gitio, yamlio
from gitops_lint.cache import DiskCache, for_repo
from gitops_lint.config import CONFIG_NAMES, Config, from_data, load_config
from gitops_lint.engine import Result, run
from gitops_lint.errors import ConfigError, GitopsLintError, YamlProblem
from gitops_lint.model import GitView


class CheckOptions(NamedTuple):
    config: Path | None = None
    cache: bool = True
    only: set[str] | None = None
    history: bool = True
    exemptions: bool = True
    baseline: Path | None = None
    base: str | None = None
    policy_from_base: bool = True


def run_check(root: Path, options: CheckOptions) -> Result:
    disk = for_repo(root, options.cache)
    try:
        if options.base is None:
            config = load_config(root, options.config)
            return run(root, config, only=options.only, history=options.history, exemptions=options.exemptions,
                       baseline=options.baseline, disk=disk)
        return _pr_mode(root, options, options.base, disk)
    finally:
        disk.save()


def _pr_mode(root: Path, options: CheckOptions, base: str, disk: DiskCache) -> Result:
    if gitio.toplevel(root) is None:
        raise GitopsLintError(f"--base {base}: {root} is not a git repository")
    sha = gitio.resolve(root, base)
    if sha is None:
        raise GitopsLintError(f"--base {base}: no such revision in this clone (fetch it first, e.g. "
                              f"`git fetch origin {base}`, or check out with fetch-depth: 0)")
    notices: list[str] = []
    head_config = load_config(root, options.config)
    config = head_config
    if options.policy_from_base and options.config is None:
        config, base_text = _config_at(root, sha, base)
        if base_text != _config_text(root):
            notices.append(f"this change edits .gitops-lint.yaml; the policy from {base} applies "
                           "(pass --policy-from-head to lint with the change's own policy)")
    head = run(root, config, only=options.only, history=options.history, exemptions=options.exemptions,
               baseline=options.baseline, disk=disk)
    with tempfile.TemporaryDirectory(prefix="gitops-lint-base-") as tmp:
        snapshot = _snapshot(root, sha, Path(tmp))
        before = run(snapshot, config, only=options.only, history=options.history, exemptions=options.exemptions,
                     baseline=options.baseline, git=GitView(root, head=sha, working_tree=False), disk=disk)
    known = {f.fingerprint for f in before.findings}
    new = [f for f in head.findings if f.fingerprint not in known]
    old = sum(1 for f in head.findings if f.fingerprint in known and f.suppressed is None)
    if old:
        notices.append(f"{old} finding(s) already present on {base} are not reported (PR mode)")
    return head._replace(findings=new, notices=notices + head.notices)


def _config_text(root: Path) -> str | None:
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return (root / name).read_text(encoding="utf-8", errors="replace")
    return None


def _config_at(root: Path, sha: str, base: str) -> tuple[Config, str | None]:
    for name in CONFIG_NAMES:
        data = gitio.run(root, "show", f"{sha}:./{name}", check=False)
        if not data:
            continue
        shown = f"{name} at {base}"
        try:
            loaded = yamlio.load_text(yamlio.decode(data, shown), shown)
        except YamlProblem as problem:
            raise ConfigError(problem.message, path=shown, line=problem.line) from None
        document = loaded.docs[0] if loaded.docs else yamlio.Document(None, {})
        return from_data(document.data, shown, positions=document.positions), data.decode("utf-8", "replace")
    return from_data({}, None), None


def _snapshot(root: Path, sha: str, dest: Path) -> Path:
    """The files of `root` at `sha`, written under `dest` (never into the repo)."""
    archive = gitio.run(root, "archive", "--format=tar", sha, "--", ".")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            name = Path(member.name)
            if not member.isfile() or name.is_absolute() or ".." in name.parts:
                continue  # symlinks and anything odd stay out of the snapshot
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            extracted = tar.extractfile(member)
            if extracted is not None:
                target.write_bytes(extracted.read())
    return dest
