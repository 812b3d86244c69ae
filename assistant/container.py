"""The one composition root: every front door builds the assistant's parts from here.

``Container(settings)`` holds the services a front door needs, each built on first use and then
shared: the sentence-embedding service (one embedder for the index, retrieval, focusing and the
citation check), the index, the retriever, the chat model, the assistant, and the documents and
ingest services. The CLI commands, the app (``assistant.ui.services``), the evaluation and the
benchmarks ask it for what they use and construct nothing themselves; ``close`` releases the
index. Tests build ``AnswerPipeline`` directly with cheap fakes instead, or hand a fake embedder or
chat model to the container.

The chat model is loaded lazily, on the first question that needs it, and cached per process:
refusals, retrieval-only commands and the app's start-up do not wait for a gigabyte of weights.
``build_chat_model`` is the one function that makes it.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

from assistant.answer.confidence import SelectionCalibration
from assistant.answer.pipeline import AnsweringModel, AnswerPipeline
from assistant.answer.prompts import PromptLibrary
from assistant.config import Settings, get_settings, read_calibration
from assistant.models.lazy_model import LazyChatModel

if TYPE_CHECKING:
    from assistant.document_service import DocumentService, IngestService
    from assistant.index.store import HybridIndex
    from assistant.models.embedders import Embedder
    from assistant.retrieval.retriever import Retriever

logger = logging.getLogger(__name__)


class Container:
    """The assistant's services for one process, built lazily from ``settings``.

    ``embedder`` and ``chat_model`` replace the configured ones (tests, benchmarks that share
    one embedder between several indexes); ``rebuild`` starts a fresh index.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        chat_model: AnsweringModel | None = None,
        rebuild: bool = False,
    ) -> None:
        self.settings = settings or get_settings()
        self._given_embedder = embedder
        self._given_chat_model = chat_model
        self._rebuild = rebuild
        self._lock = threading.RLock()  # the app's threads may ask for a service at once

    @cached_property
    def embedder(self) -> Embedder:
        """The sentence-embedding service (the index adds its persistent embedding cache)."""
        from assistant.models.embedders import build_embedder

        with self._lock:
            return self._given_embedder or build_embedder(self.settings.embedder)

    @cached_property
    def index(self) -> HybridIndex:
        """The document index; raises ``IndexMismatchError`` for another embedder's index."""
        from assistant.index.factory import open_index

        with self._lock:
            return open_index(self.settings, self.embedder, rebuild=self._rebuild)

    @cached_property
    def retriever(self) -> Retriever:
        with self._lock:
            return self.new_retriever()

    def new_retriever(self) -> Retriever:
        """A retriever over the same index with empty query caches (benchmarks time cold
        searches); front doors use ``retriever``."""
        from assistant.retrieval.factory import build_retriever

        return build_retriever(self.settings, self.index)

    @cached_property
    def chat_model(self) -> AnsweringModel:
        with self._lock:
            return self._given_chat_model or build_chat_model(self.settings)

    @cached_property
    def prompts(self) -> PromptLibrary:
        return PromptLibrary(self.settings.paths.prompts_dir)

    @cached_property
    def assistant(self) -> AnswerPipeline:
        """Understand → retrieve → choose evidence → judge → compose or decline."""
        with self._lock:
            _check_calibration(self.settings, self.index.fingerprint)
            selection = SelectionCalibration.load(self.settings.paths.calibration_file)
            return AnswerPipeline(
                self.retriever,
                self.chat_model,
                self.embedder,
                self.prompts,
                self.settings,
                selection.confidence,
                selection.rank_weights,
            )

    @cached_property
    def documents(self) -> DocumentService:
        from assistant.document_service import DocumentService

        return DocumentService(self.index)

    @cached_property
    def ingest(self) -> IngestService:
        from assistant.document_service import IngestService

        return IngestService(self.index, self.settings)

    def close(self) -> None:
        """Close the index if it was opened (the model stays cached for the process)."""
        index = self.__dict__.pop("index", None)
        for name in ("retriever", "assistant", "documents", "ingest"):
            self.__dict__.pop(name, None)
        if index is not None:
            index.close()

    def __enter__(self) -> Container:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def build_chat_model(settings: Settings) -> AnsweringModel:
    """The configured chat model, loaded on its first use (see ``LazyChatModel``)."""
    return LazyChatModel(settings.llm, settings.paths.models_dir)


def _check_calibration(settings: Settings, index_fingerprint: str) -> None:
    """Warn when the refusal threshold was calibrated with another embedder.

    Cosine scales differ between embedders, so a threshold from one is meaningless for another;
    added documents, by contrast, leave the scale alone and need no new calibration.
    """
    recorded = read_calibration(settings.paths.calibration_file)
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
