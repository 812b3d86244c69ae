"""Turn the model's raw answer into checked citations, sentence by sentence.

Steps: read the markers the model wrote and strip them; split the answer into sentences; for
each sentence keep only the cited passages that really support it (see ``support.py``); give a
factual sentence that ends up with no citation the passage that supports it best, if any does
(post-hoc attribution: small models often write no markers at all); flag what is left as
unsupported; write the markers back in one form, numbered in order of first appearance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from assistant.answer.evidence import numbers
from assistant.answer.markers import insert_markers, strip_markers
from assistant.answer.packing import PackedPassage
from assistant.answer.support import Support, SupportChecker
from assistant.answer.types import Citation
from assistant.config import AnswerSettings
from assistant.text.sentences import split_sentences
from assistant.text.words import content_tokens

_DEFAULT_QUOTED_BONUS = AnswerSettings().citation_quoted_bonus


@dataclass
class SentenceAttribution:
    """What happened to one answer sentence; kept for the evaluation's citation metrics."""

    text: str
    cited: tuple[int, ...]  # valid passage numbers the model wrote
    kept: list[int] = field(default_factory=list)  # packed numbers that support it
    evidence: dict[int, tuple[str, ...]] = field(default_factory=dict)
    factual: bool = True
    post_hoc: bool = False


@dataclass
class CitationResult:
    text: str  # the answer with checked, renumbered markers
    citations: list[Citation]
    unsupported_sentences: list[str]
    sentences: list[SentenceAttribution]
    dropped_markers: int  # markers that named no passage or an unsupporting one


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of the answer, never crossing a line break (lists stay one item each)."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        for start, end in split_sentences(line):
            if line[start:end].strip():
                spans.append((offset + start, offset + end))
        offset += len(line)
    return spans


def is_factual(sentence: str, question: str = "") -> bool:
    """A sentence that adds something checkable to the question: a figure or a content word.

    A sentence that only restates the question ("执行局现任执行主任是。") says nothing, and
    an answer made only of such sentences is no answer.
    """
    added_numbers = numbers(sentence) - numbers(question)
    tokens = content_tokens(sentence)
    if question:
        return bool(added_numbers) or bool(tokens - content_tokens(question))
    return bool(added_numbers) or len(tokens) >= 2


def attribute_citations(
    raw_answer: str,
    packed: Sequence[PackedPassage],
    checker: SupportChecker,
    *,
    quote_evidence: Mapping[int, tuple[str, ...]] | None = None,
    is_refusal_sentence: Callable[[str], bool] = lambda _s: False,
    question: str = "",
    quoted_bonus: float = _DEFAULT_QUOTED_BONUS,
    attested: Mapping[str, tuple[int, str]] | None = None,
) -> CitationResult:
    """Check, repair and renumber the citations of ``raw_answer`` (see the module docstring).

    ``question`` (the standalone question) lets the check look at what each sentence adds.
    ``quote_evidence`` maps a passage number to passage sentences the model quoted verbatim
    (quote-then-answer); those passages are preferred (by ``quoted_bonus``,
    ``answer.citation_quoted_bonus``) and their quotes are the evidence shown.
    ``attested`` maps a sentence the pipeline itself wrote from an evidence sentence (a fact
    line, see ``facts.enforce_facts``) to that passage number and sentence: it is not re-checked.
    """
    attested = attested or {}
    quote_evidence = quote_evidence or {}
    text, markers = strip_markers(raw_answer)
    spans = sentence_spans(text)
    cited: list[list[int]] = [[] for _ in spans]
    dropped = 0
    for marker in markers:
        index = _sentence_before(spans, marker.position)
        for number in marker.numbers:
            if 1 <= number <= len(packed) and index is not None:
                cited[index].append(number)
            else:
                dropped += 1

    sentences: list[SentenceAttribution] = []
    for (start, end), numbers_cited in zip(spans, cited, strict=True):
        sentence = text[start:end].strip()
        attribution = SentenceAttribution(
            sentence,
            tuple(dict.fromkeys(numbers_cited)),
            factual=is_factual(sentence, question) and not is_refusal_sentence(sentence),
        )
        if sentence in attested and 1 <= attested[sentence][0] <= len(packed):
            number, evidence_sentence = attested[sentence]
            attribution.kept.append(number)
            attribution.evidence[number] = (evidence_sentence,)
            sentences.append(attribution)
            continue
        dropped += _check_cited(attribution, packed, checker, quote_evidence, question)
        if attribution.factual and not attribution.kept:
            _attribute_post_hoc(
                attribution, packed, checker, quote_evidence, question, quoted_bonus
            )
        sentences.append(attribution)

    display = _display_numbers(sentences)
    final_text = _render(text, spans, sentences, display)
    citations = _citations(sentences, packed, display)
    unsupported = [s.text for s in sentences if s.factual and not s.kept]
    return CitationResult(final_text, citations, unsupported, sentences, dropped)


def has_grounded_content(result: CitationResult) -> bool:
    """Whether any sentence adds something to the question *and* a passage supports it."""
    return any(s.factual and s.kept for s in result.sentences)


def _sentence_before(spans: list[tuple[int, int]], position: int) -> int | None:
    """The sentence a marker belongs to: the last one starting before it (markers trail)."""
    index = None
    for i, (start, _end) in enumerate(spans):
        if start < position:
            index = i
        else:
            break
    if index is None and spans:
        return 0
    return index


def _check_cited(
    attribution: SentenceAttribution,
    packed: Sequence[PackedPassage],
    checker: SupportChecker,
    quote_evidence: Mapping[int, tuple[str, ...]],
    question: str,
) -> int:
    """Keep the cited passages that support the sentence; return how many were dropped."""
    dropped = 0
    for number in attribution.cited:
        support = checker.check(attribution.text, packed[number - 1].passage.text, question)
        if support.supported:
            attribution.kept.append(number)
            attribution.evidence[number] = quote_evidence.get(number) or support.sentences
        else:
            dropped += 1
    return dropped


def _attribute_post_hoc(
    attribution: SentenceAttribution,
    packed: Sequence[PackedPassage],
    checker: SupportChecker,
    quote_evidence: Mapping[int, tuple[str, ...]],
    question: str,
    quoted_bonus: float,
) -> None:
    """Give an uncited factual sentence the passage that supports it best, if one does."""
    best: tuple[float, int, Support] | None = None
    for item in packed:
        support = checker.check(attribution.text, item.passage.text, question)
        if not support.supported:
            continue
        score = support.score + (quoted_bonus if item.number in quote_evidence else 0.0)
        if best is None or score > best[0]:
            best = (score, item.number, support)
    if best is not None:
        _score, number, support = best
        attribution.kept.append(number)
        attribution.evidence[number] = quote_evidence.get(number) or support.sentences
        attribution.post_hoc = True


def _display_numbers(sentences: list[SentenceAttribution]) -> dict[int, int]:
    """Packed-passage number → number shown in the answer, in order of first appearance."""
    display: dict[int, int] = {}
    for attribution in sentences:
        for number in attribution.kept:
            display.setdefault(number, len(display) + 1)
    return display


def _render(
    text: str,
    spans: list[tuple[int, int]],
    sentences: list[SentenceAttribution],
    display: dict[int, int],
) -> str:
    pieces: list[str] = []
    cursor = 0
    for (start, end), attribution in zip(spans, sentences, strict=True):
        pieces.append(text[cursor:start])
        shown = sorted(display[n] for n in attribution.kept)
        pieces.append(insert_markers(text[start:end], shown))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces).strip()


def _citations(
    sentences: list[SentenceAttribution],
    packed: Sequence[PackedPassage],
    display: dict[int, int],
) -> list[Citation]:
    by_number: dict[int, Citation] = {}
    for attribution in sentences:
        for number in attribution.kept:
            citation = by_number.get(number)
            if citation is None:
                citation = Citation(display[number], packed[number - 1].passage)
                by_number[number] = citation
            for sentence in attribution.evidence.get(number, ()):
                if sentence not in citation.supporting_sentences:
                    citation.supporting_sentences.append(sentence)
            citation.answer_sentences.append(attribution.text)
    return sorted(by_number.values(), key=lambda c: c.number)
