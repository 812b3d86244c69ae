"""A transformers model directory, for models with no GGUF build (CPU here, GPU where present).

torch and transformers are an optional extra (``pip install 'assistant[transformers]'``, which
pins the CPU build torch==2.13.0), imported only when this backend is chosen so the default
install stays lean. Generation runs in a worker thread and ``TextIteratorStreamer`` hands text
back as it is decoded; the tokenizer's own chat template builds the prompt.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.models.backends.base import BackendError, ChatMessage, GenerationParams
from assistant.models.backends.control_tokens import defuse_control_tokens
from assistant.models.backends.stops import apply_stops

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'assistant[transformers]' (torch==2.13.0 CPU build + transformers)"


def _import_transformers() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise BackendError(
            f"the transformers backend needs torch and transformers ({exc.name} is missing): "
            f"{INSTALL_HINT}"
        ) from exc
    return torch, transformers


class TransformersChatModel:
    """A causal LM loaded from a local directory (never from a hub)."""

    def __init__(self, model_dir: Path, *, device: str | None = None) -> None:
        self._torch, self._tf = _import_transformers()
        self.path = Path(model_dir)
        if not (self.path / "config.json").is_file():
            raise BackendError(
                f"{self.path} is not a transformers model directory (no config.json)"
            )
        self.name = self.path.name
        self.fingerprint = _directory_fingerprint(self.path)
        self.device = device or ("cuda" if self._torch.cuda.is_available() else "cpu")
        self._tokenizer = self._tf.AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        self._model = self._tf.AutoModelForCausalLM.from_pretrained(
            self.path, local_files_only=True, torch_dtype="auto"
        ).to(self.device)
        self._model.eval()
        self._lock = threading.Lock()
        log.info("loaded transformers model %s on %s", self.path, self.device)

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        with self._lock:
            yield from apply_stops(self._generate(messages, params), params.stop)

    def _generate(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        inputs = self._tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in defuse_control_tokens(messages)],
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        ).to(self.device)
        streamer = self._tf.TextIteratorStreamer(
            self._tokenizer, skip_prompt=True, skip_special_tokens=True
        )
        self._torch.manual_seed(params.seed)
        sampling = (
            {"do_sample": True, "temperature": params.temperature}
            if params.temperature > 0
            else {"do_sample": False}
        )
        cancelled = threading.Event()

        stopping_criteria: Any = self._tf.StoppingCriteria

        class _StopWhenCancelled(stopping_criteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return cancelled.is_set()

        kwargs = {
            **inputs,
            "streamer": streamer,
            "max_new_tokens": params.max_tokens,
            "stopping_criteria": self._tf.StoppingCriteriaList([_StopWhenCancelled()]),
            **sampling,
        }
        failure: list[BaseException] = []

        def run() -> None:
            try:
                with self._torch.inference_mode():
                    self._model.generate(**kwargs)
            except BaseException as exc:  # surfaced in the caller's thread below
                failure.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, name="transformers-generate", daemon=True)
        worker.start()
        try:
            for text in streamer:
                if text:
                    yield text
        finally:
            cancelled.set()  # a caller that stops reading also stops the worker
            worker.join()
        if failure:
            raise BackendError(f"transformers generation failed: {failure[0]}") from failure[0]

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))


def _directory_fingerprint(path: Path) -> str:
    """Names and sizes of the weight files: cheap, and changes whenever the weights do."""
    digest = hashlib.sha256()
    for file in sorted(path.iterdir()):
        if file.is_file():
            digest.update(f"{file.name}:{file.stat().st_size}\n".encode())
    return f"transformers:{digest.hexdigest()[:16]}"
