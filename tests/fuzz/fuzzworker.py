"""Run generated cases through the real CLI, in a worker process that a hang or a crash cannot take along.

The parent (a pytest test or run.py) holds a `Worker`: one long-lived child process that imports
gitops_lint once and then, for each case, builds the repo in a temp dir, calls
`gitops_lint.cli.main` through click's CliRunner (in process, `catch_exceptions=True`), and answers
with the exit code, output, peak RSS of that run and, for an exit 3, the traceback of a `--debug`
rerun. The child lives under an address-space cap (RLIMIT_AS), so a memory blow-up is a
MemoryError rather than the machine's OOM killer; each case gets a deadline, after which the
parent asks faulthandler where the child is stuck, kills its process group and starts a new one.
A signal death (a segfault in a C extension, say) is caught the same way.

`judge()` turns an outcome into None (the property holds) or a `Failure` whose signature names the
defect (exit 3 with the exception type and the innermost gitops_lint frame, timeout and signal
with the frame faulthandler saw, memory, traceback in the output, an exit-2 error that is not one prefixed line per problem,
or a linted repo that was written to, or an exit-2 error quoting file content).

Run as a script, this module is the child: `python fuzzworker.py JOB_FD RESULT_FD MEM_MB`.
"""
from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

DEADLINE_S = 10.0
RSS_LIMIT_MB = 500
ADDRESS_SPACE_MB = 3072
TIMEOUT_DUMPS = 4
RECYCLE_RSS_MB = 150  # a child whose heap stays above this after a case is replaced (so peaks stay per case)  # the child's RLIMIT_AS: far above the RSS limit, so only a blow-up reaches it
CANARY = "qqcanaryqq"  # fuzzgen.CANARY (this module is also the child, which does not import fuzzgen)
_SRC_FRAME = re.compile(r'File "([^"]*gitops_lint/[^"]+)", line (\d+),? in (\S+)')


# ---------------------------------------------------------------------------------------------
# building a case's repo (used by the child, and by the parent to save a failing case)

def _git(root: Path, *args: str, date: str | None = None, check: bool = True) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="Fuzz", GIT_AUTHOR_EMAIL="fuzz@example.invalid", GIT_COMMITTER_NAME="Fuzz",
               GIT_COMMITTER_EMAIL="fuzz@example.invalid", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, env=env, check=False,
                          stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout.decode("utf-8", "replace")


def content_bytes(content: Any) -> bytes:
    if isinstance(content, str):
        return content.encode("utf-8", "surrogatepass")
    if "b64" in content:
        return base64.b64decode(content["b64"])
    body = content["repeat"]
    if "{n}" in body or "{m}" in body:
        text = "".join(body.replace("{n}", str(i)).replace("{m}", str(i - 1)) for i in range(1, content["times"] + 1))
    else:
        text = body * content["times"]
    return (content.get("prefix", "") + text + content.get("suffix", "")).encode("utf-8")


def _write(root: Path, files: dict[str, Any]) -> None:
    for rel, content in sorted(files.items()):
        path = root / rel
        if content is None:
            if path.is_symlink() or path.is_file():
                path.unlink()
            continue
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        for parent in reversed(path.parents):
            if parent.is_symlink() or (parent.exists() and not parent.is_dir()):
                parent.unlink()  # a file (or link) stands where a directory must go: the directory wins
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content_bytes(content))


def _specials(root: Path, specials: list[dict[str, Any]], kinds: tuple[str, ...]) -> None:
    for item in specials:
        if item["kind"] not in kinds:
            continue
        path = root / item["path"]
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif os.path.lexists(path):  # a file, a link (even a broken one) or a FIFO from an earlier entry
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        if item["kind"] == "fifo":
            os.mkfifo(path)
        else:
            os.symlink(item["path"] if item["target"] == "loop" else item["target"], path)


def build_repo(case: dict[str, Any], root: Path) -> Path:
    """The case's files under `root` (created), as a git repository when the case has `git`."""
    root.mkdir(parents=True)
    spec = case.get("git")
    specials = case.get("special") or []
    if spec is None:
        _write(root, case.get("files") or {})
        _specials(root, specials, ("symlink", "fifo"))
        return root
    _git(root, "init", "-q", "-b", "main")
    commits = spec.get("commits") or []
    for index, commit in enumerate(commits):
        if commit.get("branch"):
            if _git(root, "checkout", "-q", commit["branch"], check=False) == "" and \
                    _git(root, "rev-parse", "--abbrev-ref", "HEAD", check=False).strip() != commit["branch"]:
                _git(root, "checkout", "-q", "-b", commit["branch"], check=False)
        files = (case.get("files") or {}) if commit.get("files") == "*" else (commit.get("files") or {})
        _write(root, files)
        if index == 0:
            _specials(root, specials, ("symlink",))
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "--allow-empty", "--no-verify", "-m", f"commit {index}", date=commit["date"])
        if commit.get("tag"):
            extra = ["-a", "-m", "tag"] if commit.get("annotated") else []
            _git(root, "tag", "-f", *extra, commit["tag"], check=False, date=commit["date"])
    if spec.get("remote"):
        _git(root, "remote", "add", "origin", spec["remote"], check=False)
    if spec.get("origin_head"):
        if spec["origin_head"] != "missing":
            _git(root, "update-ref", f"refs/remotes/origin/{spec['origin_head']}", "HEAD", check=False)
        _git(root, "symbolic-ref", "refs/remotes/origin/HEAD", f"refs/remotes/origin/{spec['origin_head']}",
             check=False)
    for ref in spec.get("refs") or []:
        target = ref["to"]
        if target == "first":
            target = _git(root, "rev-list", "--max-parents=0", "HEAD", check=False).split("\n")[0]
        elif target == "blob":
            target = subprocess.run(["git", "-C", str(root), "hash-object", "-w", "--stdin"], input=b"blob\n",
                                    capture_output=True, check=False).stdout.decode().strip()
        _git(root, "update-ref", ref["ref"].format(ref["name"]), target, check=False)
    if spec.get("checkout") == "detached":
        _git(root, "checkout", "-q", "--detach", check=False)
    elif spec.get("checkout"):
        _git(root, "checkout", "-q", spec["checkout"], check=False)
    if spec.get("shallow") and commits:
        first = _git(root, "rev-list", "--max-parents=0", "HEAD", check=False).split("\n")[0]
        (root / ".git" / "shallow").write_text(first + "\n")
    if spec.get("dirty"):
        for rel in sorted(p for p in (case.get("files") or {}) if "values" in p):
            path = root / rel
            if path.is_file() and not path.is_symlink():
                path.write_bytes(path.read_bytes() + b"\nreplicaCount: 7\n")
                break
        _write(root, {"untracked/values-prod.yaml": "image:\n  repository: r.example.com/x\n  tag: latest\n"})
    _specials(root, specials, ("fifo",))
    return root


def _fingerprint(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under `root` (not following links) with size and mtime: to see whether lint wrote."""
    out: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            out[os.path.relpath(path, root)] = (info.st_size if not os.path.isdir(path) else 0, info.st_mtime_ns)
    return out


# ---------------------------------------------------------------------------------------------
# the child

def _hwm_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return -1.0


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return -1.0


def _reset_hwm() -> None:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        pass


def child_main(job_fd: int, result_fd: int, mem_mb: int) -> None:
    import faulthandler
    import gc
    import resource
    import traceback

    resource.setrlimit(resource.RLIMIT_AS, (mem_mb * 1024 * 1024, mem_mb * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    faulthandler.enable(file=sys.stderr, all_threads=True)
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "NO_COLOR", "FORCE_COLOR"):
        os.environ.pop(name, None)
    workdir = Path(tempfile.mkdtemp(prefix="gitops-lint-fuzz-worker-"))
    os.environ["GITOPS_LINT_CACHE_DIR"] = str(workdir / "cache")
    os.chdir(workdir)
    from click.testing import CliRunner

    from gitops_lint.cli import main

    jobs = os.fdopen(job_fd, "r", encoding="utf-8")
    results = os.fdopen(result_fd, "w", encoding="utf-8")

    def send(message: dict[str, Any]) -> None:
        results.write(json.dumps(message) + "\n")
        results.flush()

    send({"phase": "ready"})
    for line in jobs:
        job = json.loads(line)
        case = job["case"]
        base = Path(tempfile.mkdtemp(prefix="case-", dir=workdir))
        try:
            try:
                repo = build_repo(case, base / "repo")
            except Exception as error:  # noqa: BLE001 - the case could not be built: not the linter's fault
                send({"phase": "build-error", "error": f"{type(error).__name__}: {error}"})
                continue
            args = list(case["args"])
            args.insert(1, str(repo))
            before = _fingerprint(repo)
            send({"phase": "built"})
            sys.stderr.write(f"\n=== job {job['id']}\n")
            sys.stderr.flush()
            _reset_hwm()
            started = time.monotonic()
            result = CliRunner().invoke(main, args, catch_exceptions=True)
            elapsed = time.monotonic() - started
            hwm = _hwm_mb()
            uncaught = None
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                uncaught = "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
            after = _fingerprint(repo)
            changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
            send({"phase": "linted", "exit": result.exit_code, "stdout": result.stdout[-20000:],
                  "stdout_len": len(result.stdout), "stderr": result.stderr[-20000:], "uncaught": uncaught,
                  "elapsed": elapsed, "hwm_mb": hwm, "changed": changed[:20]})
            if result.exit_code == 3 and uncaught is None:
                debug = CliRunner().invoke(main, ["--debug", *args], catch_exceptions=True)
                tb = "".join(traceback.format_exception(*debug.exc_info)) if debug.exc_info else None  # type: ignore[misc]
                send({"phase": "debug", "traceback": tb})
        except MemoryError:
            send({"phase": "linted", "exit": -1, "stdout": "", "stdout_len": 0, "stderr": "",
                  "uncaught": "MemoryError in the worker itself", "elapsed": 0.0, "hwm_mb": _hwm_mb(), "changed": []})
        finally:
            shutil.rmtree(base, ignore_errors=True)
            shutil.rmtree(workdir / "cache", ignore_errors=True)
            gc.collect()
            gc.freeze()  # what survived is the worker's own state: later collections skip it (was 40 ms a case)
            send({"phase": "done", "rss_mb": _rss_mb()})


# ---------------------------------------------------------------------------------------------
# the parent side

class Worker:
    """One child process; `run(case)` returns an outcome dict and restarts the child when it dies."""

    def __init__(self, *, deadline: float = DEADLINE_S, mem_mb: int = ADDRESS_SPACE_MB) -> None:
        self.deadline = deadline
        self.mem_mb = mem_mb
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="gitops-lint-fuzz-worker-", suffix=".log")[1])
        self._job = 0
        self.restarts = 0  # after a timeout or a death
        self.recycled = 0  # after a case that left the child's heap large

    def _start(self) -> None:
        job_r, job_w = os.pipe()
        res_r, res_w = os.pipe()
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it from here
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[2] / "src")
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), str(job_r), str(res_w),
                                      str(self.mem_mb)], pass_fds=(job_r, res_w), stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=log, start_new_session=True, env=env)
        log.close()
        os.close(job_r)
        os.close(res_w)
        self._jobs = os.fdopen(job_w, "w", encoding="utf-8")
        self._res_fd = res_r
        self._buffer = b""
        ready = self._read(60.0)
        if ready is None or ready.get("phase") != "ready":
            raise RuntimeError(f"the fuzz worker did not start: {self._log_tail(0)}")

    def _read(self, timeout: float) -> dict[str, Any] | None:
        """The next message, None on timeout; {"phase": "eof"} when the child is gone."""
        end = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = end - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._res_fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(self._res_fd, 1 << 20)
            if not chunk:
                return {"phase": "eof"}
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)  # type: ignore[no-any-return]

    def _log_tail(self, offset: int) -> str:
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(offset)
                return handle.read()[-20000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def _kill(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self._close_pipes()
        self.proc = None
        self.restarts += 1

    def _close_pipes(self) -> None:
        for closer in (self._jobs.close, lambda: os.close(self._res_fd)):
            try:
                closer()
            except OSError:
                pass

    def close(self) -> None:
        if self.proc is not None:
            self._kill()
            self.restarts -= 1
        try:
            self.log_path.unlink()
        except OSError:
            pass

    def run(self, case: dict[str, Any]) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            if self.proc is not None:
                self._kill()
            self._start()
        assert self.proc is not None
        self._job += 1
        offset = self.log_path.stat().st_size
        try:
            self._jobs.write(json.dumps({"id": self._job, "case": case}) + "\n")
            self._jobs.flush()
        except BrokenPipeError:
            return self._died(offset)
        built = self._read(300.0)
        if built is None or built["phase"] == "eof":
            return self._died(offset) if built else self._timeout(offset, building=True)
        if built["phase"] == "build-error":
            self._read(30.0)  # "done"
            return {"status": "build-error", "error": built["error"]}
        linted = self._read(self.deadline)
        if linted is None:
            return self._timeout(offset)
        if linted["phase"] == "eof":
            return self._died(offset)
        outcome = {"status": "ok", **linted}
        while True:
            message = self._read(self.deadline + 5)
            if message is None or message["phase"] == "eof":
                self._kill()  # the --debug rerun or the clean-up hung: the outcome is still good
                break
            if message["phase"] == "debug":
                outcome["traceback"] = message["traceback"]
            if message["phase"] == "done":
                if message.get("rss_mb", 0) > RECYCLE_RSS_MB:
                    self._kill()  # a big case left the heap grown: the next peak RSS would count it
                    self.restarts -= 1
                    self.recycled += 1
                break
        return outcome

    def _timeout(self, offset: int, *, building: bool = False) -> dict[str, Any]:
        assert self.proc is not None
        for _ in range(TIMEOUT_DUMPS):  # faulthandler: where is it stuck? (a few looks, to find the loop)
            try:
                os.kill(self.proc.pid, signal.SIGUSR1)
            except ProcessLookupError:
                break
            time.sleep(0.4)
        self._kill()
        return {"status": "build-timeout" if building else "timeout", "elapsed": self.deadline,
                "log": self._log_tail(offset)}

    def _died(self, offset: int) -> dict[str, Any]:
        assert self.proc is not None
        code = self.proc.wait()
        self._close_pipes()
        self.proc = None
        self.restarts += 1
        return {"status": "died", "returncode": code, "log": self._log_tail(offset)}


# ---------------------------------------------------------------------------------------------
# the property

class Failure(NamedTuple):
    signature: str  # one line naming the defect, the same for every input that shows it
    detail: str  # what this input did: message, frames, figures


_ERROR_TYPES: dict[str, type[AssertionError]] = {}


def failure_error(failure: Failure) -> AssertionError:
    """An exception whose class is unique to the signature: Hypothesis tells bugs apart by exception
    type and origin, so each distinct defect is shrunk and reported on its own."""
    cls = _ERROR_TYPES.get(failure.signature)
    if cls is None:
        cls = type(f"FuzzFailure_{len(_ERROR_TYPES)}", (AssertionError,), {})
        _ERROR_TYPES[failure.signature] = cls
    return cls(f"{failure.signature}\n{failure.detail}")


def _frame(text: str | None, *, innermost_first: bool) -> str:
    frames = _SRC_FRAME.findall(text or "")
    if not frames:
        return "?"
    path, line, func = frames[0] if innermost_first else frames[-1]
    return f"{path.split('gitops_lint/', 1)[1]}:{func}"


def _frames_of_job(log: str) -> str:
    """The worker log of the current job (faulthandler dumps, innermost frame first)."""
    return log.split("=== job", 1)[-1] if "=== job" in log else log


def _stuck_in(log: str) -> str:
    """Where a hung run is stuck: the deepest gitops_lint frame that every faulthandler dump of the main
    thread shares (one dump alone names whatever the loop happened to call at that instant)."""
    stacks = []
    for dump in re.split(r"\n(?=Current thread|Thread 0x)", _frames_of_job(log)):
        if dump.startswith("Current thread") and "gitops_lint/" in dump:  # none: the run had just ended
            stacks.append([f"{p.split('gitops_lint/', 1)[1]}:{func}" for p, _, func in _SRC_FRAME.findall(dump)][::-1])
    if not stacks:
        return _frame(_frames_of_job(log), innermost_first=True)
    common = "?"
    for frames in zip(*stacks):
        if len(set(frames)) != 1:
            break
        common = frames[0]
    return common


def _norm(message: str) -> str:
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    message = re.sub(r"/tmp/\S+", "PATH", message)
    return re.sub(r"\d+", "N", message)[:90]


def judge(outcome: dict[str, Any]) -> Failure | None:
    status = outcome["status"]
    if status in ("build-error", "build-timeout"):
        return None
    if status == "timeout":
        where = _stuck_in(outcome.get("log", ""))
        return Failure(f"timeout (over {DEADLINE_S:.0f} s) in {where}", _frames_of_job(outcome.get("log", ""))[-4000:])
    if status == "died":
        code = outcome["returncode"]
        what = f"signal {signal.Signals(-code).name}" if code < 0 else f"worker exit {code}"
        where = _frame(_frames_of_job(outcome.get("log", "")), innermost_first=True)
        return Failure(f"{what} in {where}", _frames_of_job(outcome.get("log", ""))[-4000:])
    code = outcome["exit"]
    stdout, stderr = outcome.get("stdout", ""), outcome.get("stderr", "")
    figures = f"exit {code}, {outcome['elapsed']:.2f} s, peak RSS {outcome['hwm_mb']:.0f} MiB"
    if outcome.get("uncaught"):
        exc = outcome["uncaught"].strip().splitlines()[-1]
        kind = exc.split(":", 1)[0]
        return Failure(f"uncaught {kind} in {_frame(outcome['uncaught'], innermost_first=False)}",
                       f"{figures}\n{outcome['uncaught'][-4000:]}")
    if code == 3:
        tb = outcome.get("traceback")
        message = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        match = re.search(r"internal error: (\w+)", message)
        kind = match.group(1) if match else "?"
        prefix = "memory: MemoryError" if kind == "MemoryError" else f"exit 3: {kind}"
        where = _frame(tb, innermost_first=False) if tb else _norm(message)
        return Failure(f"{prefix} in {where}", f"{figures}\n{message}\n{(tb or '')[-4000:]}")
    if code not in (0, 1, 2):
        return Failure(f"exit {code}", f"{figures}\n{stderr[-2000:]}")
    if "Traceback (most recent call last)" in stdout + stderr:
        return Failure("traceback in the output", f"{figures}\n{(stderr or stdout)[-3000:]}")
    if outcome["hwm_mb"] > RSS_LIMIT_MB:
        return Failure(f"memory: peak RSS over {RSS_LIMIT_MB} MiB", figures)
    if code == 2:
        lines = [line for line in stderr.splitlines() if line.strip()]
        # one line per problem (a config may have several), each one prefixed, and a bounded number
        if not lines or len(lines) > 20 or not all(line.startswith("gitops-lint: ") for line in lines):
            return Failure(f"exit 2 without a one-line error: {_norm(lines[0] if lines else '(nothing)')}",
                           f"{figures}\n{stderr[-2000:]}")
        if CANARY in stderr:  # a marker the generator writes only into file content, never into paths
            return Failure("exit 2 error echoes file content", f"{figures}\n{stderr[-2000:]}")
    if outcome.get("changed"):
        return Failure("the linted repository was written to", f"{figures}\nchanged: {outcome['changed']}")
    return None


if __name__ == "__main__":
    child_main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
