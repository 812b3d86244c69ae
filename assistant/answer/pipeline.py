"""The answering service: a question in, an answer composed from cited sentences out.

One pass reads as its steps::

    understand (follow-ups) → retrieve → relevance filter → candidate sentences
      → the model chooses one (or none) → calibrated confidence → compose (or decline)

The model *selects* the evidence and the code *composes* the answer from it: every figure and
term shown comes from a chosen sentence, which is its citation (``compose.py``). Refusal is a
calibrated judgment on the choice (``confidence.py``), not a rule about the question's words.
Every step is a function in its own module with plain inputs and outputs; this class only
sequences them, times them and streams the answer as it is written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

from assistant.answer.candidates import Candidate, RankWeights, candidate_sentences
from assistant.answer.compose import Composer, Composition, chosen_sentences
from assistant.answer.confidence import ConfidenceModel, Judgment, uncalibrated_judgment
from assistant.answer.evidence import SentenceVectors
from assistant.answer.language import answer_language, in_question_script
from assistant.answer.prompts import PromptLibrary, record
from assistant.answer.question_input import EmptyQuestionError as EmptyQuestionError
from assistant.answer.question_input import read_question
from assistant.answer.refusal import relevance, should_refuse
from assistant.answer.selection import Chooser, Selection, select_evidence
from assistant.answer.support import SupportChecker, SupportThresholds
from assistant.answer.types import (
    Answer,
    Citation,
    EvidenceSentence,
    PromptPassage,
    RetrievedEvidence,
    Turn,
)
from assistant.answer.understanding import Understanding, understand
from assistant.config import Settings
from assistant.models.backends.base import ChatModel
from assistant.models.embedders import Embedder
from assistant.schema import Passage
from assistant.text.glossary import Glossary
from assistant.text.question import QuestionAnalysis, analyse_question
from assistant.text.term_rendering import TermRenderer

if TYPE_CHECKING:
    from assistant.retrieval.retriever import Mode

logger = logging.getLogger(__name__)

_EVIDENCE_SHOWN = 3  # candidate sentences streamed before the model has chosen
_UNCALIBRATED_SECOND = 0.3  # before calibration: a second sentence's model probability


class PassageSearch(Protocol):
    def search(
        self,
        query: str,
        top_k: int | None = None,
        *,
        langs: Sequence[str] | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "hybrid",
    ) -> list[Passage]: ...

    def translated_terms(self, query: str, *, dictionary: bool = False) -> list[str]: ...


class AnsweringModel(ChatModel, Chooser, Protocol):
    """The model answers need: it chooses evidence and translates sentences."""


class AnswerPipeline:
    """Answers questions over the indexed documents; safe to reuse across questions."""

    def __init__(
        self,
        retriever: PassageSearch,
        chat_model: AnsweringModel,
        embedder: Embedder | None,
        prompts: PromptLibrary,
        settings: Settings,
        confidence: ConfidenceModel | None = None,
        rank_weights: RankWeights | None = None,
    ) -> None:
        self.retriever = retriever
        self.chat_model = chat_model
        self.prompts = prompts
        self.settings = settings
        self.confidence = confidence
        self.rank_weights = rank_weights or RankWeights()
        self.vectors = SentenceVectors(embedder) if embedder is not None else None
        a = settings.answer
        # A translation that its original does not back (figures changed, meaning lost) is
        # flagged to the reader, not hidden: it is the only text the model writes.
        self.checker = SupportChecker(self.vectors, SupportThresholds.from_settings(a))
        glossary = Glossary.load(settings.paths.glossary_file) if a.glossary_hints else None
        renderer = TermRenderer(glossary) if a.term_hints else None
        self.composer = Composer(chat_model, prompts, glossary, settings.llm.seed, renderer)
        if confidence is None:
            logger.warning(
                "no calibrated confidence model: an answer is given whenever the model chooses "
                "a sentence; run `assistant calibrate evals/dev.jsonl`"
            )

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        language: str | None = None,
        doc_ids: Sequence[str] | None = None,
        langs: Sequence[str] | None = None,
    ) -> Answer:
        """The complete answer (the streaming variant, consumed)."""
        final = None
        for item in self.stream(question, history, language=language, doc_ids=doc_ids, langs=langs):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    @in_question_script
    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        language: str | None = None,
        doc_ids: Sequence[str] | None = None,
        langs: Sequence[str] | None = None,
        evidence_events: bool = False,
    ) -> Iterator[str | RetrievedEvidence | Answer]:
        """Yield the answer's text as it is written, then the final ``Answer``.

        With ``evidence_events`` a ``RetrievedEvidence`` comes first, as soon as the candidate
        sentences are ranked: what a UI shows while the model chooses.
        """
        started = time.perf_counter()
        override = language or self.settings.answer.language
        question, warnings = self._validated(question, override)
        lang = answer_language(question, override)
        answer = Answer(question=question, text="", language=lang, warnings=warnings)
        answer.model = getattr(self.chat_model, "name", "")

        understood = understand(question, history[-self.settings.answer.history_turns :])
        answer.standalone_question = understood.display if understood.followup else None
        with _timed(answer, "retrieve"):
            answer.passages = self._retrieve(understood, langs, doc_ids)
        evidence = relevance(
            understood.question, answer.passages, self.vectors, self.settings.answer.relevance_top_n
        )
        answer.relevance = evidence.as_dict()
        a = self.settings.answer
        if should_refuse(evidence, a.relevance_signal, a.min_relevance or 0.0):
            yield from self._declined(answer, "no_relevant_passages", None, started)
            return

        analysis = analyse_question(understood.question)
        with _timed(answer, "candidates"):
            candidates = self.candidates(analysis, answer.passages)
        answer.prompt_passages = _prompt_passages(candidates)
        answer.timings["first_evidence"] = time.perf_counter() - started
        if evidence_events and candidates:
            yield _retrieved_evidence(candidates[:_EVIDENCE_SHOWN])

        with _timed(answer, "select"):
            selection = self.choose(understood.question, candidates, lang)
        record(answer.prompt_hashes, *selection.prompts)
        judgment = self._judge(selection, answer)
        if not judgment.accepted or judgment.index is None:
            # The candidate judged likeliest, below the threshold; the ranker's first when
            # there was no judgment to make.
            best = judgment.index if judgment.index is not None else 0
            closest = candidates[best] if candidates else None
            yield from self._declined(answer, "not_confident", closest, started)
            return

        probabilities = judgment.probabilities or selection.probabilities[1:]
        threshold = self.confidence.threshold if self.confidence else _UNCALIBRATED_SECOND
        chosen = chosen_sentences(candidates, probabilities, judgment.index, analysis, threshold)
        composition = Composition()
        for item in self.composer.stream(chosen, analysis, lang):
            if isinstance(item, Composition):
                composition = item
            elif item:
                answer.timings.setdefault("ttft", time.perf_counter() - started)
                yield item
        record(answer.prompt_hashes, *composition.prompts)
        answer.text = composition.text
        answer.raw_text = "\n".join(text for text, _source in composition.translations)
        answer.citations = _citations(composition)
        answer.unsupported_sentences = [
            text
            for text, source in composition.translations
            if not self.checker.check(text, source.sentence).supported
        ]
        answer.timings["total"] = time.perf_counter() - started
        yield answer

    def candidates(
        self, analysis: QuestionAnalysis, passages: Sequence[Passage], limit: int | None = None
    ) -> list[Candidate]:
        """The sentences of the first retrieved passages the model chooses from, best first
        (``limit``: how many; the setting by default)."""
        a = self.settings.answer
        return candidate_sentences(
            analysis,
            passages[: a.candidate_passages],
            lambda text: self.retriever.translated_terms(text, dictionary=True),
            self.vectors,
            a.select_candidates if limit is None else limit,
            self.rank_weights,
        )

    def choose(self, question: str, candidates: Sequence[Candidate], lang: str) -> Selection:
        """The model's choice among the candidates, with its probabilities."""
        return select_evidence(question, candidates, self.chat_model, self.prompts, lang)

    def _retrieve(
        self,
        understood: Understanding,
        langs: Sequence[str] | None,
        doc_ids: Sequence[str] | None,
    ) -> list[Passage]:
        """Search the question as understood; a follow-up also sees the passages the previous
        answer cited, first, where the search did not find them itself."""
        top_k = self.settings.retrieval.top_k
        passages = self.retriever.search(understood.query, top_k, langs=langs, doc_ids=doc_ids)
        if not understood.carried_chunk_ids:
            return passages
        carried = [p for p in passages if p.chunk_id in understood.carried_chunk_ids]
        rest = [p for p in passages if p.chunk_id not in understood.carried_chunk_ids]
        return [*carried, *rest][:top_k]

    def _judge(self, selection: Selection, answer: Answer) -> Judgment:
        """The calibrated judgment on the model's choice (and a record of it on the answer)."""
        if self.confidence is None:
            judgment = uncalibrated_judgment(selection)
        else:
            judgment = self.confidence.judge(selection)
        answer.confidence = judgment.confidence
        answer.selection = {
            "candidates": [
                {"chunk_id": c.passage.chunk_id, "sentence": c.sentence, "score": round(c.score, 4)}
                for c in selection.candidates
            ],
            "model_probabilities": [round(p, 4) for p in selection.probabilities],
            "model_choice": selection.choice,
            "calibrated": [round(p, 4) for p in judgment.probabilities],
            "judged": None if judgment.index is None else judgment.index + 1,
            "confidence": round(judgment.confidence, 4),
            "threshold": self.confidence.threshold if self.confidence else None,
            "accepted": judgment.accepted,
        }
        logger.info(
            "model chose %d of %d (p(none) %.2f); candidate %s at confidence %.2f: %s",
            selection.choice,
            len(selection.candidates),
            selection.p_none,
            "-" if judgment.index is None else judgment.index + 1,
            judgment.confidence,
            "answering" if judgment.accepted else "declining",
        )
        return judgment

    def _declined(
        self, answer: Answer, reason: str, closest: Candidate | None, started: float
    ) -> Iterator[str | Answer]:
        """Decline plainly, naming what the closest sentence found does say (not as a citation:
        it does not answer the question)."""
        logger.info("declining (%s): relevance %s", reason, answer.relevance)
        refusal = self.prompts.get("refusal", answer.language)
        record(answer.prompt_hashes, refusal)
        text = refusal.text
        if closest is not None:
            template = self.prompts.get("closest", answer.language)
            record(answer.prompt_hashes, template)
            answer.closest_sentence = closest.sentence
            shown = f"“{' '.join(closest.shown.split())}”"
            text += "\n\n" + template.render(reference=closest.passage.label, sentence=shown)
        answer.text = text
        answer.refused = True
        answer.refusal_reason = reason
        answer.citations = []
        answer.timings["total"] = time.perf_counter() - started
        yield answer.text
        yield answer

    def _validated(self, question: str, override: str) -> tuple[str, list[str]]:
        """The question through the one front door (``question_input``): cleaned, cut, or
        refused with ``EmptyQuestionError``."""
        lang = override if override in ("zh", "en") else None
        read = read_question(question, self.settings.answer.max_question_chars, lang)
        if not read.cut:
            return read.text, []
        warning = f"question truncated from {read.length} to {read.limit} characters"
        logger.warning(warning)
        return read.text, [warning]


def _prompt_passages(candidates: Sequence[Candidate]) -> list[PromptPassage]:
    """The passages whose sentences the model was shown, numbered by first appearance."""
    shown: dict[str, PromptPassage] = {}
    for candidate in candidates:
        chunk = candidate.passage.chunk_id
        if chunk not in shown:
            shown[chunk] = PromptPassage(len(shown) + 1, chunk, candidate.passage.text)
    return list(shown.values())


def _citations(composition: Composition) -> list[Citation]:
    return [
        Citation(
            number=number,
            passage=candidate.passage,
            supporting_sentences=[candidate.sentence],
            answer_sentences=composition.answer_sentences.get(number, []),
        )
        for number, candidate in sorted(composition.cited.items())
    ]


def _retrieved_evidence(candidates: Sequence[Candidate]) -> RetrievedEvidence:
    return RetrievedEvidence([EvidenceSentence(c.sentence, c.passage, "") for c in candidates])


class _timed:
    """Adds the seconds spent in a ``with`` block to ``answer.timings[name]``."""

    def __init__(self, answer: Answer, name: str) -> None:
        self.answer, self.name = answer, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *_exc: object) -> None:
        elapsed = time.perf_counter() - self.start
        self.answer.timings[self.name] = self.answer.timings.get(self.name, 0.0) + elapsed
