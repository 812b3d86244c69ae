"""Chat callbacks: take a question, stream its answer, select citations, new conversation.

Each callback takes plain values (the question, the session, the filter controls) and returns
plain values (messages, panel HTML, status text), so tests call them directly with a fake
assistant. Asking is split in two steps: ``add_question`` runs at once (outside the queue) so the
question shows immediately, and ``stream_answer`` runs in the queue, as many at a time as the
engine has slots, while Gradio shows each waiting user their place in the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.answer.question_input import (
    EmptyQuestionError,
    empty_question_message,
    read_question,
)
from assistant.answer.types import Answer, RetrievedEvidence
from assistant.chat.session import ChatSession, TurnRecord
from assistant.config import Settings
from assistant.models.backends.engine_backend import EngineCrashedError
from assistant.ui.citations import answer_plain_text
from assistant.ui.filters import resolve_filters
from assistant.ui.labels import t
from assistant.ui.messages import Message, render_messages
from assistant.ui.services import UIServices
from assistant.ui.sources_panel import empty_panel, render_sources

log = logging.getLogger(__name__)

StreamUpdate = tuple[list[Message], str, ChatSession, str, str]


class ChatCallbacks:
    def __init__(self, services: UIServices, settings: Settings) -> None:
        self.services = services
        self.settings = settings

    def add_question(
        self, question: str, session: ChatSession, ui_lang: str
    ) -> tuple[str, list[Message], ChatSession, str]:
        """Put a non-empty question into the session; else keep the textbox and say why.

        The question is read through the one front door (``question_input``) here, before
        anything renders, stores or embeds it: one pasted book must not hold the queue, and
        follow-ups must not carry it into every later prompt.
        """
        try:
            read = read_question(question, self.settings.answer.max_question_chars, ui_lang)
        except EmptyQuestionError as exc:
            return question or "", render_messages(session, ui_lang), session, str(exc)
        text, status = read.text, read.notice(ui_lang)
        session.turns.append(TurnRecord(question=text))
        return "", render_messages(session, ui_lang), session, status

    def stream_answer(
        self,
        session: ChatSession,
        ui_lang: str,
        scope: str | None,
        selected_docs: Sequence[str] | None,
        doc_lang: str | None,
        answer_lang: str | None,
    ) -> Iterator[StreamUpdate]:
        """Answer the oldest unanswered question, yielding the chat as the text streams in."""
        pending = [i for i, r in enumerate(session.turns) if r.answer is None and r.error is None]
        if not pending:
            yield self._snapshot(session, ui_lang, "")
            return
        index = pending[0]
        record = session.turns[index]
        filters = resolve_filters(scope, selected_docs, doc_lang, answer_lang, ui_lang)
        record.filters = filters.as_record()
        status = filters.note or ""
        history = session.history(self.settings.answer.history_turns)
        text = ""
        yield self._snapshot(session, ui_lang, status, streaming=index)
        try:
            for item in self.services.assistant.stream(
                record.question,
                history,
                language=filters.language,
                doc_ids=filters.doc_ids,
                langs=filters.langs,
                evidence_events=True,
            ):
                if isinstance(item, Answer):
                    record.answer = item
                    break
                if isinstance(item, RetrievedEvidence):
                    record.evidence = item
                    yield self._snapshot(session, ui_lang, status, partial=text, streaming=index)
                    continue
                text += item
                yield self._snapshot(session, ui_lang, status, partial=text, streaming=index)
        except EmptyQuestionError:
            session.turns.pop(index)
            yield self._snapshot(session, ui_lang, empty_question_message(ui_lang))
            return
        except EngineCrashedError:
            log.warning("The engine died while answering; the user is asked to ask again.")
            record.error = t("engine_restarted", ui_lang)
        except Exception:
            log.exception("Answering failed for a question of %d characters", len(record.question))
            record.error = t("error_note", ui_lang)
        if record.answer is None and record.error is None:
            log.error("The assistant stream ended without a final Answer.")
            record.error = t("error_note", ui_lang)
        if record.answer is not None:
            session.selected_turn = index
            session.selected_citation = None
            status = " ".join([status, *record.answer.warnings]).strip()
        yield self._snapshot(session, ui_lang, status)

    def _snapshot(
        self,
        session: ChatSession,
        ui_lang: str,
        status: str,
        partial: str | None = None,
        streaming: int | None = None,
    ) -> StreamUpdate:
        messages = render_messages(session, ui_lang, partial, streaming)
        return messages, render_sources(session, ui_lang), session, status, copy_text(session)

    def new_conversation(
        self, ui_lang: str
    ) -> tuple[list[Message], str, ChatSession, str, str, str]:
        """Forget the conversation (the next question is not a follow-up)."""
        return [], empty_panel(ui_lang), ChatSession(), "", "", ""

    def select_citation(
        self, session: ChatSession, ui_lang: str, data: dict[str, Any] | None
    ) -> tuple[str, ChatSession, str]:
        """Show turn ``data["turn"]``'s sources with citation ``data["n"]`` selected."""
        try:
            turn = int((data or {}).get("turn", -1))
            number = int((data or {}).get("n", -1))
        except (TypeError, ValueError):
            turn, number = -1, -1
        record = session.turn(turn)
        if record is not None and record.answer is not None:
            session.selected_turn = turn
            session.selected_citation = number
        return render_sources(session, ui_lang, focused=True), session, copy_text(session)

    def rerender(self, session: ChatSession, ui_lang: str) -> tuple[list[Message], str]:
        """The chat and the panel again, after a change of interface language."""
        return render_messages(session, ui_lang), render_sources(session, ui_lang)


def copy_text(session: ChatSession) -> str:
    """Plain text of the selected answer, for the "copy answer" button."""
    record = session.turn(session.selected_turn)
    if record is None or record.answer is None:
        return ""
    return answer_plain_text(record.answer)
