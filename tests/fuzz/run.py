"""The long fuzz run: many inputs across the five generators, a summary, and each distinct failure's
minimal input saved outside the repo.

    .venv/bin/python tests/fuzz/run.py -n 20000 --jobs 2          # 20,000 inputs, two workers
    .venv/bin/python tests/fuzz/run.py -n 100000 --minutes 25 --jobs 2   # 100,000 inputs or 25 minutes, whichever first
    .venv/bin/python tests/fuzz/run.py --replay /tmp/gitops-lint-fuzz-failures/<id>/case.json

Each family runs as a series of Hypothesis sessions (200 inputs each, a new seed each). A failure
whose signature (fuzzworker.judge) is new fails its session, so Hypothesis shrinks it (for at most
--shrink-seconds, then the session winds down); signatures already seen are only counted after that,
so one run finds every distinct failure rather than stopping at the first. The smallest failing
input seen for each signature is written to --out/<signature-id>/: case.json (replayable),
repo/ (the files, a git repo when the case has history), outcome.txt (signature, details, command).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzzgen  # noqa: E402
import fuzzworker  # noqa: E402

SESSION_EXAMPLES = 200
DEFAULT_OUT = Path(tempfile.gettempdir()) / "gitops-lint-fuzz-failures"


def signature_id(signature: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", signature.lower()).strip("-")[:60]
    return f"{slug}-{hashlib.sha1(signature.encode()).hexdigest()[:8]}"


class _SessionOver(BaseException):
    """Ends a Hypothesis session at once (not an Exception, so Hypothesis does not take it for a failure)."""


def _size(case: dict[str, Any]) -> int:
    return len(json.dumps(case))


class FamilyRun:
    """One family's share of the run: sessions until the input budget or the clock runs out."""

    def __init__(self, family: str, worker: fuzzworker.Worker, *, budget: int, until: float, seed: int,
                 shrink_seconds: float) -> None:
        self.family = family
        self.worker = worker
        self.budget = budget
        self.until = until
        self.seed = seed
        self.shrink_seconds = shrink_seconds
        self.inputs = 0
        self.exits: Counter[str] = Counter()
        self.peak_rss = 0.0
        self.build_errors = 0
        self.build_messages: Counter[str] = Counter()
        self.failures: dict[str, dict[str, Any]] = {}  # signature -> {count, case, detail}
        self._known: set[str] = set()
        self._shrink_until: float | None = None
        self.sessions = 0

    def _test(self, case: dict[str, Any]) -> None:
        if self._shrink_until is not None and time.monotonic() > self._shrink_until:
            raise _SessionOver  # this session's shrinking time is spent: keep the smallest input seen
        if self._shrink_until is None and (self.inputs >= self.budget or time.monotonic() > self.until):
            raise _SessionOver
        self.inputs += 1
        outcome = self.worker.run(case)
        status = outcome["status"]
        self.exits[str(outcome["exit"]) if status == "ok" else status] += 1
        if status == "build-error":
            self.build_errors += 1
            self.build_messages[outcome["error"][:160]] += 1
        self.peak_rss = max(self.peak_rss, outcome.get("hwm_mb", 0.0))
        failure = fuzzworker.judge(outcome)
        if failure is None:
            return
        seen = self.failures.setdefault(failure.signature, {"count": 0, "case": case, "detail": failure.detail})
        seen["count"] += 1
        if _size(case) < _size(seen["case"]):
            seen.update(case=case, detail=failure.detail)
        if failure.signature in self._known:
            return
        if self._shrink_until is None:
            self._shrink_until = time.monotonic() + self.shrink_seconds
        raise fuzzworker.failure_error(failure)

    @property
    def done(self) -> bool:
        return self.inputs >= self.budget or time.monotonic() >= self.until

    def session(self, until: float) -> None:
        """One Hypothesis session: up to SESSION_EXAMPLES inputs, a fresh seed, shrinking of new failures."""
        from hypothesis import HealthCheck, Verbosity, given, seed, settings

        self.until = min(self.until, until)
        self._shrink_until = None
        before = set(self.failures)

        @seed(self.seed * 1000 + self.sessions)
        @settings(max_examples=min(SESSION_EXAMPLES, self.budget - self.inputs), database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=True, print_blob=False,
                  verbosity=Verbosity.quiet)
        @given(case=fuzzgen.FAMILIES[self.family]())
        def session_test(case: dict[str, Any]) -> None:
            self._test(case)

        try:
            session_test()
        except _SessionOver:
            pass
        except Exception:  # noqa: BLE001 - new failures (or Flaky): already recorded in self.failures
            pass
        self._known |= set(self.failures)
        for signature in sorted(set(self.failures) - before):
            print(f"[{self.family}] new failure: {signature}", file=sys.stderr, flush=True)
        self.sessions += 1

    def report(self) -> dict[str, Any]:
        return {"family": self.family, "inputs": self.inputs, "exits": dict(self.exits), "peak_rss": self.peak_rss,
                "build_errors": self.build_errors,
                "build_messages": dict(self.build_messages),
                "failures": {sig: {"count": f["count"], "case": f["case"], "detail": f["detail"], "family": self.family}
                             for sig, f in self.failures.items()}}


def save_failure(out: Path, signature: str, failure: dict[str, Any]) -> Path:
    where = out / signature_id(signature)
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    case = failure["case"]
    (where / "case.json").write_text(json.dumps(case, indent=1, ensure_ascii=False, default=str) + "\n", "utf-8")
    try:
        fuzzworker.build_repo(case, where / "repo")
    except Exception as error:  # noqa: BLE001
        (where / "build-error.txt").write_text(repr(error), "utf-8")
    command = " ".join(["gitops-lint", case["args"][0], f"{where / 'repo'}", *case["args"][1:]])
    (where / "outcome.txt").write_text(
        f"signature: {signature}\nfamily: {failure['family']}\nseen: {failure['count']} input(s)\n"
        f"command: {command}\n\n{failure['detail']}\n", "utf-8")
    return where


def _child(args: argparse.Namespace, families: list[str], report_path: Path) -> None:
    """One job: its families take turns, a session each, until every budget or the clock is spent."""
    worker = fuzzworker.Worker(deadline=args.deadline)
    until = time.monotonic() + args.minutes * 60 if args.minutes else float("inf")
    runs = [FamilyRun(family, worker, budget=args.per_family, until=until,
                      seed=args.seed * 10 + list(fuzzgen.FAMILIES).index(family), shrink_seconds=args.shrink_seconds)
            for family in families]
    try:
        while not all(run.done for run in runs):
            for run in runs:
                if not run.done:
                    run.session(until)
                    print(f"[{run.family}] {run.inputs} inputs, exits {dict(run.exits)}", file=sys.stderr, flush=True)
    finally:
        restarts = worker.restarts
        worker.close()
        report_path.write_text(json.dumps({"families": [run.report() for run in runs], "restarts": restarts},
                                          default=str), "utf-8")


def _merge(reports: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {"inputs": 0, "exits": Counter(), "peak_rss": 0.0, "build_errors": 0, "build_messages": Counter(), "restarts": 0,
                              "failures": {}, "per_family": {}}
    for report in reports:
        merged["restarts"] += report["restarts"]
        for family in report["families"]:
            merged["inputs"] += family["inputs"]
            merged["exits"].update(family["exits"])
            merged["peak_rss"] = max(merged["peak_rss"], family["peak_rss"])
            merged["build_errors"] += family["build_errors"]
            merged["build_messages"].update(family.get("build_messages", {}))
            merged["per_family"][family["family"]] = (family["inputs"], family["exits"])
            for sig, failure in family["failures"].items():
                have = merged["failures"].get(sig)
                if have is None:
                    merged["failures"][sig] = dict(failure, families={family["family"]})
                    continue
                have["count"] += failure["count"]
                have["families"].add(family["family"])
                if _size(failure["case"]) < _size(have["case"]):
                    have.update(case=failure["case"], detail=failure["detail"], family=failure["family"])
    return merged


def _print_summary(merged: dict[str, Any], elapsed: float, out: Path) -> None:
    exits: Counter[str] = merged["exits"]
    failures = merged["failures"]
    kinds = Counter()
    for sig, failure in failures.items():
        kind = ("internal error (exit 3)" if sig.startswith("exit 3") else "timeout" if sig.startswith("timeout")
                else "signal death" if sig.startswith("signal") else "memory" if sig.startswith("memory") else "other")
        kinds[kind] += failure["count"]
    print("\n== gitops-lint fuzz run ==")
    print(f"inputs:          {merged['inputs']} in {elapsed:.0f} s ({merged['inputs'] / max(elapsed, 1e-9):.1f}/s)")
    for family, (inputs, fam_exits) in sorted(merged["per_family"].items()):
        print(f"  {family:<10} {inputs:>6}  " + ", ".join(f"{k}: {v}" for k, v in sorted(fam_exits.items())))
    print("exit codes:      " + ", ".join(f"{k}: {exits[k]}" for k in sorted(exits)))
    print(f"internal errors: {exits.get('3', 0)} (exit 3)")
    print(f"timeouts:        {exits.get('timeout', 0)}")
    print(f"signal deaths:   {sum(f['count'] for s, f in failures.items() if s.startswith('signal'))}"
          f" (worker restarts: {merged['restarts']})")
    print(f"memory:          {kinds['memory']} input(s) over the limit; peak RSS of one lint {merged['peak_rss']:.0f} MiB")
    print(f"build errors:    {merged['build_errors']} (cases the harness could not build; not counted as failures)")
    for message, count in merged["build_messages"].most_common(3):
        print(f"  {count:>5} x  {message}")
    print(f"distinct failures: {len(failures)}")
    for sig, failure in sorted(failures.items(), key=lambda item: -item[1]["count"]):
        where = save_failure(out, sig, failure)
        print(f"  {failure['count']:>5} x  {sig}  [{', '.join(sorted(failure['families']))}]\n          minimal input: {where}")


def _replay(path: Path, deadline: float) -> int:
    case = json.loads(path.read_text("utf-8"))
    worker = fuzzworker.Worker(deadline=deadline)
    try:
        outcome = worker.run(case)
    finally:
        worker.close()
    failure = fuzzworker.judge(outcome)
    print(json.dumps({k: v for k, v in outcome.items() if k in ("status", "exit", "elapsed", "hwm_mb", "stderr")},
                     indent=1))
    print(f"FAIL {failure.signature}\n{failure.detail}" if failure else "PASS: the property holds")
    return 1 if failure else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--inputs", type=int, default=10_000, help="total inputs (default 10000)")
    parser.add_argument("--minutes", type=float, default=0, help="stop after this many minutes (0: no time limit)")
    parser.add_argument("--families", default=",".join(fuzzgen.FAMILIES), help="comma-separated (default: all five)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes in parallel (default 1)")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000, help="base seed (default: the clock)")
    parser.add_argument("--deadline", type=float, default=fuzzworker.DEADLINE_S, help="seconds per input (default 10)")
    parser.add_argument("--shrink-seconds", type=float, default=120, help="shrinking time per new failure (default 120)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where failing inputs go (default {DEFAULT_OUT})")
    parser.add_argument("--replay", type=Path, help="run one saved case.json and judge it")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--per-family", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay:
        return _replay(args.replay, args.deadline)
    families = [f for f in args.families.split(",") if f]
    unknown = set(families) - set(fuzzgen.FAMILIES)
    if unknown:
        parser.error(f"unknown families {sorted(unknown)}; choose from {list(fuzzgen.FAMILIES)}")
    if args.child:
        _child(args, families, Path(args.child))
        return 0
    started = time.monotonic()
    per_family = max(1, args.inputs // len(families))  # with --minutes too: whichever limit comes first
    jobs = max(1, min(args.jobs, len(families)))
    groups = [families[i::jobs] for i in range(jobs)]
    print(f"seed {args.seed}; {len(families)} families over {jobs} job(s); "
          f"{per_family} inputs per family" + (f", at most {args.minutes:g} minutes" if args.minutes else ""), flush=True)
    with tempfile.TemporaryDirectory(prefix="gitops-lint-fuzz-run-") as tmp:
        procs = []
        for index, group in enumerate(groups):
            report = Path(tmp) / f"job{index}.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(report), "--families", ",".join(group),
                   "--seed", str(args.seed + index), "--deadline", str(args.deadline), "--per-family", str(per_family),
                   "--minutes", str(args.minutes), "--shrink-seconds", str(args.shrink_seconds)]
            procs.append((subprocess.Popen(cmd), report))
        reports = []
        for proc, report in procs:
            proc.wait()
            if report.exists():
                reports.append(json.loads(report.read_text("utf-8")))
            else:
                print(f"a fuzz job failed (exit {proc.returncode}); its report is missing", file=sys.stderr)
    merged = _merge(reports)
    _print_summary(merged, time.monotonic() - started, args.out)
    return 1 if merged["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
