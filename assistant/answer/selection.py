"""The model chooses the evidence: which numbered candidate sentence answers the question, or
none.

A 1.5B model writes ungrounded answers easily but is much better at a choice. The reply is one
digit, kept to the options by a grammar; the model's probabilities of the options, read before
the grammar, are kept: the chosen option's probability and the probability of "0 = none" are
what refusal is calibrated on (``confidence.py``), because with greedy sampling a small model
almost never *says* "none".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.answer.candidates import Candidate
from assistant.answer.prompts import Prompt, PromptLibrary
from assistant.models.backends.base import ChatMessage

NONE = 0
MAX_CANDIDATES = 9  # one digit per option, "0" is none
SELECT_PROMPTS = ("select_system", "select")


class Chooser(Protocol):
    def choose(self, messages: list[ChatMessage], options: str) -> dict[str, float]: ...


@dataclass(frozen=True)
class Selection:
    """The model's choice among the candidates and the probabilities behind it."""

    candidates: tuple[Candidate, ...]
    probabilities: tuple[float, ...]  # index 0: none; index i: candidates[i - 1]
    prompts: tuple[Prompt, ...] = field(default=(), compare=False)

    @property
    def choice(self) -> int:
        """The most probable option (0 when none, or when there was nothing to choose)."""
        if not self.candidates:
            return NONE
        return max(range(len(self.probabilities)), key=self.probabilities.__getitem__)

    @property
    def chosen(self) -> Candidate | None:
        return self.candidates[self.choice - 1] if self.choice else None

    @property
    def p_none(self) -> float:
        return self.probabilities[NONE] if self.probabilities else 1.0

    @property
    def p_chosen(self) -> float:
        return self.probabilities[self.choice] if self.choice else 0.0


def select_evidence(
    question: str,
    candidates: Sequence[Candidate],
    chooser: Chooser,
    prompts: PromptLibrary,
    lang: str,
) -> Selection:
    """Ask the model which candidate answers ``question``; no candidates, no call."""
    candidates = tuple(candidates[:MAX_CANDIDATES])
    if not candidates:
        return Selection((), (1.0,))
    system, user = (prompts.get(name, lang) for name in SELECT_PROMPTS)
    listed = "\n".join(f"{i}. {_one_line(c.shown)}" for i, c in enumerate(candidates, 1))
    messages = [
        ChatMessage("system", system.text),
        ChatMessage("user", user.render(question=question, sentences=listed)),
    ]
    options = "".join(str(i) for i in range(len(candidates) + 1))
    probabilities = chooser.choose(messages, options)
    return Selection(
        candidates, tuple(probabilities.get(option, 0.0) for option in options), (system, user)
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
