"""What the engine process is started with: plain values, passed to the child as JSON.

Kept free of the settings object so that the child process imports nothing but this module, the
standard library and the engine itself (``assistant.models.engine.server``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

KEY_ENV = "ASSISTANT_ENGINE_KEY"  # the child reads its API key here, never from argv


@dataclass(frozen=True)
class EngineConfig:
    """One llama.cpp server: a GGUF model, its parallel slots and its CPU threads.

    ``n_ctx_per_slot`` is each conversation's context; the server's KV cache holds
    ``slots x n_ctx_per_slot`` tokens (112 MiB per 4,096 for the default model). ``slots``
    answers decode together in one batch (continuous batching): on a CPU the weights are read
    once per step for all of them, so throughput grows with slots while each answer slows less.
    """

    model_path: Path
    n_ctx_per_slot: int = 4096
    slots: int = 4
    threads: int = 2
    batch: int = 512
    verbosity: int = 0  # llama.cpp's log level in the child: 0 = errors only
    port: int = 0  # 0: the kernel picks a free loopback port, announced on standard output

    def to_json(self) -> str:
        values = asdict(self)
        values["model_path"] = str(self.model_path)
        return json.dumps(values)

    @classmethod
    def from_json(cls, text: str) -> EngineConfig:
        values = json.loads(text)
        values["model_path"] = Path(values["model_path"])
        return cls(**values)
