"""A stateless ``/ask`` HTTP endpoint for scripts and load tests (``gradio_client``).

It shares the chat's queue and concurrency group, so API callers and browser users wait in the
same line for the one model. The UI's own events are private; this is the public surface. An
answer is returned as ``answer_to_dict`` writes it, the same object as ``assistant ask --json``.
"""

from __future__ import annotations

from assistant.answer.present import answer_to_dict
from assistant.answer.types import Answer
from assistant.ui.chat import clean_question
from assistant.ui.services import UIServices


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
        return answer_to_dict(final)

    return ask
