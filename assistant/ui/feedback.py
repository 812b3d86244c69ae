"""Thumbs up/down with an optional comment, appended as one JSON line per vote.

With a shared catalog (several hosts, PostgreSQL) the votes go to the catalog's feedback table
instead, so that they are in one place whichever host the user reached.

A line carries what is needed to reproduce and judge the answer later (question, answer text,
citations, model, index fingerprint, prompt hashes, filters) and nothing else: no settings, no
environment, no credentials. Known secret values are also masked in free text, in case a user
pastes one into a comment.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.answer.present import answer_to_dict
from assistant.chat.session import ChatSession, TurnRecord
from assistant.index.catalog import CatalogError
from assistant.ui.labels import t

log = logging.getLogger(__name__)

Rating = Literal["up", "down"]
_MASK = "[redacted]"
_lock = threading.Lock()


_FEEDBACK_ANSWER_FIELDS = (
    "standalone_question",
    "refused",
    "refusal_reason",
    "language",
    "unsupported_sentences",
    "model",
    "prompt_hashes",
)


def _citations(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The cited passages by reference (the passage text is in the index, not the log)."""
    return [{k: v for k, v in c.items() if k != "passage"} for c in data["citations"]]


def feedback_record(
    record: TurnRecord,
    rating: Rating,
    comment: str,
    index_fingerprint: str,
    ui_lang: str,
) -> dict[str, Any]:
    """The JSON object written for one vote on one answered turn."""
    if record.answer is None:
        raise ValueError("feedback needs an answered turn")
    data = answer_to_dict(record.answer)
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "rating": rating,
        "comment": comment.strip(),
        "question": record.question,
        "answer": data["text"],
        **{name: data[name] for name in _FEEDBACK_ANSWER_FIELDS},
        "citations": _citations(data),
        "index_fingerprint": index_fingerprint,
        "filters": record.filters,
        "ui_language": ui_lang,
    }


def _mask(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, _MASK)
        return value
    if isinstance(value, list):
        return [_mask(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v, secrets) for k, v in value.items()}
    return value


def mask_secrets(entry: dict[str, Any], secrets: Iterable[str]) -> dict[str, Any]:
    """``entry`` with every known secret value (of four characters or more) masked."""
    return _mask(entry, sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True))


def append_feedback(path: Path, entry: dict[str, Any], secrets: Iterable[str] = ()) -> None:
    """Append ``entry`` as one line, with every known secret value masked."""
    masked = mask_secrets(entry, secrets)
    line = json.dumps(masked, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    log.info("Feedback (%s) saved to %s", entry.get("rating"), path)


class FeedbackCallbacks:
    """Votes from the feedback row (selected answer) and from the chat's own thumbs."""

    def __init__(
        self,
        path: Path,
        index_fingerprint: Callable[[], str],
        secrets: list[str],
        store: Callable[[dict[str, Any]], None] | None = None,
    ):
        self.path = path
        self.index_fingerprint = index_fingerprint
        self.secrets = secrets
        self.store = store  # the shared catalog's add_feedback; None: the JSON lines file

    def vote(
        self, rating: Rating, comment: str, session: ChatSession, ui_lang: str
    ) -> tuple[str, str]:
        """Record a vote on the selected answer; returns (status, cleared comment box)."""
        return self._record(session.selected_turn, rating, comment, session, ui_lang)

    def like(
        self, message_index: int, liked: bool, comment: str, session: ChatSession, ui_lang: str
    ) -> tuple[str, str]:
        """A thumb on a chat message; each turn is two messages (question, answer)."""
        rating: Rating = "up" if liked else "down"
        return self._record(message_index // 2, rating, comment, session, ui_lang)

    def _record(
        self,
        turn: int | None,
        rating: Rating,
        comment: str,
        session: ChatSession,
        ui_lang: str,
    ) -> tuple[str, str]:
        record = session.turn(turn)
        if record is None or record.answer is None:
            return t("feedback_nothing", ui_lang), comment
        entry = feedback_record(record, rating, comment or "", self.index_fingerprint(), ui_lang)
        try:
            if self.store is None:
                append_feedback(self.path, entry, self.secrets)
            else:
                self.store(mask_secrets(entry, self.secrets))
        except OSError as exc:
            log.error("Cannot write feedback to %s: %s", self.path, exc.strerror)
            return t("error_note", ui_lang), comment
        except CatalogError as exc:
            log.error("Cannot store feedback in the catalog: %s", exc)
            return t("error_note", ui_lang), comment
        return t("feedback_thanks", ui_lang), ""
