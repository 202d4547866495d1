#!/usr/bin/env python3
"""Run gitops-lint over the nine corpus repos with no configuration and record what it says.

    python bench/corpus_table.py OUT.json [--corpus DIR] [--work DIR] [--src DIR] [--repo NAME ...]

The found / missed judgement against each SOURCE.md stays in docs/corpus.md (it needs a reader);
this script does the mechanical part, so the table can be regenerated on any tool commit:

  tree     `tree/` copied to WORK/<repo>, `git init` and one commit with a fixed date (so the tool
           runs as on a real checkout); then `discover --format json`, `check --format json`,
           `check --verbose` (text, for every note) and `check --format json --no-render` (the
           difference is the cost of rendering charts and overlays), each a fresh process under
           `/usr/bin/time -v` (seconds and peak RSS).
  history  history.json replayed into WORK/hist/<repo> (tests/replay.py: one commit per element,
           original dates, `Original-Commit:` trailer); tree files that no element tracks are
           copied in untracked, as on a real checkout; then `check --format json` at the replayed
           HEAD. Findings that read history are the ones whose message names a commit.
  variants `<repo>+helpers`: the same two runs with the STAND_INS files added (see below).

No `.gitops-lint.yaml` is written anywhere: the runs use the tool's defaults. The parse cache is
off (GITOPS_LINT_CACHE_DIR=off) so every run pays the full cost. Freeze the tool first (a
detached worktree, passed with --src) so results cannot move while they are collected.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXED_DATE = "2026-01-01T00:00:00+0000"
# The corpus omits every `.tpl` file. govuk's app-of-apps chart `include`s helpers from its
# `_helpers.tpl`, so as copied it cannot render; the variant `<repo>+helpers` adds a stand-in
# (the stub tests/test_layout_appofapps.py uses) to show what a real checkout, which has the file, gives.
STAND_INS = {"alphagov__govuk-helm-charts": {"charts/app-config/templates/_helpers.tpl": (
    '{{- define "app-config.labels" -}}\napp.kubernetes.io/part-of: app-config\n{{- end }}\n'
    '{{- define "app-config.helm-release" -}}\n{{- end }}\n{{- define "app-config.router-nginx-config" -}}\n{{- end }}\n')}}
TIME_FIELDS = {"Elapsed (wall clock) time (h:mm:ss or m:ss)": "wall",
               "Maximum resident set size (kbytes)": "max_rss_kb"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="JSON file to write")
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/corpusrun"),
                        help="scratch dir for the copied trees and replays (emptied per repo)")
    parser.add_argument("--src", type=Path, default=ROOT / "src",
                        help="the tool's src/ dir (a frozen worktree's, ideally)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--repo", action="append", default=[], help="only this corpus dir (repeatable)")
    return parser.parse_args()


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity and date, so the scratch repos are reproducible."""
    env = {**os.environ, "GIT_AUTHOR_DATE": FIXED_DATE, "GIT_COMMITTER_DATE": FIXED_DATE,
           "GIT_AUTHOR_NAME": "corpus", "GIT_AUTHOR_EMAIL": "corpus@example.invalid",
           "GIT_COMMITTER_NAME": "corpus", "GIT_COMMITTER_EMAIL": "corpus@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def commit_tree(tree: Path, dest: Path, extra: dict[str, str]) -> None:
    """Copy `tree` (plus `extra` files) to `dest` and make it one commit, as a fresh clone would be."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(tree, dest, symlinks=True)
    write_files(dest, extra)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "corpus tree")


def write_files(root: Path, files: dict[str, str]) -> None:
    """Add stand-in files (STAND_INS) to a copied tree or replay; they are never in the corpus."""
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")


def replay_history(history: Path, tree: Path, dest: Path, extra: dict[str, str]) -> dict[str, int]:
    """Replay `history` into `dest`, then copy in (untracked) the tree files it never tracks."""
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))
    from replay import replay  # tests/replay.py: the replay the corpus tests use
    shutil.rmtree(dest, ignore_errors=True)
    commits = replay(history, dest)
    tracked = {path for element in json.loads(history.read_text(encoding="utf-8")) for path in element["files"]}
    copied = 0
    for source in sorted(tree.rglob("*")):
        relative = source.relative_to(tree).as_posix()
        if source.is_file() and relative not in tracked:
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            copied += 1
    write_files(dest, extra)  # untracked too
    return {"commits": len(commits), "untracked_copied": copied}


def run_tool(args: argparse.Namespace, *cli: str) -> dict[str, Any]:
    """One fresh CLI process under /usr/bin/time -v: exit code, stdout, stderr, seconds, peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(args.src), "GITOPS_LINT_CACHE_DIR": "off", "NO_COLOR": "1"}
    command = ["/usr/bin/time", "-v", args.python, "-m", "gitops_lint", *cli]
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    stderr, measured = split_time_report(done.stderr)
    return {"argv": ["gitops-lint", *cli], "exit": done.returncode, "stdout": done.stdout, "stderr": stderr,
            "seconds": round(seconds, 2), **measured}


def split_time_report(stderr: str) -> tuple[str, dict[str, Any]]:
    """Separate the tool's own stderr from /usr/bin/time's report (which starts at 'Command being timed')."""
    head, marker, report = stderr.partition("\tCommand being timed:")
    measured: dict[str, Any] = {}
    for line in report.splitlines():
        key, _, value = line.strip().rpartition(": ")
        if key in TIME_FIELDS:
            measured[TIME_FIELDS[key]] = int(value) if value.isdigit() else value
    return (head if marker else stderr), measured


def as_json(result: dict[str, Any]) -> Any:
    """The parsed stdout of a --format json run, or None (the raw text stays in the record)."""
    try:
        return json.loads(result["stdout"])
    except ValueError:
        return None


def tree_runs(args: argparse.Namespace, repo: Path, dest: Path) -> dict[str, Any]:
    """discover and check on the committed tree, with and without rendering."""
    path = str(dest)
    discover = run_tool(args, "discover", path, "--format", "json")
    discover_text = run_tool(args, "discover", path)
    check = run_tool(args, "check", path, "--format", "json")
    verbose = run_tool(args, "check", path, "--verbose", "--no-color")
    no_render = run_tool(args, "check", path, "--format", "json", "--no-render")
    report, bare = as_json(check), as_json(no_render)
    return {
        "files": sum(1 for p in (repo / "tree").rglob("*") if p.is_file()),
        "discover": summarize_discover(as_json(discover)),
        "discover_text": discover_text["stdout"],
        "check": strip(check, report),
        "check_verbose_text": verbose["stdout"],
        "no_render": {**strip(no_render, bare),
                      "findings_differ": finding_keys(report) != finding_keys(bare)},
        "timings": {name: {k: run.get(k) for k in ("seconds", "wall", "max_rss_kb", "exit")}
                    for name, run in (("discover", discover), ("check", check), ("check_verbose", verbose),
                                      ("check_no_render", no_render))},
    }


def summarize_discover(data: Any) -> Any:
    """Apps with their envs, layouts and promotion edges; the rest of discover's JSON as is."""
    if not isinstance(data, dict):
        return data
    apps = [{"name": app.get("name"), "envs": [env.get("env") for env in app.get("envs", [])],
             "layouts": sorted({str(env.get("layout")) for env in app.get("envs", [])}),
             "raw": app} for app in data.get("apps", [])]
    return {**{k: v for k, v in data.items() if k != "apps"}, "apps": apps,
            "app_count": len(apps), "env_count": sum(len(app["envs"]) for app in apps)}


def strip(run: dict[str, Any], report: Any) -> dict[str, Any]:
    """A check run's exit code, stderr and parsed report (findings, notices, summary)."""
    return {"exit": run["exit"], "stderr": run["stderr"], "report": report,
            "raw_stdout": None if report is not None else run["stdout"]}


def finding_keys(report: Any) -> list[tuple[Any, ...]]:
    findings = report.get("findings", []) if isinstance(report, dict) else []
    return sorted((f.get("rule"), f.get("path"), f.get("line"), f.get("message")) for f in findings)


def history_run(args: argparse.Namespace, repo: Path, name: str, extra: dict[str, str]) -> dict[str, Any] | None:
    """check at the replayed HEAD; findings naming a commit are history findings."""
    history = repo / "history.json"
    if not history.is_file():
        return None
    dest = args.work / "hist" / name
    replayed = replay_history(history, repo / "tree", dest, extra)
    check = run_tool(args, "check", str(dest), "--format", "json")
    report = as_json(check)
    findings = report.get("findings", []) if isinstance(report, dict) else []
    with_commit = [f for f in findings if re.search(r"\bcommit [0-9a-f]{7,}", str(f.get("message", "")))]
    return {**replayed, "head": git(dest, "rev-parse", "--short", "HEAD").strip(), **strip(check, report),
            "history_findings": len(with_commit),
            "timing": {k: check.get(k) for k in ("seconds", "wall", "max_rss_kb", "exit")}}


def main() -> None:
    args = parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    repos = sorted(p for p in args.corpus.iterdir() if (p / "tree").is_dir())
    if args.repo:
        repos = [p for p in repos if p.name in args.repo]
    tool_commit = subprocess.run(["git", "-C", str(args.src), "rev-parse", "--short", "HEAD"],
                                 capture_output=True, text=True).stdout.strip()
    result: dict[str, Any] = {"tool_commit": tool_commit, "src": str(args.src), "repos": {}}
    started = time.monotonic()
    runs = [(repo, repo.name, {}) for repo in repos]
    runs += [(repo, f"{repo.name}+helpers", STAND_INS[repo.name]) for repo in repos if repo.name in STAND_INS]
    for repo, name, extra in runs:
        print(f"{name}: tree", file=sys.stderr, flush=True)
        dest = args.work / name
        commit_tree(repo / "tree", dest, extra)
        entry = tree_runs(args, repo, dest)
        print(f"{name}: history", file=sys.stderr, flush=True)
        entry["history"] = history_run(args, repo, name, extra)
        entry["stand_ins"] = sorted(extra)
        result["repos"][name] = entry
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    result["total_seconds"] = round(time.monotonic() - started, 1)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({result['total_seconds']} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
