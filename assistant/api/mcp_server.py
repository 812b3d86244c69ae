"""The MCP server: the assistant as three read-only tools for assistants and agents.

- ``search_documents``: ranked passages with their references (the same passages, in the same
  order, as ``assistant search --json``);
- ``ask``: a grounded answer with its citations (the same answer as the chat and the API);
- ``get_passage``: one passage by id, with its neighbours in the document, to read around a
  citation.

Nothing here writes: the tools cannot ingest, delete or change settings. One ``MCPServer``
serves both transports: stdio (``assistant mcp``, for a client that starts the assistant as a
subprocess) and streamable HTTP at ``/mcp`` on the app (``http_app``, behind the API's keys).
Questions and queries come in through the one front door (``question_input``); answers take an
answer slot from the same gate as the API, so agents cannot crowd out the chat's model.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from assistant.answer.present import answer_to_dict, citation_to_dict, passage_to_dict
from assistant.answer.question_input import EmptyQuestionError, read_question
from assistant.answer.types import Answer, RetrievedEvidence
from assistant.api.admission import AnswerGate, Overloaded
from assistant.api.openai_format import reply_text
from assistant.api.services import ApiServices
from assistant.document_service import UnknownDocumentError
from assistant.index.catalog import ChunkRecord

log = logging.getLogger(__name__)

SERVER_NAME = "un-docs-assistant"
_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)
_MAX_TOP_K = 50
_MAX_NEIGHBOURS = 5
_INSTRUCTIONS = (
    "Search and cite United Nations documents in Chinese and English. Use search_documents to "
    "find passages, ask for an answer composed from cited sentences, get_passage to read a "
    "passage and its neighbours. Cite passages by their label (UN symbol, ¶, page)."
)


class AssistantTools:
    """The tools' behaviour, as plain methods (tests call them directly too)."""

    def __init__(self, services: ApiServices, gate: AnswerGate) -> None:
        self.services = services
        self.gate = gate
        self.limit = services.settings.answer.max_question_chars

    def _read(self, text: str, lang: str | None = None) -> str:
        try:
            return read_question(text, self.limit, lang).text
        except EmptyQuestionError as exc:
            raise ToolError(str(exc)) from exc

    def _doc_ids(self, documents: list[str] | None) -> list[str] | None:
        if not documents:
            return None
        try:
            return self.services.documents.resolve(documents)
        except UnknownDocumentError as exc:
            raise ToolError(str(exc)) from exc

    def search_documents(
        self,
        query: str,
        top_k: int | None = None,
        language: Literal["zh", "en"] | None = None,
        documents: list[str] | None = None,
    ) -> dict[str, Any]:
        """Passages of the indexed UN documents that best match ``query`` (Chinese or
        English), best first, each with its reference (UN symbol, paragraph, page, file) and
        text. ``top_k``: how many (default: the server's setting); ``language``: only
        passages in "zh" or "en"; ``documents``: only these documents (ids or file names)."""
        text = self._read(query)
        if top_k is not None and not 1 <= top_k <= _MAX_TOP_K:
            raise ToolError(f"top_k must be between 1 and {_MAX_TOP_K}")
        passages = self.services.retriever.search(
            text,
            top_k,
            langs=[language] if language else None,
            doc_ids=self._doc_ids(documents),
        )
        return {
            "query": text,
            "passages": [passage_to_dict(rank, p) for rank, p in enumerate(passages, start=1)],
        }

    def ask(
        self,
        question: str,
        language: Literal["auto", "zh", "en"] = "auto",
        documents: list[str] | None = None,
    ) -> dict[str, Any]:
        """Answer ``question`` from the indexed UN documents. The answer is composed from
        sentences of the documents, with [n] markers; ``citations`` gives each [n]'s document,
        UN symbol, paragraph, page and the supporting sentence. When the documents do not
        answer, ``refused`` is true and there are no citations. ``language``: the answer's
        language ("auto": the question's); ``documents``: answer only from these."""
        lang = None if language == "auto" else language
        text = self._read(question, lang)
        doc_ids = self._doc_ids(documents)
        try:
            self.gate.acquire()
        except Overloaded as exc:
            raise ToolError("The assistant is busy; try again in a few seconds.") from exc
        try:
            answer = _final(
                self.services.assistant.stream(text, (), language=lang, doc_ids=doc_ids)
            )
        except ToolError:
            raise
        except Exception as exc:  # the caller is told plainly; the details stay in the log
            log.error("The ask tool failed", exc_info=exc)
            raise ToolError("The assistant could not answer; the error is logged.") from exc
        finally:
            self.gate.release()
        full = answer_to_dict(answer)
        return {
            "question": answer.question,
            "answer": reply_text(answer),
            "text": answer.text,
            "language": answer.language,
            "refused": answer.refused,
            "citations": [citation_to_dict(c) for c in answer.citations],
            "warnings": full["warnings"],
        }

    def get_passage(self, chunk_id: str, neighbours: int = 1) -> dict[str, Any]:
        """The passage ``chunk_id`` (as returned by search_documents or in a citation) with up
        to ``neighbours`` passages before and after it in its document, in reading order."""
        if not 0 <= neighbours <= _MAX_NEIGHBOURS:
            raise ToolError(f"neighbours must be between 0 and {_MAX_NEIGHBOURS}")
        record = self.services.passages.chunks([chunk_id.strip()]).get(chunk_id.strip())
        if record is None:
            raise ToolError(
                f"no passage with id {chunk_id!r}: use a chunk_id from search_documents or ask"
            )
        siblings = self.services.passages.document_chunks(record.doc_id)
        position = next(i for i, r in enumerate(siblings) if r.chunk_id == record.chunk_id)
        before = siblings[max(0, position - neighbours) : position]
        after = siblings[position + 1 : position + 1 + neighbours]
        return {
            "passage": _passage(record),
            "before": [_passage(r) for r in before],
            "after": [_passage(r) for r in after],
        }


def _passage(record: ChunkRecord) -> dict[str, Any]:
    data = passage_to_dict(0, record.passage(0.0))
    for key in ("rank", "scores"):
        data.pop(key)
    data["position"] = record.index
    return data


def _final(items: Iterator[str | RetrievedEvidence | Answer]) -> Answer:
    final = None
    for item in items:
        if isinstance(item, Answer):
            final = item
    if final is None:
        raise RuntimeError("the assistant's stream ended without an answer")
    return final


def build_mcp_server(services: ApiServices, gate: AnswerGate) -> MCPServer:
    """The MCP server with the three tools registered, read-only."""
    tools = AssistantTools(services, gate)
    server: MCPServer = MCPServer(
        SERVER_NAME, title="UN documents assistant", instructions=_INSTRUCTIONS
    )
    for fn in (tools.search_documents, tools.ask, tools.get_passage):
        server.add_tool(fn, annotations=_READ_ONLY, structured_output=True)
    return server
