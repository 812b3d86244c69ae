"""A stateless ``/ask`` HTTP endpoint for scripts and load tests (``gradio_client``).

It shares the chat's queue and concurrency group, so API callers and browser users wait in the
same line for the one model. The UI's own events are private; this is the public surface.
"""

from __future__ import annotations

from typing import Any

from assistant.answer.types import Answer
from assistant.ui.chat import clean_question
from assistant.ui.services import UIServices


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The answer as JSON: text with [n] markers, the cited passages, refusal, model, timings."""
    return {
        "question": answer.question,
        "text": answer.text,
        "language": answer.language,
        "refused": answer.refused,
        "refusal_reason": answer.refusal_reason,
        "citations": [
            {
                "number": c.number,
                "doc_id": c.passage.doc_id,
                "source": c.passage.source,
                "title": c.passage.title,
                "symbol": c.passage.symbol,
                "paragraph": c.passage.paragraph,
                "page": c.passage.page,
                "text": c.passage.text,
                "supporting_sentences": c.supporting_sentences,
            }
            for c in answer.citations
        ],
        "unsupported_sentences": answer.unsupported_sentences,
        "model": answer.model,
        "timings": answer.timings,
    }


def make_ask_endpoint(services: UIServices):
    """The endpoint function; its type hints define the API's parameters."""

    def ask(question: str, language: str = "auto", doc_ids: list[str] | None = None) -> dict:
        """Answer one question (no conversation memory) from all or the given documents."""
        text = clean_question(question)
        if not text:
            return {"question": question, "error": "empty_question"}
        final: Answer | None = None
        for item in services.assistant.stream(
            text,
            (),
            language=language if language in ("zh", "en") else None,
            doc_ids=list(doc_ids) if doc_ids else None,
            langs=None,
        ):
            if isinstance(item, Answer):
                final = item
        if final is None:
            return {"question": question, "error": "no_answer"}
        return answer_payload(final)

    return ask
