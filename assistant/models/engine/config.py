"""What the engine process is started with: plain values, passed to the child as JSON.

Kept free of the settings object so that the child process imports nothing but this module, the
standard library and the engine itself (``assistant.models.engine.server``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

KEY_ENV = "ASSISTANT_ENGINE_KEY"  # the child reads its API key here, never from argv

# llama.cpp's speculative drafters this project can ask for (``--spec-type`` names):
# "draft" proposes tokens with a smaller model of the same tokenizer (``draft_model_path``);
# "ngram-simple" copies the tokens that followed the last occurrence of the current n-gram in
# the slot's history (prompt and answer: prompt lookup, no second model).
SPECULATIVE_TYPES = ("draft", "ngram-simple")


@dataclass(frozen=True)
class SpeculativeConfig:
    """Speculative decoding: cheap drafters propose tokens, the model checks them in one batch.

    At temperature 0 a drafted token is kept only when it is the one the model would have
    chosen; the model scores drafted tokens in a batch, whose rounding differs from one-token
    steps, so a near-tie can still flip (measured: 8 of 24 translations differed). Off by
    default: on 2 CPU cores it decoded 0.5-0.7x as fast (benchmarks/README.md). ``types``
    empty means off.
    """

    types: tuple[str, ...] = ()
    draft_model_path: Path | None = None
    draft_max: int = 8  # tokens proposed per step
    draft_min: int = 0  # shorter drafts are not checked
    draft_p_min: float = 0.75  # the draft model stops proposing below this probability
    ngram_size: int = 3  # ngram-simple: tokens matched in the history
    ngram_draft: int = 16  # ngram-simple: tokens copied after a match

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t not in SPECULATIVE_TYPES]
        if unknown:
            raise ValueError(f"unknown speculative type(s) {unknown}: use {SPECULATIVE_TYPES}")
        if "draft" in self.types and self.draft_model_path is None:
            raise ValueError("speculative type 'draft' needs a draft model")

    @property
    def enabled(self) -> bool:
        return bool(self.types)


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
    speculative: SpeculativeConfig = field(default_factory=SpeculativeConfig)

    def to_json(self) -> str:
        values = asdict(self)
        values["model_path"] = str(self.model_path)
        draft = self.speculative.draft_model_path
        values["speculative"]["draft_model_path"] = str(draft) if draft else None
        return json.dumps(values)

    @classmethod
    def from_json(cls, text: str) -> EngineConfig:
        values = json.loads(text)
        values["model_path"] = Path(values["model_path"])
        spec = dict(values.get("speculative") or {})
        if spec.get("draft_model_path"):
            spec["draft_model_path"] = Path(spec["draft_model_path"])
        spec["types"] = tuple(spec.get("types") or ())
        values["speculative"] = SpeculativeConfig(**spec)
        return cls(**values)
