"""The one persistent render child: started on first use, reused, killed when a render overstays.

Every render runs in `worker.py` in its own session (process group), with a scrubbed
environment: HOME is a private temp dir, no KUBECONFIG, an empty PATH (tools are passed by
absolute path; nothing finds git to fetch with), proxies that point at a closed local port.
A render that takes longer than its timeout kills the whole group (the worker and any
kubectl/helm under it); the next render starts a fresh worker. Reusing one worker saves the
~0.2 s a Python start plus the Helm SDK load would cost every render.
"""
from __future__ import annotations

import atexit
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

import gitops_lint

_START_TIMEOUT = 60.0  # seconds for the worker to start (and load the SDK): not the render's budget
_CLOSED_PORT = "http://127.0.0.1:9"  # discard port: a fetch that slips through fails at once


class Worker:
    def __init__(self, memory_mib: int) -> None:
        self.memory_mib = memory_mib
        self._proc: subprocess.Popen[bytes] | None = None
        self._home: Path | None = None
        self._buffer = b""
        self._helm_loaded = False
        self._stderr: BinaryIO | None = None
        self._lock = threading.Lock()

    def call(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request; its answer, or {"error": ...} when it overstayed or the worker died."""
        with self._lock:
            try:
                if self._proc is None or self._proc.poll() is not None:
                    self._start()
                if message["op"] == "helm" and not self._helm_loaded:
                    self._exchange({"op": "load-helm"}, _START_TIMEOUT)
                    self._helm_loaded = True
                return self._exchange(message, timeout)
            except _Overstayed as exc:
                self.close()
                return {"error": str(exc)}
            except _Died as exc:
                message_text = self._death(str(exc))
                self.close()
                return {"error": message_text}
            except OSError as exc:  # no process could be started (no memory, no executable)
                self.close()
                return {"error": f"the renderer stopped unexpectedly: cannot start it ({exc})"}

    def _start(self) -> None:
        self.close()
        self._home = Path(tempfile.mkdtemp(prefix="gitops-lint-render-home-"))
        package_root = str(Path(gitops_lint.__file__).resolve().parents[1])
        boot = (f"import sys; sys.path.insert(0, {package_root!r}); "
                "from gitops_lint.render.worker import main; main()")
        self._stderr = open(self._home / "stderr", "w+b")
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-c", boot, str(self.memory_mib)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._stderr, cwd=self._home, env=scrubbed_env(self._home),
            start_new_session=os.name == "posix")
        self._buffer = b""
        self._helm_loaded = False
        self._read_line(_START_TIMEOUT)  # {"ready": true}

    def _exchange(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(message).encode() + b"\n")
            self._proc.stdin.flush()
        except OSError:
            raise _Died("the worker closed its input") from None
        try:
            answer = json.loads(self._read_line(timeout))
        except ValueError:
            raise _Died("the worker answered garbage") from None
        if not isinstance(answer, dict):
            raise _Died("the worker answered garbage")
        return answer

    def _read_line(self, timeout: float) -> bytes:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        chunks = [self._buffer]
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in chunks[-1]:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise _Overstayed(f"rendering took over {timeout:g} s")
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise _Died("the worker stopped")
                chunks.append(chunk)
        line, _, self._buffer = b"".join(chunks).partition(b"\n")
        return line

    def _death(self, fallback: str) -> str:
        assert self._proc is not None
        try:
            code = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        tail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            tail = self._stderr.read()[-65536:].decode("utf-8", "replace")
        if "out of memory" in tail or "MemoryError" in tail or "cannot allocate memory" in tail:
            return f"rendering ran out of memory (over its {self.memory_mib} MiB address-space cap)"
        last = next((line.strip() for line in tail.splitlines() if line.strip()), "")
        return f"the renderer stopped unexpectedly (exit {code}){': ' + last if last else ''} ({fallback})"

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                _kill_group(proc)
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
            proc.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)  # the worker and whatever it started
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


def scrubbed_env(home: Path) -> dict[str, str]:
    """Nothing of the user's: no kubeconfig, no credentials, no plugins, no network."""
    env = {"HOME": str(home), "PATH": "", "LANG": "C.UTF-8", "TMPDIR": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
           "XDG_DATA_HOME": str(home / "data"), "HELM_PLUGINS": str(home / "no-plugins"),
           "KUBECONFIG": str(home / "no-kubeconfig"), "NO_PROXY": "", "no_proxy": ""}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[name] = _CLOSED_PORT
    if os.name == "nt":  # Windows cannot start a process without these
        env.update({k: os.environ[k] for k in ("SYSTEMROOT", "WINDIR") if k in os.environ})
    return env


class _Overstayed(Exception):
    pass


class _Died(Exception):
    pass


_WORKERS: dict[int, Worker] = {}
_WORKERS_LOCK = threading.Lock()


def worker(memory_mib: int) -> Worker:
    """The shared worker for this memory cap."""
    with _WORKERS_LOCK:
        if memory_mib not in _WORKERS:
            _WORKERS[memory_mib] = Worker(memory_mib)
        return _WORKERS[memory_mib]


@atexit.register
def close_all() -> None:
    with _WORKERS_LOCK:
        for each in _WORKERS.values():
            each.close()
        _WORKERS.clear()
