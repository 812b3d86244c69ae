"""The one place that wires the assistant together from settings.

Front doors (CLI, app, evaluation) call ``build_assistant`` and never construct components
themselves; tests build ``Assistant`` directly with cheap fakes instead. The chat model is
loaded lazily, on the first question that needs it, and cached per process: refusals and the
app's start-up do not wait for a gigabyte of weights.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from assistant.answer.assistant import Assistant
from assistant.answer.calibration import load_calibration
from assistant.answer.prompts import PromptLibrary
from assistant.config import LLMSettings, Settings, get_settings
from assistant.models.backends.base import ChatMessage, ChatModel, GenerationParams

logger = logging.getLogger(__name__)


class LazyChatModel:
    """A ``ChatModel`` that loads the real one on first use (thread-safe)."""

    def __init__(self, settings: LLMSettings, models_dir: Path) -> None:
        self._settings = settings
        self._models_dir = Path(models_dir)
        self._model: ChatModel | None = None
        self._lock = threading.Lock()
        self.name = settings.model if settings.backend != "openai" else settings.openai_model

    @property
    def loaded(self) -> ChatModel:
        with self._lock:
            if self._model is None:
                self._model = _load_model(self._settings.model_dump_json(), str(self._models_dir))
                self.name = self._model.name
        return self._model

    @property
    def fingerprint(self) -> str:
        return self.loaded.fingerprint

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        return self.loaded.stream(messages, params)

    def count_tokens(self, text: str) -> int:
        return self.loaded.count_tokens(text)

    def warm_up(self) -> None:
        """Load the model (and start its engine) now, so the first question does not wait."""
        try:
            self.count_tokens("warm up")
        except Exception:  # the first question will report it with its own message
            logger.warning("the chat model could not be started ahead of time", exc_info=True)


@lru_cache(maxsize=2)
def _load_model(llm_settings_json: str, models_dir: str) -> ChatModel:
    """One loaded model per distinct configuration, for the whole process."""
    from assistant.models.factory import load_chat_model

    settings = LLMSettings.model_validate_json(llm_settings_json)
    logger.info("loading chat model %s", settings.model)
    return load_chat_model(settings, Path(models_dir))


def build_assistant(settings: Settings | None = None) -> Assistant:
    """An ``Assistant`` over the configured index, embedder, prompts and (lazy) model."""
    from assistant.index.factory import build_retriever, open_index

    settings = settings or get_settings()
    index = open_index(settings)
    _check_calibration(settings, index.fingerprint)
    retriever = build_retriever(settings, index)
    model = LazyChatModel(settings.llm, settings.paths.models_dir)
    prompts = PromptLibrary(settings.paths.prompts_dir)
    return Assistant(retriever, model, index.query_embedder, prompts, settings)


def _check_calibration(settings: Settings, index_fingerprint: str) -> None:
    """Warn when the refusal threshold was calibrated with another embedder.

    Cosine scales differ between embedders, so a threshold from one is meaningless for another;
    added documents, by contrast, leave the scale alone and need no new calibration.
    """
    recorded = load_calibration(settings.paths.evals_dir / "calibration.json")
    if not recorded or not recorded.get("index_fingerprint"):
        return
    embedder_then = str(recorded["index_fingerprint"]).split(":", 1)[0]
    embedder_now = index_fingerprint.split(":", 1)[0]
    if embedder_then != embedder_now:
        logger.warning(
            "the refusal threshold was calibrated with embedder %s, the index uses %s: "
            "run `assistant calibrate evals/dev.jsonl`",
            embedder_then,
            embedder_now,
        )
