"""A conversation's memory: the last few exchanges, handed to the assistant with each question.

Bounded because only the most recent turns help to rewrite a follow-up, and a longer history
only slows the model down. Shared by the terminal chat and the app (one per browser session).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from assistant.answer.types import Answer, Turn


@dataclass
class ChatSession:
    max_turns: int = 4
    _turns: deque[Turn] = field(init=False)

    def __post_init__(self) -> None:
        self._turns = deque(maxlen=max(0, self.max_turns))

    @property
    def history(self) -> tuple[Turn, ...]:
        """Earlier turns, oldest first, to pass as ``Assistant.ask(..., history=...)``."""
        return tuple(self._turns)

    def add(self, question: str, answer: str | Answer) -> None:
        """Remember an exchange; refusals are kept too (a follow-up may rephrase them)."""
        text = answer.text if isinstance(answer, Answer) else answer
        self._turns.append(Turn(question, text))

    def reset(self) -> None:
        self._turns.clear()

    def __len__(self) -> int:
        return len(self._turns)
