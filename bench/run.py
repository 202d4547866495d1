#!/usr/bin/env python3
"""Time `gitops-lint check` on synthetic repos against yardsticks measured in the same run.

    python bench/run.py --sizes small,medium            # generate what is missing, measure, print
    python bench/run.py --sizes large --check-runs 1    # the big one, one run per measurement
    python bench/run.py --sizes medium --profile        # also write bench/out/medium/profile.txt

Yardsticks, measured side by side with the tool (interleaved, page cache warm for both):
  F  `git log --format='%H %ct' --name-only -- 'apps/*/values-*.yaml'`  (median of 3)
  I  `python -c 'import gitops_lint.cli'`: the interpreter plus the tool's imports (median of 5)
Measured:
  check       `gitops-lint check REPO --format json`, all rules incl. history, a fresh process (the
              tool runs with its cache off, GITOPS_LINT_CACHE_DIR=off), median of --check-runs; peak RSS from /usr/bin/time
              (the largest of the python process and the git processes it waited for)
  pre-commit  one app's values-prod.yaml changed in the work tree (stage's tag promoted to prod, a
              valid promotion), then the same full check; and the same with --no-history
Every planted violation in expected-findings.txt must be in the JSON report; findings that are
neither planted nor listed consequences are printed as unexpected, by rule.
Results: bench/out/results.json (merged across runs) and a table on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SIZES = {"small": (20, 500), "medium": (200, 5_000), "large": (1_000, 50_000)}
F_PATHSPEC = "apps/*/values-*.yaml"

sys.path.insert(0, str(HERE))
import generate

TOOL_SRC: Path | None = None  # --tool-ref: a snapshot of src/ put first on PYTHONPATH


def tool_command() -> list[str]:
    """The CLI, through a wrapper that also reports the Python process's own peak RSS."""
    return [sys.executable, str(HERE / "_measure.py")]


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    if TOOL_SRC is not None:
        env["PYTHONPATH"] = str(TOOL_SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def snapshot(ref: str) -> tuple[Path, str]:
    """Export src/ and rules/ of the project at REF to bench/out/tool-<sha>/ (reused when present)."""
    project = HERE.parent
    sha = subprocess.run(["git", "-C", str(project), "rev-parse", "--short", f"{ref}^{{commit}}"],
                         capture_output=True, text=True, check=True).stdout.strip()
    dest = OUT / f"tool-{sha}"
    if not (dest / "src" / "gitops_lint" / "__init__.py").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(project), "archive", sha, "src", "rules"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src", sha


LAST_SELF_RSS = [float("nan")]  # the Python process's own peak RSS (MiB) of the last timed() run


def timed(cmd: list[str], *, stdout: Any = subprocess.DEVNULL, cwd: Path | None = None,
          cache: Path | None = None) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS MiB, exit code, stderr) of one run under /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tfile, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rfile:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", tfile.name, *cmd] if Path("/usr/bin/time").exists() else cmd
        # cold unless a cache dir is given: the "check" target is a cold run (versions without a
        # cache ignore the variable)
        env = {**tool_env(), "BENCH_RSS_FILE": rfile.name, "GITOPS_LINT_CACHE_DIR": str(cache) if cache else "off"}
        started = time.perf_counter()
        proc = subprocess.run(full, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd, env=env, check=False)
        seconds = time.perf_counter() - started
        fields = tfile.read().split()
        own = rfile.read().strip()
    rss = int(fields[-1]) / 1024 if len(fields) >= 2 and fields[-1].isdigit() else float("nan")
    LAST_SELF_RSS[0] = int(own) / 1024 if own.isdigit() else float("nan")
    return seconds, rss, proc.returncode, proc.stderr.decode("utf-8", "replace")


def run_check(repo: Path, *extra: str, json_out: Path | None = None,
              cache: Path | None = None) -> tuple[float, float, dict[str, Any] | None]:
    cmd = [*tool_command(), "check", str(repo), "--format", "json", *extra]
    with open(json_out or os.devnull, "wb") as sink:
        seconds, rss, code, err = timed(cmd, stdout=sink, cache=cache)
    if code not in (0, 1):
        raise SystemExit(f"gitops-lint exited {code}: {err.strip()[-2000:]}")
    report = json.loads(json_out.read_text()) if json_out else None
    return seconds, rss, report


def run_f(repo: Path) -> float:
    seconds, _, code, err = timed(["git", "-C", str(repo), "log", "--format=%H %ct", "--name-only", "--",
                                   F_PATHSPEC])
    if code:
        raise SystemExit(f"git log failed: {err}")
    return seconds


def run_i() -> float:
    seconds, _, code, err = timed([sys.executable, "-c", "import gitops_lint.cli"])
    if code == 0 and TOOL_SRC is not None:  # make sure the snapshot is what gets imported
        where = subprocess.run([sys.executable, "-c", "import gitops_lint; print(gitops_lint.__file__)"],
                               capture_output=True, text=True, env=tool_env(), check=False).stdout
        if not where.startswith(str(TOOL_SRC)):
            raise SystemExit(f"--tool-ref: imported {where.strip()}, not the snapshot in {TOOL_SRC}")
    if code:
        raise SystemExit(f"import failed: {err}")
    return seconds


def ensure_repo(size: str, seed: int, regenerate: bool, clean: bool = False,
                release_tags: int = 1) -> tuple[Path, dict[str, Any]]:
    apps, commits = SIZES[size]
    out = OUT / ((f"{size}-clean" if clean else size) + (f"-rt{release_tags}" if release_tags > 1 else ""))
    meta_file = out / "meta.json"
    if not regenerate and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if (meta.get("apps"), meta.get("commits"), meta.get("seed"), meta.get("violations")) == \
                (apps, commits, seed, not clean) and meta.get("release_tags", 1) == release_tags \
                and (out / "repo" / ".git").is_dir():
            return out, meta
    print(f"[{size}] generating {apps} apps x {commits} commits{' (clean)' if clean else ''} ...", flush=True)
    meta = generate.generate(apps, commits, out, seed, violations=not clean, release_tags=release_tags)
    meta["release_tags"] = release_tags
    meta_file.write_text(json.dumps(meta, indent=2, default=str) + "\n")
    print(f"[{size}] generated {meta['files']} files, {meta['stream_bytes'] / 2**20:.1f} MiB stream in "
          f"{meta['seconds']['fast_import'] + meta['seconds']['checkout']:.1f} s", flush=True)
    return out, meta


def load_expected(path: Path) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    planted: Counter[tuple[str, str]] = Counter()
    consequences: Counter[tuple[str, str]] = Counter()
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rule, file, kind = line.split("\t")[:3]
        (planted if kind == "planted" else consequences)[(rule, file)] += 1
    return planted, consequences


def compare(report: dict[str, Any], planted: Counter[tuple[str, str]],
            consequences: Counter[tuple[str, str]]) -> dict[str, Any]:
    found = Counter((f["rule"], f["path"]) for f in report["findings"])
    missing = planted - found
    rest = found - planted
    missing_consequences = consequences - rest
    unexpected = rest - consequences
    return {
        "planted_total": sum(planted.values()), "planted_found": sum(planted.values()) - sum(missing.values()),
        "missing": sorted(missing.elements()), "consequences_missing": sorted(missing_consequences.elements()),
        "unexpected": sorted(unexpected.elements()),
        "unexpected_by_rule": dict(sorted(Counter(r for r, _ in unexpected.elements()).items())),
        "findings_by_rule": dict(sorted(Counter(f["rule"] for f in report["findings"]).items())),
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def precommit_edit(repo: Path, meta: dict[str, Any]) -> tuple[Path, str]:
    info = meta["precommit"]
    target = repo / info["file"]
    original = target.read_text()
    old, new = f'tag: "{info["prod_tag"]}"', f'tag: "{info["stage_tag"]}"'
    if old not in original or info["prod_tag"] == info["stage_tag"]:
        raise SystemExit(f"pre-commit scenario: cannot find {old} in {target}")
    target.write_text(original.replace(old, new, 1))
    return target, original


def profile(repo: Path, out: Path) -> None:
    prof = out / f"check-{tool_revision()}.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "gitops_lint", "check", str(repo),
           "--format", "json"]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False, env=tool_env())
    import io
    import pstats

    text = io.StringIO()
    stats = pstats.Stats(str(prof), stream=text)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    target = out / f"profile-{tool_revision()}.txt"
    target.write_text(text.getvalue())
    print(f"[profile] {target}", flush=True)


def tool_revision() -> str:
    """The gitops-lint source measured: commit of its checkout (+ '-dirty'), or its version."""
    if TOOL_SRC is not None:
        return TOOL_SRC.parent.name.removeprefix("tool-")
    import gitops_lint

    src = Path(gitops_lint.__file__).resolve().parent
    head = subprocess.run(["git", "-C", str(src), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    if head.returncode:
        return f"gitops-lint {getattr(gitops_lint, '__version__', '?')}"
    dirty = subprocess.run(["git", "-C", str(src), "status", "--porcelain", "--", "."], capture_output=True,
                           text=True, check=False).stdout.strip()
    return head.stdout.strip() + ("-dirty" if dirty else "")


def measure(size: str, args: argparse.Namespace) -> dict[str, Any]:
    out, meta = ensure_repo(size, args.seed, args.regenerate, release_tags=args.release_tags)
    repo = out / "repo"
    planted, consequences = load_expected(out / "expected-findings.txt")
    print(f"[{size}] measuring ({args.check_runs} check runs) ...", flush=True)
    load_before = os.getloadavg()[0]
    run_f(repo)  # warm the page cache for both sides
    f_times, check_times, rss, self_rss = [], [], [], []
    report = None
    for index in range(max(args.check_runs, 3)):
        f_times.append(run_f(repo))
        if index < args.check_runs:
            seconds, peak, got = run_check(repo, json_out=out / "check.json" if index == 0 else None)
            check_times.append(seconds)
            rss.append(peak)
            self_rss.append(LAST_SELF_RSS[0])
            report = report or got
            print(f"[{size}]   check {seconds:.2f} s, {peak:.0f} MiB (python {self_rss[-1]:.0f} MiB); "
                  f"F {f_times[-1]:.3f} s", flush=True)
    i_times = [run_i() for _ in range(5)]
    assert report is not None
    result = compare(report, planted, consequences)
    # pre-commit: one app's prod values changed in the work tree of a private copy (others may be
    # linting bench/out/<size>/repo at the same time)
    copy = out / "precommit-repo"
    if not (copy / ".git").is_dir():
        subprocess.run(["cp", "-a", str(repo), str(copy)], check=True)
    subprocess.run(["git", "-C", str(copy), "checkout", "-q", "-f", "main"], check=True)
    repo = copy
    # a developer's cache: warmed by the hook's previous run, before this edit
    cache = out / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    run_check(repo, cache=cache)
    target, original = precommit_edit(repo, meta)
    pre_times, pre_nh_times, pre_rss = [], [], []
    try:
        for index in range(args.precommit_runs):
            seconds, peak, got = run_check(repo, json_out=out / "precommit.json" if index == 0 else None,
                                           cache=cache)
            pre_times.append(seconds)
            pre_rss.append(peak)
            if index == 0 and got is not None:
                before = {(f["rule"], f["path"], f["message"]) for f in report["findings"]}
                after = {(f["rule"], f["path"], f["message"]) for f in got["findings"]}
                result["precommit_new_findings"] = sorted(after - before)
                result["precommit_gone_findings"] = sorted(before - after)
            seconds, peak, _ = run_check(repo, "--no-history", cache=cache)
            pre_nh_times.append(seconds)
            pre_rss.append(peak)
    finally:
        target.write_text(original)
    row = {
        "size": size, "release_tags": args.release_tags, "apps": meta["apps"], "commits": meta["commits"], "files": meta["files"],
        "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "F": median(f_times), "I": median(i_times), "check": median(check_times), "check_runs": check_times,
        "rss_mib": max(rss), "python_rss_mib": max(self_rss), "precommit": median(pre_times), "precommit_no_history": median(pre_nh_times),
        "precommit_rss_mib": max(pre_rss), "F_runs": f_times, "I_runs": i_times,
        "generate_seconds": meta["seconds"], "tool": tool_revision(), "measured_at": time.strftime("%Y-%m-%d %H:%M"),
        **result,
    }
    if args.profile:
        profile(repo, out)
    return row


def clean_check(size: str, args: argparse.Namespace) -> dict[str, Any]:
    out, _ = ensure_repo(size, args.seed, args.regenerate, clean=True, release_tags=args.release_tags)
    seconds, peak, report = run_check(out / "repo", json_out=out / "check.json")
    assert report is not None
    by_rule = Counter(f["rule"] for f in report["findings"])
    print(f"[{size}-clean] {seconds:.2f} s, {len(report['findings'])} findings on the clean repo "
          f"{dict(by_rule) or ''}", flush=True)
    return {"size": size, "seconds": seconds, "rss_mib": peak, "findings": len(report["findings"]),
            "by_rule": dict(by_rule)}


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| tool | size | apps × commits | files | F s | I s | check s | check/F | check ms per 1k (commits+files) "
            "| peak RSS MiB (python) | pre-commit s | pre-commit − I ms | --no-history s | planted found |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        units = (r["commits"] + r["files"]) / 1000
        lines.append(
            f"| {r['tool']} | {r['size']} | {r['apps']:,} × {r['commits']:,} | {r['files']:,} | {r['F']:.3f} | {r['I']:.3f} | "
            f"{r['check']:.2f} | {r['check'] / r['F']:.1f}× | {r['check'] * 1000 / units:.0f} | {r['rss_mib']:.0f} ({r.get('python_rss_mib', float('nan')):.0f}) | "
            f"{r['precommit']:.2f} | {(r['precommit'] - r['I']) * 1000:+.0f} | {r['precommit_no_history']:.2f} | "
            f"{r['planted_found']}/{r['planted_total']} |")
    return "\n".join(lines)


def report_lines(r: dict[str, Any]) -> list[str]:
    lines = [f"[{r['size']}] findings by rule: {r['findings_by_rule']}"]
    if r["missing"]:
        lines.append(f"[{r['size']}] MISSING planted: " + "; ".join(f"{a} {b}" for a, b in r["missing"]))
    if r["consequences_missing"]:
        lines.append(f"[{r['size']}] expected consequences not reported: "
                     + "; ".join(f"{a} {b}" for a, b in r["consequences_missing"]))
    if r["unexpected"]:
        lines.append(f"[{r['size']}] unexpected findings by rule: {r['unexpected_by_rule']}")
        lines += [f"[{r['size']}]   {a} {b}" for a, b in r["unexpected"][:20]]
    for key, label in (("precommit_new_findings", "new"), ("precommit_gone_findings", "gone")):
        for rule, path, message in r.get(key, [])[:10]:
            lines.append(f"[{r['size']}] pre-commit change: {label} finding {rule} {path}: {message}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="small,medium", help="comma-separated: " + ", ".join(
        f"{k} ({a} apps/{c} commits)" for k, (a, c) in SIZES.items()))
    parser.add_argument("--check-runs", type=int, default=3, help="full check runs per size (median)")
    parser.add_argument("--precommit-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the repos even when present")
    parser.add_argument("--profile", action="store_true", help="also cProfile one check per size")
    parser.add_argument("--tool-ref", metavar="REF",
                        help="measure the project's src/ at git REF (exported to bench/out/tool-<sha>/) "
                             "instead of the installed gitops-lint")
    parser.add_argument("--release-tags", type=int, default=1,
                        help="pin prod of every tenth app to one of N release tags cut along main (issue 12's shape)")
    parser.add_argument("--clean", action="store_true",
                        help="also lint a clean repo of each size (no planted violations): every finding is false")
    args = parser.parse_args(argv)
    global TOOL_SRC
    if args.tool_ref:
        TOOL_SRC, sha = snapshot(args.tool_ref)
        print(f"measuring gitops-lint {sha} from {TOOL_SRC}", flush=True)
    if shutil.which("git") is None:
        raise SystemExit("git is required")
    rows = []
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        if size not in SIZES:
            raise SystemExit(f"unknown size {size!r}")
        row = measure(size, args)
        if args.clean:
            row["clean"] = clean_check(size, args)
        rows.append(row)
        for line in report_lines(row):
            print(line, flush=True)
    results_file = OUT / "results.json"
    merged = json.loads(results_file.read_text()) if results_file.exists() else {}
    merged.update({f"{r['size']}@{r['tool']}": r for r in rows})
    results_file.write_text(json.dumps(merged, indent=2) + "\n")
    print()
    print(table(rows))
    ok = all(not r["missing"] for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
