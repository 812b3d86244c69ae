"""The core services the UI calls, behind small protocols so that tests can hand in fakes.

The UI never reaches past these: answering goes through ``Assistant.stream``, the documents tab
through the index's ``documents``/``delete_document``, uploads through ``ingest_paths``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant.answer.types import Answer, Turn
from assistant.config import Settings

log = logging.getLogger(__name__)

ProgressFn = Callable[[float, str], None]


class AnswerService(Protocol):
    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        language: str | None = None,
        doc_ids: list[str] | None = None,
        langs: list[str] | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas, then the final Answer."""
        ...


class DocumentInfoLike(Protocol):
    doc_id: str
    source: str
    title: str
    lang: str
    symbol: str | None
    chunk_count: int


class DocumentIndex(Protocol):
    def documents(self) -> Sequence[DocumentInfoLike]: ...

    def delete_document(self, doc_id: str) -> Any: ...


class Ingestor(Protocol):
    def __call__(self, paths: list[Path], progress: ProgressFn | None = None) -> Any:
        """Ingest ``paths``; returns an IngestReport (added/updated/unchanged/failed...)."""
        ...


@dataclass
class UIServices:
    assistant: AnswerService
    index: DocumentIndex
    ingest: Ingestor

    def index_fingerprint(self) -> str:
        """The index version recorded with feedback; empty when the index does not say."""
        return str(getattr(self.index, "fingerprint", "") or "")


def build_services(settings: Settings) -> UIServices:
    """Wire the real assistant, index and ingestion from settings (one model, one index)."""
    from assistant.container import build_assistant
    from assistant.index.factory import open_index
    from assistant.ingest.pipeline import ingest_paths

    assistant = build_assistant(settings)
    index = _shared_index(assistant) or open_index(settings)

    def ingest(paths: list[Path], progress: ProgressFn | None = None) -> Any:
        return ingest_paths(paths, index, settings, progress=progress)

    return UIServices(assistant=assistant, index=index, ingest=ingest)


def _shared_index(assistant: object) -> DocumentIndex | None:
    """The index the assistant already searches, so uploads and deletions are seen at once."""
    for path in ("index", "retriever.index"):
        obj: object | None = assistant
        for name in path.split("."):
            obj = getattr(obj, name, None)
        if obj is not None and hasattr(obj, "documents") and hasattr(obj, "delete_document"):
            return obj  # type: ignore[return-value]
    log.warning("The assistant does not expose its index; the app opens a second handle.")
    return None
