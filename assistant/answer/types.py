"""What the answering pipeline returns: an answer, its verified citations and its timings."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.schema import Language, Passage


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation: what a follow-up question is resolved against.

    ``cited_chunk_ids`` are the passages the answer cited (the first place to look for what a
    follow-up refers to); ``standalone`` is how the question itself was understood, when it was
    a follow-up too, so a chain of follow-ups keeps its subject.
    """

    question: str
    answer: str
    cited_chunk_ids: tuple[str, ...] = ()
    standalone: str | None = None


@dataclass
class Citation:
    """A passage the answer cites, with the exact evidence for highlighting."""

    number: int  # the [n] marker as it appears in Answer.text
    passage: Passage
    supporting_sentences: list[str] = field(default_factory=list)  # verbatim from passage.text
    answer_sentences: list[str] = field(default_factory=list)  # answer sentences citing it


@dataclass(frozen=True)
class EvidenceSentence:
    """A sentence of a retrieved passage that matches (a part of) the question."""

    text: str  # verbatim from the passage (or the passage as shown, when no sentence matched)
    passage: Passage  # its document, symbol, paragraph and page: ``passage.label``
    part: str  # the part of the question it matches ("" when not known)


@dataclass(frozen=True)
class RetrievedEvidence:
    """Streamed before generation starts: what the documents say, shown while the model reads."""

    sentences: list[EvidenceSentence]


@dataclass(frozen=True)
class PromptPassage:
    """A passage as the model saw it: its [n], its chunk, and the text shown (focused or cut),
    so that evaluation can tell "retrieved but not shown" from "shown but not used"."""

    number: int
    chunk_id: str
    text: str


@dataclass
class Answer:
    question: str
    text: str
    language: Language
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    refusal_reason: str | None = None  # "no_relevant_passages" | "model_declined" | ...
    standalone_question: str | None = None  # the follow-up rewritten, when it was
    passages: list[Passage] = field(default_factory=list)  # retrieved, in rank order
    prompt_passages: list[PromptPassage] = field(default_factory=list)  # packed into the prompt
    unsupported_sentences: list[str] = field(default_factory=list)  # flagged, not grounded
    timings: dict[str, float] = field(default_factory=dict)  # seconds: retrieve, ttft, total...
    model: str = ""
    prompt_hashes: dict[str, str] = field(default_factory=dict)
    relevance: dict[str, float] = field(default_factory=dict)  # evidence behind the refusal call
    raw_text: str = ""  # what the model wrote: its translations of the chosen sentences
    warnings: list[str] = field(default_factory=list)  # e.g. the question was truncated
    # The evidence choice: candidates shown to the model, its probabilities, the calibrated
    # confidence and the decision (selection.py, confidence.py).
    selection: dict[str, object] = field(default_factory=dict)
    confidence: float | None = None
    closest_sentence: str = ""  # declined: the nearest sentence found, shown but not cited
