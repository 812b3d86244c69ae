"""How a message is understood within its conversation: alone, or as a follow-up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.types import Turn


@dataclass(frozen=True)
class Understanding:
    question: str  # what the answer is chosen for
    query: str  # what is searched
    display: str  # how the question was understood, shown to the user for a follow-up
    followup: bool = False
    carried_chunk_ids: frozenset[str] = frozenset()


def understand(question: str, history: Sequence[Turn]) -> Understanding:
    return Understanding(question, question, question)
