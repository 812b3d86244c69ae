"""What the API and the MCP tools need from the assistant, behind small protocols (tests hand
in fakes for logic, the real services for end-to-end checks); ``from_container`` takes them
from the composition root, so the API answers from the same index and model as the chat."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from assistant.answer.types import Answer, RetrievedEvidence, Turn
from assistant.config import Settings
from assistant.index.catalog import ChunkRecord, DocumentInfo
from assistant.schema import Passage

if TYPE_CHECKING:
    from assistant.container import Container


class Answering(Protocol):
    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        language: str | None = None,
        doc_ids: Sequence[str] | None = None,
        langs: Sequence[str] | None = None,
    ) -> Iterator[str | RetrievedEvidence | Answer]: ...


class Documents(Protocol):
    def documents(self) -> Sequence[DocumentInfo]: ...

    def resolve(self, names: Sequence[str]) -> list[str]:
        """Document ids for ids or file names; raises ``UnknownDocumentError``."""
        ...


class Search(Protocol):
    def search(
        self,
        query: str,
        top_k: int | None = None,
        *,
        langs: Sequence[str] | None = None,
        doc_ids: Sequence[str] | None = None,
    ) -> list[Passage]: ...


class PassageStore(Protocol):
    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, ChunkRecord]: ...

    def document_chunks(self, doc_id: str) -> list[ChunkRecord]: ...


@dataclass
class ApiServices:
    assistant: Answering
    documents: Documents
    retriever: Search
    passages: PassageStore
    settings: Settings

    @classmethod
    def from_container(cls, container: Container) -> ApiServices:
        return cls(
            assistant=container.assistant,
            documents=container.documents,
            retriever=container.retriever,
            passages=container.index,
            settings=container.settings,
        )
