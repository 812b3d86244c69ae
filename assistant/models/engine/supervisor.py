"""Keeps one engine process alive for the app: start on first use, health-check, restart.

The supervisor owns the child process and nothing else; clients ask it for an
:class:`EngineEndpoint` before each request and tell it when a request failed. A fresh API key is
drawn for every start, so a key seen in one engine's lifetime opens nothing after a restart.

Restarts are bounded: an engine that dies ``max_restarts`` times within ``restart_window_s``
(a model file the engine cannot run, a CPU it cannot run on) is not started again until that
window has passed; the error then says to run ``assistant doctor``.
"""

from __future__ import annotations

import atexit
import collections
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import IO

import httpx

from assistant.models.backends.base import BackendError
from assistant.models.engine.config import KEY_ENV, EngineConfig

log = logging.getLogger(__name__)

_STDERR_LINES_KEPT = 40


class EngineUnavailableError(BackendError):
    """The engine could not be started or keeps dying; the message says what to do."""


@dataclass(frozen=True)
class EngineEndpoint:
    """Where the running engine listens, the key it takes, and which start it belongs to."""

    base_url: str
    api_key: str
    generation: int
    pid: int


class EngineSupervisor:
    """One supervised engine process for ``config``."""

    def __init__(
        self,
        config: EngineConfig,
        *,
        start_timeout_s: float = 180.0,
        health_interval_s: float = 5.0,
        max_restarts: int = 3,
        restart_window_s: float = 60.0,
    ) -> None:
        self.config = config
        self._start_timeout_s = start_timeout_s
        self._health_interval_s = health_interval_s
        self._max_restarts = max_restarts
        self._restart_window_s = restart_window_s
        self._lock = threading.RLock()
        self._process: subprocess.Popen[str] | None = None
        self._endpoint: EngineEndpoint | None = None
        self._generation = 0
        self._last_healthy = 0.0
        self._deaths: collections.deque[float] = collections.deque()
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES_KEPT)
        atexit.register(self.stop)

    @property
    def restarts(self) -> int:
        """Starts after the first one."""
        return max(0, self._generation - 1)

    @property
    def pid(self) -> int | None:
        with self._lock:
            return self._endpoint.pid if self._endpoint else None

    def endpoint(self) -> EngineEndpoint:
        """The live engine's endpoint, starting (or restarting) the engine when needed."""
        with self._lock:
            if self._endpoint is not None and self._is_alive() and self._is_healthy():
                return self._endpoint
            if self._endpoint is not None:
                self._record_death("it stopped answering or exited")
            return self._start()

    def report_failure(self, endpoint: EngineEndpoint) -> bool:
        """A request to ``endpoint`` broke off; True when the engine behind it has died."""
        with self._lock:
            if self._endpoint is None or endpoint.generation != self._endpoint.generation:
                return True
            if self._is_alive() and self._ping(timeout_s=2.0):
                return False
            self._record_death("a request broke off")
            return True

    def stop(self) -> None:
        """Terminate the engine (then kill it if it lingers)."""
        with self._lock:
            process, self._process, self._endpoint = self._process, None, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _start(self) -> EngineEndpoint:
        self._check_restart_budget()
        self._generation += 1
        key = secrets.token_urlsafe(32)
        env = {**os.environ, KEY_ENV: key}
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.models.engine.server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self._process = process
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(self.config.to_json())
        process.stdin.close()
        threading.Thread(target=self._drain, args=(process.stderr,), daemon=True).start()
        announcement = self._read_announcement(process)
        # Anything printed later must not fill the pipe and block the engine.
        threading.Thread(target=self._drain, args=(process.stdout,), daemon=True).start()
        endpoint = EngineEndpoint(
            base_url=announcement["address"].rstrip("/"),
            api_key=key,
            generation=self._generation,
            pid=process.pid,
        )
        self._endpoint = endpoint
        self._last_healthy = time.monotonic()
        log.info(
            "engine %d started in %.1fs (pid %d, %s, %d slots x %d tokens, %d threads)",
            self._generation,
            time.perf_counter() - started,
            process.pid,
            self.config.model_path.name,
            self.config.slots,
            self.config.n_ctx_per_slot,
            self.config.threads,
        )
        return endpoint

    def _read_announcement(self, process: subprocess.Popen[str]) -> dict[str, str]:
        """The child's ``{"address": ...}`` line, or an error saying how it ended."""
        line: list[str] = []
        stdout = process.stdout
        if stdout is None:
            raise EngineUnavailableError("the engine process was started without a pipe")
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(self._start_timeout_s)
        if line and line[0].strip():
            try:
                return json.loads(line[0])
            except json.JSONDecodeError:
                pass
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        self._deaths.append(time.monotonic())
        raise EngineUnavailableError(
            f"the model engine did not start ({describe_exit(process.returncode)}"
            f"{_illegal_instruction_hint(process.returncode)}) for "
            f"{self.config.model_path.name}: {self._last_stderr()}; run `assistant doctor`"
        )

    def _check_restart_budget(self) -> None:
        now = time.monotonic()
        while self._deaths and now - self._deaths[0] > self._restart_window_s:
            self._deaths.popleft()
        if len(self._deaths) >= self._max_restarts:
            wait = self._restart_window_s - (now - self._deaths[0])
            raise EngineUnavailableError(
                f"the model engine died {len(self._deaths)} times in the last "
                f"{self._restart_window_s:.0f}s; not restarting for {wait:.0f}s. "
                "Run `assistant doctor` to see why."
            )

    def _record_death(self, why: str) -> None:
        process = self._process
        code = process.poll() if process else None
        if process is not None and code is None:
            process.kill()
            code = process.wait(timeout=10)
        log.error(
            "engine %d (pid %s) is gone: %s (%s%s); %s",
            self._generation,
            process.pid if process else "?",
            why,
            describe_exit(code),
            _illegal_instruction_hint(code),
            self._last_stderr(),
        )
        self._deaths.append(time.monotonic())
        self._process = None
        self._endpoint = None

    def _is_alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _is_healthy(self) -> bool:
        """Pinged at most every ``health_interval_s``; a hung engine fails the ping."""
        if time.monotonic() - self._last_healthy < self._health_interval_s:
            return True
        if self._ping(timeout_s=5.0):
            self._last_healthy = time.monotonic()
            return True
        return False

    def _ping(self, timeout_s: float) -> bool:
        if self._endpoint is None:
            return False
        try:
            response = httpx.get(f"{self._endpoint.base_url}/health", timeout=timeout_s)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def _drain(self, stream: IO[str] | None) -> None:
        assert stream is not None
        for line in stream:
            line = line.rstrip()
            if line:
                self._stderr.append(line)
                log.debug("engine: %s", line)

    def _last_stderr(self) -> str:
        tail = [line for line in self._stderr if line.strip()][-3:]
        return " | ".join(tail) if tail else "no output"


def describe_exit(code: int | None) -> str:
    """``-4`` → "killed by SIGILL (illegal instruction)"; ``None`` → "still running"."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            sig = signal.Signals(-code)
        except ValueError:
            return f"killed by signal {-code}"
        detail = {
            signal.SIGILL: "illegal instruction: code this CPU or kernel does not allow",
            signal.SIGSEGV: "segmentation fault",
            signal.SIGKILL: "killed",
            signal.SIGBUS: "bus error",
        }.get(sig)
        return f"killed by {sig.name}" + (f" ({detail})" if detail else "")
    return f"exit status {code}"


def _illegal_instruction_hint(code: int | None) -> str:
    """After a SIGILL: which of the engine's instruction sets this CPU lacks, if any."""
    if code != -signal.SIGILL:
        return ""
    from assistant.models.engine.build import missing_cpu_features

    try:
        missing = missing_cpu_features()
    except (OSError, RuntimeError, subprocess.SubprocessError):
        return ""
    if not missing:
        return "; this CPU reports every instruction set the engine was built with"
    return f"; this CPU lacks {', '.join(missing)}, which the engine was built with"
