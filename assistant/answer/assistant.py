"""The answering service: a question in, a grounded answer with checked citations out.

One pass reads as its steps::

    condense → retrieve → decide refusal → pack → generate → attribute citations

Every step is a function in its own module with plain inputs and outputs; this class only
sequences them, times them and streams the model's text as it comes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Protocol

from assistant.answer.citations import attribute_citations, has_grounded_content
from assistant.answer.condense import CONDENSE_PROMPTS, condense_question
from assistant.answer.evidence import SentenceVectors
from assistant.answer.facts import EnforcedReply, PartEvidence, enforce_facts, gather_part_evidence
from assistant.answer.focus import FocusWeights, focus_passages
from assistant.answer.generation import STOP, build_answer_prompt, prompt_overhead_tokens
from assistant.answer.guide import build_guide
from assistant.answer.language import AnswerLanguage, answer_language, in_question_script
from assistant.answer.markers import strip_markers
from assistant.answer.packing import PackedPassage, pack_passages
from assistant.answer.prompts import PromptLibrary, record
from assistant.answer.quotes import AnswerSectionFilter, split_quote_output, verify_quotes
from assistant.answer.refusal import (
    is_model_refusal,
    is_refusal_sentence,
    relevance,
    should_refuse,
)
from assistant.answer.support import SupportChecker, SupportThresholds
from assistant.answer.types import (
    Answer,
    EvidenceSentence,
    PromptPassage,
    RetrievedEvidence,
    Turn,
)
from assistant.config import Settings
from assistant.index.embedders import Embedder
from assistant.index.glossary import Glossary
from assistant.models.backends.base import ChatModel, GenerationParams
from assistant.schema import Passage
from assistant.text.question import analyse_question

logger = logging.getLogger(__name__)

_CONTEXT_MARGIN = 64


class EmptyQuestionError(ValueError):
    """The question was empty or only whitespace; the message is a polite prompt to ask."""


class PassageSearch(Protocol):
    def search(
        self,
        query: str,
        top_k: int | None = None,
        *,
        langs: Sequence[str] | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: str = "hybrid",
    ) -> list[Passage]: ...

    def translated_terms(self, query: str) -> list[str]: ...


class Assistant:
    """Answers questions over the indexed documents; safe to reuse across questions."""

    def __init__(
        self,
        retriever: PassageSearch,
        chat_model: ChatModel,
        embedder: Embedder | None,
        prompts: PromptLibrary,
        settings: Settings,
    ) -> None:
        self.retriever = retriever
        self.chat_model = chat_model
        self.prompts = prompts
        self.settings = settings
        self.vectors = SentenceVectors(embedder) if embedder is not None else None
        a = settings.answer
        self.checker = SupportChecker(self.vectors, SupportThresholds.from_settings(a))
        self._refusal_phrases = [
            *prompts.get("model_refusal_phrases", "zh").lines(),
            *prompts.get("model_refusal_phrases", "en").lines(),
            *(prompts.get("not_covered", lg).text.split("{", 1)[0] for lg in ("zh", "en")),
        ]
        self.glossary = Glossary.load(settings.paths.glossary_file) if a.glossary_hints else None

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
        """Yield the answer's text as it is generated, then the final ``Answer``.

        The streamed text is the model's raw reply; ``Answer.text`` is the checked version
        (markers validated, figures kept to the extracted facts, missing parts added), which a
        UI should show once it arrives. With ``evidence_events`` a ``RetrievedEvidence`` comes
        first, as soon as retrieval is done: the evidence sentences a UI can show while the
        model is still reading (the first useful text, seconds before the first token).
        """
        started = time.perf_counter()
        override = language or self.settings.answer.language
        question, warnings = self._validated(question, override)
        lang = answer_language(question, override)
        answer = Answer(question=question, text="", language=lang, warnings=warnings)
        answer.model = getattr(self.chat_model, "name", "")

        standalone = self._condense(question, history, lang, answer)
        answer.standalone_question = standalone if standalone != question else None

        with _timed(answer, "retrieve"):
            top_k = self.settings.retrieval.top_k
            answer.passages = self.retriever.search(standalone, top_k, langs=langs, doc_ids=doc_ids)
        with _timed(answer, "relevance"):
            evidence = relevance(
                standalone, answer.passages, self.vectors, self.settings.answer.relevance_top_n
            )
        answer.relevance = evidence.as_dict()
        a = self.settings.answer
        gate_refuses = should_refuse(evidence, a.relevance_signal, a.min_relevance)
        if gate_refuses and not a.typed_facts:
            yield from self._refused(answer, "no_relevant_passages", started)
            return

        with _timed(answer, "pack"):
            packed = self._pack(standalone, answer.passages, lang)
        answer.prompt_passages = [
            PromptPassage(p.number, p.passage.chunk_id, p.text) for p in packed
        ]
        parts: list[PartEvidence] = []
        if a.typed_facts:
            with _timed(answer, "facts"):
                parts = gather_part_evidence(
                    analyse_question(standalone),
                    packed,
                    lang,
                    lambda text: self.retriever.translated_terms(text, dictionary=True),
                    self.vectors,
                    a.part_min_score,
                )
            answer.parts = [_part_record(p) for p in parts]
            if gate_refuses and not _names_what_the_documents_discuss(parts, a.gate_override_match):
                yield from self._refused(answer, "no_relevant_passages", started)
                return
            if not any(p.covered for p in parts):
                logger.info("no retrieved sentence matches any part of the question: refusing")
                yield from self._refused(answer, "question_not_covered", started)
                return
        # the first useful text: what a UI shows while the model reads the prompt
        answer.timings["first_evidence"] = time.perf_counter() - started
        if evidence_events:
            yield _retrieved_evidence(parts, packed)
        yield from self._generate(answer, standalone, packed, lang, started, parts)
        with _timed(answer, "attribute"):
            self._finish(answer, packed, lang, parts)
        answer.timings["total"] = time.perf_counter() - started
        yield answer

    def _refused(self, answer: Answer, reason: str, started: float) -> Iterator[str | Answer]:
        """Refuse before the model: the refusal text, then the answer."""
        logger.info("refusing without the model (%s): relevance %s", reason, answer.relevance)
        self._refuse(answer, reason)
        answer.timings["total"] = time.perf_counter() - started
        yield answer.text
        yield answer

    def _validated(self, question: str, override: str) -> tuple[str, list[str]]:
        # Lone surrogates (JSON allows "\ud800") cannot be encoded, and the embedder would fail.
        question = (question or "").encode("utf-8", "ignore").decode("utf-8")
        if not question.strip():
            langs = [override] if override in ("zh", "en") else ["zh", "en"]
            message = " / ".join(self.prompts.get("empty_question", lg).text for lg in langs)
            raise EmptyQuestionError(message)
        question = question.strip()
        limit = self.settings.answer.max_question_chars
        if len(question) <= limit:
            return question, []
        warning = f"question truncated from {len(question)} to {limit} characters"
        logger.warning(warning)
        return question[:limit], [warning]

    def _condense(
        self, question: str, history: Sequence[Turn], lang: AnswerLanguage, answer: Answer
    ) -> str:
        if not history or self.settings.answer.history_turns <= 0:
            return question
        record(answer.prompt_hashes, *(self.prompts.get(n, lang) for n in CONDENSE_PROMPTS))
        with _timed(answer, "condense"):
            return condense_question(
                question,
                history,
                self.chat_model,
                self.prompts,
                lang,
                max_turns=self.settings.answer.history_turns,
                seed=self.settings.llm.seed,
            )

    def _pack(
        self, question: str, passages: list[Passage], lang: AnswerLanguage
    ) -> list[PackedPassage]:
        a, llm = self.settings.answer, self.settings.llm
        count = self.chat_model.count_tokens
        overhead = prompt_overhead_tokens(lang, self.prompts, count, a.strategy)
        room = llm.n_ctx - overhead - a.max_answer_tokens - _CONTEXT_MARGIN
        budget = max(0, min(a.context_token_budget, room))
        focused = None
        if a.passage_focus_tokens > 0:
            focused = focus_passages(
                question,
                passages,
                a.passage_focus_tokens,
                count,
                self.vectors,
                self.retriever.translated_terms(question),
                weights=FocusWeights.from_settings(a),
            )
        return pack_passages(passages, budget, count, a.max_passages, focused)

    def _generate(
        self,
        answer: Answer,
        question: str,
        packed: list[PackedPassage],
        lang: AnswerLanguage,
        started: float,
        parts: Sequence[PartEvidence] = (),
    ) -> Iterator[str]:
        a, llm = self.settings.answer, self.settings.llm
        guide, guide_prompts = build_guide(parts, packed, lang, self.prompts, self.glossary)
        prompt = build_answer_prompt(question, packed, lang, self.prompts, a.strategy, guide)
        record(answer.prompt_hashes, *prompt.used, *guide_prompts)
        params = GenerationParams(
            max_tokens=a.max_answer_tokens, temperature=llm.temperature, seed=llm.seed, stop=STOP
        )
        section = AnswerSectionFilter() if a.strategy == "quote_then_answer" else None
        generation_started = time.perf_counter()
        pieces: list[str] = []
        for delta in self.chat_model.stream(prompt.messages, params):
            pieces.append(delta)
            visible = section.feed(delta) if section else delta
            if visible:
                answer.timings.setdefault("ttft", time.perf_counter() - started)
                yield visible
        if section and (rest := section.finish()):
            answer.timings.setdefault("ttft", time.perf_counter() - started)
            yield rest
        answer.timings["generate"] = time.perf_counter() - generation_started
        answer.raw_text = "".join(pieces)

    def _finish(
        self,
        answer: Answer,
        packed: list[PackedPassage],
        lang: AnswerLanguage,
        parts: Sequence[PartEvidence] = (),
    ) -> None:
        """Model refusal pass-through, or citation checking of the reply.

        A reply in which no sentence adds a fact that a passage supports is replaced by the
        refusal (``refuse_unsupported``): it restates the question, or it is the model's own
        knowledge or invention, not the documents.
        """
        raw = answer.raw_text
        quote_evidence: dict[int, tuple[str, ...]] = {}
        if self.settings.answer.strategy == "quote_then_answer":
            quotes, raw = split_quote_output(raw)
            quote_evidence = verify_quotes(quotes, packed)
        if is_model_refusal(raw, self._refusal_phrases):
            text, _markers = strip_markers(raw)
            own_language = text.strip() and answer_language(text) == lang
            if not any(p.part.typed and p.covered for p in parts):
                self._refuse(answer, "model_declined", text.strip() if own_language else None)
                return
        enforced = self._enforce(raw, parts, answer, lang)
        raw = enforced.text
        result = attribute_citations(
            raw,
            packed,
            self.checker,
            quote_evidence=quote_evidence,
            is_refusal_sentence=lambda s: is_refusal_sentence(s, self._refusal_phrases),
            question=answer.standalone_question or answer.question,
            quoted_bonus=self.settings.answer.citation_quoted_bonus,
            attested={
                line.text: (line.passage_number, line.evidence) for line in enforced.attested
            },
        )
        if self.settings.answer.refuse_unsupported and not has_grounded_content(result):
            logger.info("no sentence of the reply adds a fact a passage backs: refusing")
            self._refuse(answer, "unsupported_answer")
            answer.unsupported_sentences = result.unsupported_sentences
            return
        answer.text = result.text
        answer.citations = result.citations
        answer.unsupported_sentences = result.unsupported_sentences
        if result.dropped_markers:
            logger.info("dropped %d citation markers that no passage backs", result.dropped_markers)

    def _enforce(
        self, raw: str, parts: Sequence[PartEvidence], answer: Answer, lang: AnswerLanguage
    ) -> EnforcedReply:
        """Keep the reply's figures to the facts extracted for each part (see ``facts``)."""
        question = answer.standalone_question or answer.question
        if not parts:
            return EnforcedReply(raw, [], [], [], [])
        labels_prompt = self.prompts.get("fact_labels", lang)
        not_covered = self.prompts.get("not_covered", lang)
        record(answer.prompt_hashes, labels_prompt, not_covered)
        labels = dict(line.split("\t", 1) for line in labels_prompt.lines() if "\t" in line)
        if is_model_refusal(raw, self._refusal_phrases):
            raw = ""  # a covered typed part still gets its fact
        enforced = enforce_facts(
            raw, parts, question, labels, lambda part: not_covered.render(part=_as_clause(part))
        )
        answer.fact_changes = {
            "replaced": [f"{old} -> {new}" for old, new in enforced.replaced],
            "removed": enforced.removed,
            "added": enforced.added,
        }
        return enforced

    def _refuse(self, answer: Answer, reason: str, text: str | None = None) -> None:
        prompt = self.prompts.get("refusal", answer.language)
        record(answer.prompt_hashes, prompt)
        answer.text = text or prompt.text
        answer.refused = True
        answer.refusal_reason = reason
        answer.citations = []


def _names_what_the_documents_discuss(parts: Sequence[PartEvidence], min_match: float) -> bool:
    """Whether one retrieved sentence holds all of a part's key terms (in either language).

    The relevance gate compares whole-question and passage embeddings, which says little for a
    short question about a name: "What is CTED?" is far from every passage about CTED in
    embedding space, yet every key term of it is in them.
    """
    return any(p.top_match >= min_match for p in parts)


def _as_clause(part: str) -> str:
    """A part as it reads inside a sentence: "When?" → "when"."""
    part = part.strip().rstrip("?？。.")
    return part[:1].lower() + part[1:] if part[:1].isascii() else part


def _part_record(part: PartEvidence) -> dict[str, object]:
    """What the analysis found for one part, for evaluation reports and debugging."""
    return {
        "text": part.part.text,
        "answer_type": part.part.answer_type,
        "covered": part.covered,
        "facts": [fact.text for fact in part.facts],
        "sentence": part.best.sentence if part.best else None,
    }


def _retrieved_evidence(
    parts: Sequence[PartEvidence], packed: Sequence[PackedPassage]
) -> RetrievedEvidence:
    """The best evidence sentence of each part (or of each passage), with its reference."""
    by_number = {item.number: item.passage for item in packed}
    sentences: list[EvidenceSentence] = []
    seen: set[str] = set()
    for part in parts:
        if part.best is not None and part.covered and part.best.sentence not in seen:
            seen.add(part.best.sentence)
            passage = by_number[part.best.passage_number]
            sentences.append(EvidenceSentence(part.best.sentence, passage, part.part.text))
    if not sentences:
        for item in packed[:_FALLBACK_EVIDENCE_PASSAGES]:
            sentences.append(EvidenceSentence(item.text, item.passage, ""))
    return RetrievedEvidence(sentences)


_FALLBACK_EVIDENCE_PASSAGES = 3


class _timed:
    """Adds the seconds spent in a ``with`` block to ``answer.timings[name]``."""

    def __init__(self, answer: Answer, name: str) -> None:
        self.answer, self.name = answer, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *_exc: object) -> None:
        elapsed = time.perf_counter() - self.start
        self.answer.timings[self.name] = self.answer.timings.get(self.name, 0.0) + elapsed
