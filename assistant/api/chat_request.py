"""An OpenAI chat-completions request read into what the assistant answers.

The last message must be the user's: it is the question, read through the one front door
(``question_input``). Earlier user and assistant messages pair up into the conversation's
``Turn``s, so a follow-up ("那次会议是哪天举行的？") is understood from them. An assistant
message this API wrote carries a sources block, which is cut off before it becomes history,
and may carry back its ``citations`` (the extra field of the reply), whose passages a follow-up
then looks in first. System and developer messages are ignored: the assistant's instructions
are its own, and a caller cannot replace them.

Extra parameters (OpenAI clients send them with ``extra_body``): ``language`` ("zh", "en",
"auto": the answer's language) and ``documents`` (document ids or file names to answer from).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.answer.question_input import (
    EmptyQuestionError,
    Question,
    clean_question,
    read_question,
)
from assistant.answer.types import Turn
from assistant.api.errors import ApiError
from assistant.api.services import Documents
from assistant.document_service import UnknownDocumentError
from assistant.export.markdown import sources_heading


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None


class _ChatRequest(BaseModel):
    """The fields this API reads; OpenAI's sampling parameters are accepted and ignored (the
    answer is chosen from the documents, not sampled)."""

    model_config = ConfigDict(extra="allow")

    model: str
    messages: list[_Message] = Field(min_length=1)
    stream: bool = False
    language: Literal["auto", "zh", "en"] = "auto"
    documents: list[str] | None = None


@dataclass(frozen=True)
class ChatQuery:
    model: str
    question: Question
    history: list[Turn]
    language: str | None  # None: the question's own
    doc_ids: list[str] | None
    stream: bool


def read_chat_request(body: object, limit: int, documents: Documents) -> ChatQuery:
    """The query in ``body``, or an ``ApiError`` (400) that names the field at fault."""
    try:
        request = _ChatRequest.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(part) for part in first["loc"]) or None
        raise ApiError(400, f"{param}: {first['msg']}", "invalid_request", param) from exc
    last = request.messages[-1]
    if last.role != "user":
        raise ApiError(
            400, "The last message must be the user's question.", "invalid_request", "messages"
        )
    language = None if request.language == "auto" else request.language
    try:
        question = read_question(_text(last.content), limit, language)
    except EmptyQuestionError as exc:
        raise ApiError(400, str(exc), exc.code, "messages") from exc
    return ChatQuery(
        model=request.model,
        question=question,
        history=_history(request.messages[:-1]),
        language=language,
        doc_ids=_doc_ids(request.documents, documents),
        stream=request.stream,
    )


def _text(content: str | list[dict[str, Any]] | None) -> str:
    """A message's text: the string, or its text parts joined (images are not read)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(str(part.get("text", "")) for part in content if part.get("type") == "text")


def _history(messages: Sequence[_Message]) -> list[Turn]:
    """Each user message with the assistant message that answered it, oldest first."""
    turns: list[Turn] = []
    question: str | None = None
    for message in messages:
        if message.role == "user":
            question = clean_question(_text(message.content))
        elif message.role == "assistant" and question:
            extra = message.model_extra or {}
            turns.append(
                Turn(
                    question=question,
                    answer=without_sources(_text(message.content)),
                    cited_chunk_ids=_cited_chunk_ids(extra.get("citations")),
                )
            )
            question = None
    return turns


def without_sources(text: str) -> str:
    """An assistant message without the sources block this API appended to it."""
    for lang in ("en", "zh"):
        head, found, _tail = text.partition(f"\n\n{sources_heading(lang)}\n")
        if found:
            return head.strip()
    return text.strip()


def _cited_chunk_ids(citations: object) -> tuple[str, ...]:
    if not isinstance(citations, list):
        return ()
    return tuple(str(c["chunk_id"]) for c in citations if isinstance(c, dict) and c.get("chunk_id"))


def _doc_ids(names: list[str] | None, documents: Documents) -> list[str] | None:
    if not names:
        return None
    try:
        return documents.resolve(names)
    except UnknownDocumentError as exc:
        raise ApiError(400, str(exc), "unknown_document", "documents") from exc
