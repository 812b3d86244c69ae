"""The core services the UI calls, behind small protocols so that tests can hand in fakes.

The UI never reaches past these: answering goes through ``AnswerPipeline.stream``, the documents tab
through the documents service's ``documents``/``delete_document``, uploads through the ingest
service; ``build_services`` takes all three from ``assistant.container.Container``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.answer.types import Answer, RetrievedEvidence, Turn
from assistant.config import Settings
from assistant.index.catalog import DocumentInfo

if TYPE_CHECKING:
    from assistant.container import Container

ProgressFn = Callable[[float, str], None]


class AnswerService(Protocol):
    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        language: str | None = None,
        doc_ids: Sequence[str] | None = None,
        langs: Sequence[str] | None = None,
        evidence_events: bool = False,
    ) -> Iterator[str | RetrievedEvidence | Answer]:
        """Text deltas, then the final Answer; with ``evidence_events`` the evidence first."""
        ...


class DocumentIndex(Protocol):
    def documents(self) -> Sequence[DocumentInfo]: ...

    def delete_document(self, doc_id: str) -> Any: ...


class SharedRecords(Protocol):
    """What the app writes to the catalog besides documents (``assistant.index.catalog``)."""

    shared: bool  # other hosts read this catalog: feedback goes there instead of a local file

    def add_feedback(self, entry: dict[str, Any]) -> None: ...

    def audit(self, actor: str, action: str, target: str, detail: str = "") -> None: ...


class Ingestor(Protocol):
    def __call__(self, paths: list[Path], progress: ProgressFn | None = None) -> Any:
        """Ingest ``paths``; returns an IngestReport (added/updated/unchanged/failed...)."""
        ...


@dataclass
class UIServices:
    assistant: AnswerService
    documents: DocumentIndex
    ingest: Ingestor
    records: SharedRecords | None = None  # the catalog: the admin audit log, shared feedback

    def index_fingerprint(self) -> str:
        """The index version recorded with feedback; empty when the index does not say."""
        return str(getattr(self.documents, "fingerprint", "") or "")


def build_services(settings: Settings, container: Container | None = None) -> UIServices:
    """The app's services from the composition root: one index behind answering, the documents
    tab and uploads, so an upload or a deletion is seen by the next question at once."""
    from assistant.container import Container

    container = container or Container(settings)
    return UIServices(
        assistant=container.assistant,
        documents=container.documents,
        ingest=container.ingest,
        records=container.index.catalog,
    )
