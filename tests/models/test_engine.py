"""The supervised engine process: portable build, crash containment, restarts, parallel slots.

The real-model tests use the small model with one slot per answer; the fault tests kill the
engine with SIGKILL and SIGILL while it streams, as a faulting native kernel would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from assistant.models.backends.base import ChatMessage, GenerationParams
from assistant.models.backends.engine_backend import EngineChatModel, EngineCrashedError
from assistant.models.engine import (
    EngineConfig,
    EngineSupervisor,
    EngineUnavailableError,
    describe_exit,
)
from assistant.models.engine.build import engine_build_features, engine_library
from tests.robustness.support import SMALL_MODEL

COUNTING = [ChatMessage("user", "Count from 1 to 40, separated by commas.")]
PASSAGE = "委员会在2018年4月19日举行的委员会第330次会议上审议该报告。"
QUESTION = [
    ChatMessage("system", "只根据段落回答，回答要简短。"),
    ChatMessage("user", f"段落：{PASSAGE}\n问题：委员会在哪一次会议上审议了报告？"),
]
PARAMS = GenerationParams(max_tokens=40, temperature=0.0, seed=7)


def test_engine_config_round_trips_through_json(tmp_path: Path) -> None:
    config = EngineConfig(tmp_path / "m.gguf", n_ctx_per_slot=1024, slots=3, threads=2)
    assert EngineConfig.from_json(config.to_json()) == config


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (-signal.SIGILL, "SIGILL (illegal instruction"),
        (-signal.SIGKILL, "SIGKILL"),
        (3, "exit status 3"),
        (None, "still running"),
    ],
)
def test_exit_codes_are_described_for_people(code, expected) -> None:
    assert expected in describe_exit(code)


# -- portability: the engine library itself ---------------------------------------------------


def test_the_engine_reports_a_portable_build() -> None:
    """The prebuilt engine targets AVX2 and enables no AMX or native-only CPU feature."""
    features = engine_build_features()
    assert features.get("AVX2") and features.get("FMA") and features.get("F16C")
    assert not any(name.startswith("AMX") for name, on in features.items() if on)
    assert not any(name.startswith("AVX512") for name, on in features.items() if on)


@pytest.mark.slow
def test_the_engine_library_holds_no_amx_or_avx512_instruction() -> None:
    """Disassembled, the library has no tile (AMX) and no zmm (AVX-512) instruction at all.

    A ``-march=native`` build on an AMX machine (the crash this guards against) or a build with
    AVX-512 kernels would contain them; an AVX2 build runs on every x86-64 CPU since 2015.
    """
    objdump = subprocess.Popen(
        ["objdump", "-d", "--no-show-raw-insn", str(engine_library())],
        stdout=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    assert objdump.stdout is not None
    counts = {"amx": 0, "zmm": 0, "ymm": 0}
    for line in objdump.stdout:
        if "tile" in line and any(
            op in line for op in ("tilezero", "ldtilecfg", "tdpb", "tileload")
        ):
            counts["amx"] += 1
        if "%zmm" in line:
            counts["zmm"] += 1
        if "%ymm" in line:
            counts["ymm"] += 1
    assert objdump.wait() == 0
    assert counts["amx"] == 0 and counts["zmm"] == 0
    assert counts["ymm"] > 1000  # and it is a vectorised (AVX2) build, not a scalar fallback


# -- start-up failures --------------------------------------------------------------------------


def test_a_model_file_the_engine_cannot_load_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(4096))
    supervisor = EngineSupervisor(
        EngineConfig(broken, slots=1, threads=1), max_restarts=2, restart_window_s=600
    )
    try:
        for _ in range(2):
            with pytest.raises(EngineUnavailableError, match=r"did not start.*broken\.gguf"):
                supervisor.endpoint()
        started = time.monotonic()
        with pytest.raises(EngineUnavailableError, match=r"not restarting.*assistant doctor"):
            supervisor.endpoint()
        assert time.monotonic() - started < 1  # no third attempt
    finally:
        supervisor.stop()


# -- the real engine ----------------------------------------------------------------------------


@pytest.fixture
def engine() -> EngineChatModel:
    if not SMALL_MODEL.is_file():
        pytest.skip(f"no small model at {SMALL_MODEL}: run `assistant models pull small`")
    supervisor = EngineSupervisor(EngineConfig(SMALL_MODEL, n_ctx_per_slot=2048, slots=2))
    yield EngineChatModel(supervisor, name="small", fingerprint="test")
    supervisor.stop()


def _kill_mid_answer(engine: EngineChatModel, sig: signal.Signals) -> tuple[str, Exception | None]:
    """Stream a long reply and send ``sig`` to the engine after a few deltas."""
    received: list[str] = []
    try:
        for delta in engine.stream(COUNTING, GenerationParams(max_tokens=120)):
            received.append(delta)
            if len(received) == 3:
                os.kill(engine.supervisor.pid, sig)
    except Exception as exc:  # the test inspects what was raised
        return "".join(received), exc
    return "".join(received), None


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGILL])
def test_an_engine_killed_mid_answer_is_restarted_for_the_next_question(engine, sig) -> None:
    assert "330" in "".join(engine.stream(QUESTION, PARAMS))
    first_pid = engine.supervisor.pid

    partial, error = _kill_mid_answer(engine, sig)

    assert isinstance(error, EngineCrashedError), error
    assert partial  # the cut happened mid-answer, after text was shown
    assert "330" in "".join(engine.stream(QUESTION, PARAMS))
    assert engine.supervisor.pid != first_pid
    assert engine.supervisor.restarts == 1


@pytest.mark.slow
def test_a_hung_engine_is_replaced(engine) -> None:
    """A stopped (SIGSTOP) engine fails its health check and is killed and replaced."""
    engine.supervisor._health_interval_s = 0.0  # check before every request
    assert engine.count_tokens(PASSAGE) > 0
    hung = engine.supervisor.pid
    os.kill(hung, signal.SIGSTOP)
    try:
        assert "330" in "".join(engine.stream(QUESTION, PARAMS))
        assert engine.supervisor.pid != hung
    finally:
        with pytest.raises(ProcessLookupError):
            os.kill(hung, signal.SIGCONT)  # it was killed, not left stopped


@pytest.mark.slow
def test_two_answers_decode_at_once_in_two_slots(engine) -> None:
    """Two concurrent requests overlap in time instead of queueing one behind the other."""
    spans: dict[int, tuple[float, float]] = {}

    def ask(i: int) -> None:
        began = time.monotonic()
        text = "".join(engine.stream(COUNTING, GenerationParams(max_tokens=60, seed=i)))
        assert text
        spans[i] = (began, time.monotonic())

    engine.count_tokens("warm up")  # start the engine before timing
    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    (a0, a1), (b0, b1) = spans[0], spans[1]
    overlap = min(a1, b1) - max(a0, b0)
    assert overlap > 0.5 * min(a1 - a0, b1 - b0)
