"""Helpers for the robustness tests: index snapshots, a deterministic chat model, and real
servers (Chroma, the llama.cpp engine) started on free loopback ports and always stopped afterwards.

Everything binds to 127.0.0.1 and every wait has a deadline, so a hung server fails a test
instead of hanging the run.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.models.backends.base import ChatMessage, GenerationParams
from assistant.models.engine.config import KEY_ENV, EngineConfig

VENV_BIN = Path(sys.executable).parent
SMALL_CORPUS = ("zh/000_b645ea8b0039a4ff.txt", "en/AFG_73_2018.txt")
SMALL_MODEL = (
    Path.home() / ".cache" / "assistant" / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
)
_PASSAGE_ONE = re.compile(r'<passage id="1"[^>]*>\n(.*?)\n</passage>', re.S)
_FIRST_SENTENCE = re.compile(r".+?(?:[。！？；]|[.!?](?=\s|$)|$)", re.S)


def copy_corpus(target: Path, files: tuple[str, ...] = SMALL_CORPUS) -> Path:
    """Copy some shipped corpus files into ``target`` (writable copies, same layout)."""
    for rel in files:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT_ROOT / "corpus" / rel, dest)
    return target


def index_state(index) -> dict[str, object]:
    """What must not change when a bad input is rejected: documents, chunks, every store."""
    return {
        "documents": [(d.doc_id, d.chunk_count, d.content_hash) for d in index.documents()],
        "catalog_chunks": index.catalog.chunk_count(),
        "vectors": index.vectors.count(),
        "bm25": len(index.lexical),
        "fingerprint": index.fingerprint,
    }


@dataclass
class EchoModel:
    """A deterministic ``ChatModel``: answers with the first sentence of passage 1, cited.

    That is a grounded answer whenever a passage was shown, so the whole pipeline (citation
    checking included) runs as it would with a real model. Every call is recorded.
    """

    name: str = "echo"
    fingerprint: str = "echo-0"
    calls: list[list[ChatMessage]] = field(default_factory=list)

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        self.calls.append(list(messages))
        found = _PASSAGE_ONE.search(messages[-1].content)
        if not found:
            yield "The documents do not contain this information."
            return
        sentence = _FIRST_SENTENCE.match(found.group(1).strip())
        reply = (sentence.group(0) if sentence else found.group(1)).strip() + " [1]"
        for start in range(0, len(reply), 8):
            yield reply[start : start + 8]

    def choose(self, messages: list[ChatMessage], options: str) -> dict[str, float]:
        """Chooses the first candidate sentence whenever there is one (recorded as a call)."""
        self.calls.append(list(messages))
        first = options[1] if len(options) > 1 else options[0]
        rest = 0.2 / max(1, len(options) - 1)
        return {o: 0.8 if o == first else rest for o in options}

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 3)


# -- processes ------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except OSError:
        return False


@dataclass
class ServerProcess:
    """A server we started: its process, port and log file; ``stop`` kills it for good."""

    name: str
    proc: subprocess.Popen
    port: int
    log_path: Path

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            if ready():
                return
            time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"{self.name} not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the server's process group, as a crash would."""
        if self.proc.poll() is None:
            try:
                import os

                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                import os

                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()


def start_process(name: str, argv: list[str], log_path: Path, port: int) -> ServerProcess:
    """Start ``argv`` in its own process group (so that ``kill`` reaches its children)."""
    log = log_path.open("wb")
    proc = subprocess.Popen(
        argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    log.close()
    return ServerProcess(name, proc, port, log_path)


def start_chroma(data_dir: Path, log_dir: Path, timeout: float = 90.0) -> ServerProcess:
    """``chroma run`` on a free loopback port, returned once its heartbeat answers."""
    port = free_port()
    server = start_process(
        "chroma",
        [
            str(VENV_BIN / "chroma"),
            "run",
            "--path",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        log_dir / f"chroma-{port}.log",
        port,
    )
    server.wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/api/v2/heartbeat"), timeout)
    return server


ENGINE_KEY = "robustness-test-key"


def start_llama_server(
    model: Path, log_dir: Path, port: int | None = None, timeout: float = 120.0
) -> ServerProcess:
    """The engine process (llama.cpp's OpenAI-compatible server) with ``model`` on a fixed port.

    Its API key is :data:`ENGINE_KEY`; clients send it as a bearer token.
    """
    import os

    port = port or free_port()
    config = EngineConfig(model, n_ctx_per_slot=4096, slots=1, threads=2, port=port)
    log_path = log_dir / f"engine-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.models.engine.server"],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, KEY_ENV: ENGINE_KEY},
        )
    assert proc.stdin is not None
    proc.stdin.write(config.to_json().encode())
    proc.stdin.close()
    server = ServerProcess("engine", proc, port, log_path)
    server.wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/health"), timeout)
    return server
