"""The documents and ingest services: what front doors do with the indexed documents.

Both sit over the one index the container opens, so an upload in the app or a deletion is seen
by the next question at once, and the CLI and the app resolve ``--doc``-style names the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.config import Settings
from assistant.index.catalog import DocumentInfo
from assistant.index.store import HybridIndex
from assistant.ingest.pipeline import IngestReport, ingest_paths

Progress = Callable[[float, str], None]


class UnknownDocumentError(LookupError):
    """A document name matches no indexed document; the message names it."""


class DocumentService:
    """List, find and delete indexed documents."""

    def __init__(self, index: HybridIndex) -> None:
        self._index = index

    @property
    def fingerprint(self) -> str:
        """The index version (recorded with feedback and evaluation runs)."""
        return self._index.fingerprint

    def documents(self) -> list[DocumentInfo]:
        return self._index.documents()

    def delete_document(self, doc_id: str) -> None:
        self._index.delete_document(doc_id)

    def resolve(self, names: Sequence[str]) -> list[str]:
        """Document ids for ``names``, each a document id or a plain file name."""
        documents = self.documents()
        found: list[str] = []
        for name in names:
            matches = [d.doc_id for d in documents if name in (d.doc_id, d.source)]
            if not matches:
                raise UnknownDocumentError(f"no indexed document named {name!r}")
            found.extend(matches)
        return found


class IngestService:
    """Bring the index in step with files on disk (``assistant.ingest.pipeline``)."""

    def __init__(self, index: HybridIndex, settings: Settings) -> None:
        self._index = index
        self._settings = settings

    def __call__(
        self, paths: Sequence[Path | str], progress: Progress | None = None
    ) -> IngestReport:
        return ingest_paths(paths, self._index, self._settings, progress=progress)
