"""What one browser session remembers: its questions and answers, and which answer is selected.

Held in a ``gr.State``, so each browser tab gets its own copy; nothing here is shared between
users. The chat messages shown are always rebuilt from this record, never read back from the
browser, so a user cannot inject markup into another message by editing the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.answer.types import Answer, Turn


@dataclass
class TurnRecord:
    """One question and, once it has been answered, its answer (or the error that stopped it)."""

    question: str
    answer: Answer | None = None
    error: str | None = None
    filters: dict[str, object] = field(default_factory=dict)


@dataclass
class ChatSession:
    turns: list[TurnRecord] = field(default_factory=list)
    selected_turn: int | None = None  # whose sources the panel shows
    selected_citation: int | None = None

    def history(self) -> list[Turn]:
        """Earlier answered exchanges, oldest first, for follow-up questions."""
        return [
            Turn(question=record.question, answer=record.answer.text)
            for record in self.turns
            if record.answer is not None
        ]

    def turn(self, index: int | None) -> TurnRecord | None:
        if index is None or not 0 <= index < len(self.turns):
            return None
        return self.turns[index]

    def last_answered(self) -> int | None:
        for index in range(len(self.turns) - 1, -1, -1):
            if self.turns[index].answer is not None:
                return index
        return None
