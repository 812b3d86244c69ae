"""The engine process: llama.cpp's own HTTP server (through xllamacpp) on loopback.

Run by :class:`~assistant.models.engine.supervisor.EngineSupervisor` as
``python -m assistant.models.engine.server`` with the :class:`EngineConfig` as JSON on standard
input and the API key in the environment variable ``ASSISTANT_ENGINE_KEY`` (never on the command
line, where ``ps`` shows it). It binds 127.0.0.1, on a port the kernel picks unless the config
names one, prints one JSON line ``{"address": ...}`` on standard output once the model is
loaded, and serves until it is told to stop or its parent goes away.

Why a separate process: native code that faults (an illegal instruction, a segfault in a
kernel) kills only this process; the app notices, tells the user whose answer was cut, and starts
a new engine for the next question.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from typing import Any

from assistant.models.engine.config import KEY_ENV, EngineConfig, SpeculativeConfig

_PARENT_POLL_S = 1.0


def build_server(config: EngineConfig, api_key: str) -> Any:  # an xllamacpp.Server
    """A started xllamacpp server for ``config``, listening on 127.0.0.1 only."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(config.model_path)
    params.n_parallel = config.slots
    params.n_ctx = config.n_ctx_per_slot * config.slots
    params.n_batch = config.batch
    params.n_ubatch = config.batch
    params.cpuparams.n_threads = config.threads
    params.cpuparams_batch.n_threads = config.threads
    params.cont_batching = True
    params.cache_prompt = True
    params.hostnames = ["127.0.0.1"]
    params.port = config.port
    params.api_keys = [api_key]
    params.warmup = False
    params.verbosity = config.verbosity
    _set_speculative(params, config.speculative, config.threads)
    return xllamacpp.Server(params)


def _set_speculative(params: Any, spec: SpeculativeConfig, threads: int) -> None:
    """llama.cpp's ``--spec-type``, ``--model-draft``, ``--draft-max/min/p-min`` and
    ``--spec-ngram-size-n/m`` on ``params`` (nothing when ``spec`` is off)."""
    import xllamacpp

    if not spec.enabled:
        return
    kinds = xllamacpp.common_speculative_type
    by_name = {
        "draft": kinds.COMMON_SPECULATIVE_TYPE_DRAFT_SIMPLE,
        "ngram-simple": kinds.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE,
    }
    params.speculative.types = [by_name[name] for name in spec.types]
    draft = params.speculative.draft
    draft.n_max = spec.draft_max
    draft.n_min = spec.draft_min
    draft.p_min = spec.draft_p_min
    if spec.draft_model_path is not None and "draft" in spec.types:
        draft.mparams.path = str(spec.draft_model_path)
        draft.cpuparams.n_threads = threads
        draft.cpuparams_batch.n_threads = threads
    ngram = params.speculative.ngram_simple
    ngram.size_n = spec.ngram_size
    ngram.size_m = spec.ngram_draft


def _exit_when_orphaned(parent: int) -> None:
    """Stop serving once the process that started us is gone (killed without cleanup)."""
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_S)
    os._exit(0)


def main() -> None:
    config = EngineConfig.from_json(sys.stdin.read())
    api_key = os.environ.pop(KEY_ENV, "")
    if not api_key:
        sys.exit(f"{KEY_ENV} is not set: the engine refuses to serve without a key")
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    server = build_server(config, api_key)
    print(json.dumps({"address": server.listening_address, "pid": os.getpid()}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    del server


if __name__ == "__main__":
    main()
