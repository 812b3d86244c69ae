"""A chat model that loads on first use, so start-up and refusals never wait for the weights.

Refusals, retrieval-only commands and the app's start-up need no model; the first question that
does loads it (and starts its engine) once per process and configuration.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from assistant.config import LLMSettings
from assistant.models.backends.base import BackendError, ChatMessage, ChatModel, GenerationParams

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

    def choose(self, messages: list[ChatMessage], options: str) -> dict[str, float]:
        chooser = self.loaded
        if not hasattr(chooser, "choose"):
            raise BackendError(
                f"the {self._settings.backend!r} backend cannot choose evidence; "
                "use the engine or an OpenAI-compatible server"
            )
        return chooser.choose(messages, options)

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
