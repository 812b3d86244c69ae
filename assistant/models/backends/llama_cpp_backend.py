"""GGUF models through llama-cpp-python: the default, CPU-friendly backend.

Choices, and why:

* **Chat template**: the GGUF's own (``tokenizer.chat_template`` in its metadata); with no
  ``chat_format`` given, llama-cpp-python renders that Jinja template, so the prompt is exactly
  the one the model was trained on (ChatML for Qwen2.5).
* **One loaded model per process**: loading maps ~0.5-1.1 GB and takes seconds, so models are
  cached by (path, context settings) and shared. A llama.cpp context is not re-entrant, so
  generation holds a lock; concurrent callers queue instead of corrupting the KV cache.
* **KV-cache reuse across turns**: ``Llama.generate`` compares the new prompt's tokens with the
  tokens already in the context and only evaluates the suffix after the longest common prefix
  (``kv_cache_seq_rm`` trims the rest). Keeping one ``Llama`` object alive is all it takes: a
  follow-up turn that repeats the system prompt, the earlier turns and the same passages pays
  only for the new tokens. The benchmark measures this.
* **Threads** (``llm.n_threads``, default: physical cores, the same count for decode and prompt
  processing; see ``assistant.models.hardware.physical_cores``). llama.cpp's worker threads
  spin at a barrier after every operation, so they only pay off when each has a core to itself.
  On a 2-core machine shared with other busy processes, 2 threads measured 15x *slower* at
  decode than 1 (0.5 vs 8 tokens/s, small model, load average ~7): set
  ``ASSISTANT_LLM__N_THREADS=1`` where the cores are not the model's alone.
* **Context and batch for 2 cores** (``llm.n_ctx=4096``, ``llm.n_batch=512``): a RAG prompt is
  ~1,200 tokens of passages plus system prompt, a few turns of history and a 384-token answer,
  so 4,096 leaves headroom; its f16 KV cache costs 112 MiB for the default model (48 MiB for the
  small one) and an unused context costs nothing at decode. Prompt processing dominates time to
  first token, and a 512-token batch (also the micro-batch) keeps the matrix kernels fed with
  few passes over the weights; it costs a 306 MiB compute buffer for the default model (256
  would halve that for a small loss in prompt speed on low-memory machines).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.models.backends.base import BackendError, ChatMessage, GenerationParams
from assistant.models.backends.control_tokens import defuse_control_tokens
from assistant.models.hardware import physical_cores

log = logging.getLogger(__name__)

_LOADED: dict[tuple, LlamaCppChatModel] = {}
_LOADED_LOCK = threading.Lock()


class LlamaCppChatModel:
    """A GGUF model loaded once and streamed through its own chat template."""

    def __init__(
        self,
        model_path: Path,
        *,
        name: str | None = None,
        fingerprint: str | None = None,
        n_ctx: int = 4096,
        n_batch: int = 512,
        n_threads: int | None = None,
        seed: int = 42,
    ) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise BackendError(
                "the llama.cpp backend needs llama-cpp-python: pip install llama-cpp-python"
            ) from exc
        self.path = Path(model_path)
        self.name = name or self.path.name
        self.fingerprint = fingerprint or f"gguf:{self.path.name}:{self.path.stat().st_size}"
        self.n_threads = n_threads or physical_cores()
        self.context_window = n_ctx
        started = time.perf_counter()
        try:
            self._llm = Llama(
                model_path=str(self.path),
                n_ctx=n_ctx,
                n_batch=n_batch,
                n_ubatch=n_batch,
                n_threads=self.n_threads,
                n_threads_batch=self.n_threads,
                seed=seed,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"llama.cpp could not load {self.path}: {exc}") from exc
        self._lock = threading.Lock()
        log.info(
            "loaded %s in %.1fs (n_ctx=%d, n_batch=%d, threads=%d)",
            self.path.name,
            time.perf_counter() - started,
            n_ctx,
            n_batch,
            self.n_threads,
        )

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        """Yield text deltas; the model lock is held until the reply ends or the caller stops."""
        with self._lock:
            chunks = self._llm.create_chat_completion(
                messages=[
                    {"role": m.role, "content": m.content} for m in defuse_control_tokens(messages)
                ],
                stream=True,
                max_tokens=params.max_tokens,
                temperature=params.temperature,
                seed=params.seed,
                stop=list(params.stop),
            )
            for chunk in chunks:
                delta = _delta_text(chunk)
                if delta:
                    yield delta

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` alone (no BOS, special markers as plain text)."""
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    @property
    def llama(self) -> Any:
        """The underlying ``llama_cpp.Llama`` (for benchmarks and diagnostics)."""
        return self._llm


def _delta_text(chunk: dict[str, Any]) -> str:
    choices = chunk.get("choices") or [{}]
    return choices[0].get("delta", {}).get("content") or ""


def load_llama_cpp(
    model_path: Path,
    *,
    name: str | None = None,
    fingerprint: str | None = None,
    n_ctx: int = 4096,
    n_batch: int = 512,
    n_threads: int | None = None,
    seed: int = 42,
) -> LlamaCppChatModel:
    """The process-wide loaded model for these settings, loading it on first use."""
    resolved = Path(model_path).resolve()
    key = (resolved, n_ctx, n_batch, n_threads or physical_cores(), seed)
    with _LOADED_LOCK:
        model = _LOADED.get(key)
        if model is None:
            model = LlamaCppChatModel(
                resolved,
                name=name,
                fingerprint=fingerprint,
                n_ctx=n_ctx,
                n_batch=n_batch,
                n_threads=n_threads,
                seed=seed,
            )
            _LOADED[key] = model
        return model
