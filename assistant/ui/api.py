"""A stateless ``/ask`` HTTP endpoint for scripts and load tests (``gradio_client``).

It shares the chat's queue and concurrency group, so API callers and browser users wait in the
same line for the one model. The UI's own events are private; this is the public surface. An
answer is returned as ``answer_to_dict`` writes it, the same object as ``assistant ask --json``.
The question comes in through the same front door as every other (``question_input``): an
over-long one is cut before it is embedded, an empty one is refused with the same message.
"""

from __future__ import annotations

from assistant.answer.present import answer_to_dict
from assistant.answer.question_input import EmptyQuestionError, read_question
from assistant.answer.types import Answer
from assistant.config import Settings
from assistant.ui.services import UIServices


def make_ask_endpoint(services: UIServices, settings: Settings):
    """The endpoint function; its type hints define the API's parameters."""

    def ask(question: str, language: str = "auto", doc_ids: list[str] | None = None) -> dict:
        """Answer one question (no conversation memory) from all or the given documents."""
        lang = language if language in ("zh", "en") else None
        try:
            read = read_question(question, settings.answer.max_question_chars, lang)
        except EmptyQuestionError as exc:
            return {"question": question, "error": exc.code, "message": str(exc)}
        final: Answer | None = None
        for item in services.assistant.stream(
            read.text, (), language=lang, doc_ids=list(doc_ids) if doc_ids else None, langs=None
        ):
            if isinstance(item, Answer):
                final = item
        if final is None:
            return {"question": question, "error": "no_answer"}
        payload = answer_to_dict(final)
        if read.cut:
            payload["warnings"] = [read.notice(lang), *payload["warnings"]]
        return payload

    return ask
