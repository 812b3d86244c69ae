"""A conversation: its questions and answers, for follow-ups and for showing it again.

One type for every front door. The terminal chat adds each exchange and hands ``history`` to the
assistant; the app keeps one per browser tab in a ``gr.State`` (nothing here is shared between
users) and also records which answer's sources are on screen. The app's chat messages are always
rebuilt from this record, never read back from the browser, so a user cannot inject markup into
another message by editing the page.

The whole conversation is kept, because the app shows it; what answering sees is bounded
separately (``answer.history_turns``, see ``assistant.answer.understanding``): a follow-up is
resolved against the most recent turn, with the passages that turn's answer cited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.answer.types import Answer, RetrievedEvidence, Turn


@dataclass
class TurnRecord:
    """One question and, once it has been answered, its answer (or the error that stopped it)."""

    question: str
    answer: Answer | None = None
    error: str | None = None
    # what retrieval found, shown while the model is still reading (until the answer arrives)
    evidence: RetrievedEvidence | None = None
    filters: dict[str, object] = field(default_factory=dict)


@dataclass
class ChatSession:
    turns: list[TurnRecord] = field(default_factory=list)
    selected_turn: int | None = None  # the app: whose sources the panel shows
    selected_citation: int | None = None

    def add(self, question: str, answer: Answer) -> None:
        """Remember an answered exchange; refusals are kept too (a follow-up may rephrase)."""
        self.turns.append(TurnRecord(question=question, answer=answer))

    def history(self, max_turns: int | None = None) -> list[Turn]:
        """Earlier answered exchanges, oldest first (the last ``max_turns`` when given), to pass
        as ``AnswerPipeline.stream(..., history=...)``."""
        answered = [
            Turn(
                question=record.question,
                # a declined answer hands on only the sentence it quoted, the nearest thing
                # the documents say (its "closest passage" label is a file name, which "it"
                # in the next question never stands for)
                answer=record.answer.closest_sentence
                if record.answer.refused
                else record.answer.text,
                cited_chunk_ids=tuple(c.passage.chunk_id for c in record.answer.citations),
                standalone=record.answer.standalone_question,
            )
            for record in self.turns
            if record.answer is not None
        ]
        if max_turns is None:
            return answered
        return answered[-max_turns:] if max_turns > 0 else []

    def reset(self) -> None:
        """Start a new conversation."""
        self.turns.clear()
        self.selected_turn = self.selected_citation = None

    def turn(self, index: int | None) -> TurnRecord | None:
        if index is None or not 0 <= index < len(self.turns):
            return None
        return self.turns[index]

    def last_answered(self) -> int | None:
        for index in range(len(self.turns) - 1, -1, -1):
            if self.turns[index].answer is not None:
                return index
        return None
