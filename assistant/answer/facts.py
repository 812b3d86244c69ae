"""For each part of a question, the evidence sentence that matches it and the facts it holds.

A small model copies a figure from the passage that answers another question: the submission
deadline as the meeting date, a head-count as a budget. So the facts are not left to it: for
each part (``assistant.text.question``) the retrieved sentences are scored by the part's key terms
(in the passage's language: the question's own words, or their glossary / term-bridge
translations) and meaning, and from the best sentences that hold a figure of the part's answer
type those figures are read with deterministic parsers (``assistant.text.figures``) and rendered
in the answer's language. The prompt lists them; ``enforce_facts`` keeps the reply to them.

A part is *covered* when its best sentence (for a typed part: its best sentence that holds a
figure of the asked type) scores at least ``min_score``; an uncovered part is one the documents
do not say, and a question with no covered part is refused before the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from assistant.answer.citations import sentence_spans
from assistant.answer.evidence import (
    SentenceVectors,
    cached_content_tokens,
    weighted_coverage,
)
from assistant.answer.focus import term_weights
from assistant.answer.markers import strip_markers
from assistant.answer.packing import PackedPassage
from assistant.answer.support import passage_sentences
from assistant.text.cjk import has_han
from assistant.text.figures import Figure, atoms_of, extract_figures, figure_atoms, render
from assistant.text.question import QuestionAnalysis, QuestionPart
from assistant.text.sentences import list_marker_length
from assistant.text.words import content_tokens, content_words

Translate = Callable[[str], Sequence[str]]

_WINDOW_CHARS = 40  # how far around a figure its own words are looked for
_NEAR_CHARS = 8  # a word this many characters from the figure counts half
_RUNNER_UP_SHARE = 0.85  # sentences this close to the best one also offer facts
_MAX_FACT_SENTENCES = 3
_MAX_SEVERAL = 3  # values a part asking for several may need (a period: two dates)
_SIBLING_BONUS = 0.3  # per other typed part of the question whose type the sentence also holds
# A sentence holding a figure for every typed part of a several-part question leads when it
# scores at least this share of the best: "at its 330th meeting, on 19 April 2018" answers
# "which meeting, and on what date" even though the deadline sentence repeats the question's
# words more closely.
_JOINT_MIN_SHARE = 0.5


@dataclass(frozen=True)
class Fact:
    """A figure of the asked type, read from an evidence sentence, rendered for the answer."""

    figure: Figure
    text: str  # rendered in the answer's language
    sentence: str  # the evidence sentence, verbatim
    passage_number: int  # the packed passage it is in (the [n] the model cites)


@dataclass(frozen=True)
class ScoredSentence:
    sentence: str
    passage_number: int
    match: float  # weighted share of the part's key terms the sentence contains
    score: float  # match plus embedding cosine, for ranking


@dataclass(frozen=True)
class PartEvidence:
    part: QuestionPart
    best: ScoredSentence | None  # the sentence that best matches the part (typed: with a fact)
    facts: tuple[Fact, ...]  # the part's candidate facts, best first (typed parts only)
    covered: bool
    top_match: float = 0.0  # the largest key-term share of any one sentence

    @property
    def atoms(self) -> set[str]:
        return {atom for fact in self.facts for atom in atoms_of(fact.figure)}


def gather_part_evidence(
    analysis: QuestionAnalysis,
    packed: Sequence[PackedPassage],
    lang: str,
    translate: Translate,
    vectors: SentenceVectors | None,
    min_score: float,
) -> list[PartEvidence]:
    """Score every sentence of the packed passages for every part; extract the typed facts."""
    sentences = [
        (sentence, item.number)
        for item in packed
        for sentence in passage_sentences(item.passage.text)
    ]
    weight = term_weights([item.passage.text for item in packed])
    question_atoms = figure_atoms(analysis.question)
    others = analysis.parts
    results = []
    for part in analysis.parts:
        translated = content_tokens(" ".join(translate(part.terms_text))) - set(part.key_terms)
        surface = content_words(part.terms_text)
        alternatives = {
            term: content_tokens(" ".join(translate(surface.get(term, term)))) - {term}
            for term in part.key_terms
        }
        other_terms = set().union(*(p.key_terms for p in others if p is not part))
        scored = _score(part, alternatives, sentences, weight, vectors)
        if not part.typed:
            best = scored[0] if scored else None
            covered = best is not None and best.score >= min_score
            results.append(PartEvidence(part, best, (), covered, _top_match(scored)))
            continue
        sibling_kinds = [p.figure_kinds for p in others if p is not part and p.typed]
        translations = translated.union(*alternatives.values())
        facts, best = _typed_facts(
            part, scored, translations, other_terms, question_atoms, lang, sibling_kinds
        )
        covered = best is not None and best.score >= min_score
        results.append(PartEvidence(part, best, tuple(facts), covered, _top_match(scored)))
    return _distinct_first_facts(results)


def _distinct_first_facts(results: list[PartEvidence]) -> list[PartEvidence]:
    """Two parts asking the same type ("how many projects, and in how many countries") do not
    both get the same first fact when the evidence offers another one; a part whose best
    sentence is the one a covered sibling part matched is covered too."""
    taken: set[str] = set()
    distinct = []
    covered_sentences = {e.best.sentence for e in results if e.covered and e.best is not None}
    for evidence in results:
        # asked together, answered together: the sentence a sibling part matched
        if (
            not evidence.covered
            and evidence.facts
            and evidence.best is not None
            and evidence.best.sentence in covered_sentences
        ):
            evidence = replace(evidence, covered=True)
        facts = list(evidence.facts)
        if facts and facts[0].figure.key in taken:
            other = next((f for f in facts if f.figure.key not in taken), None)
            if other is not None:
                facts.remove(other)
                facts.insert(0, other)
                evidence = replace(evidence, facts=tuple(facts))
        if facts:
            taken.add(facts[0].figure.key)
        distinct.append(evidence)
    return distinct


def _top_match(scored: Sequence[ScoredSentence]) -> float:
    return max((s.match for s in scored), default=0.0)


def _score(
    part: QuestionPart,
    alternatives: Mapping[str, set[str]],
    sentences: list[tuple[str, int]],
    weight: Callable[[str], float],
    vectors: SentenceVectors | None,
) -> list[ScoredSentence]:
    if not sentences:
        return []
    texts = [s for s, _n in sentences]
    cosines = (
        vectors.similarities([part.terms_text], texts)[0].tolist()
        if vectors is not None
        else [0.0] * len(texts)
    )
    scored = []
    for (sentence, number), cosine in zip(sentences, cosines, strict=True):
        words = set(cached_content_tokens(sentence))
        match = max(
            weighted_coverage(part.key_terms, words, weight),
            translated_coverage(alternatives, words, weight),
        )
        scored.append(ScoredSentence(sentence, number, match, match + float(cosine)))
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored


def translated_coverage(
    alternatives: Mapping[str, set[str]], words: Collection[str], weight: Callable[[str], float]
) -> float:
    """Share of the key terms' weight that a sentence of the other language holds, a key term
    counting once when any of its translations is there ("绝对贫困": "absolute" or "absolutely",
    and "poverty" or "poor"): a term with ten glosses is not ten terms. A term weighs as its
    rarest translation among the retrieved passages; one the dictionaries do not translate
    ("中说", a fragment of jieba's) says nothing either way and is left out."""
    total = matched = 0.0
    for options in alternatives.values():
        if not options:
            continue
        term_weight = max(weight(word) for word in options)
        total += term_weight
        if any(word in words for word in options):
            matched += term_weight
    return matched / total if total else 0.0


def _typed_facts(
    part: QuestionPart,
    scored: list[ScoredSentence],
    translated: set[str],
    other_terms: set[str],
    question_atoms: set[str],
    lang: str,
    sibling_kinds: Sequence[tuple[str, ...]] = (),
) -> tuple[list[Fact], ScoredSentence | None]:
    """The part's figures from the best matching sentences that hold one, best first.

    Figures the question itself states ("resolution 2322", "in 2018") are not answers. Within a
    sentence, a figure near the part's own words (those no other part of the question has)
    comes first: "39 projects … 61 Member States" gives "how many projects" the 39.

    Parts asked together are answered together: a sentence that also holds a figure for each
    other typed part ("which meeting, and on what date" → "at its 330th meeting, on 19 April")
    ranks above one that holds only this part's type (a deadline date two sentences before).
    """
    kinds = part.figure_kinds
    own_words = (set(part.key_terms) | translated) - other_terms
    with_facts: list[tuple[ScoredSentence, list[Figure]]] = []
    answering_all: list[tuple[ScoredSentence, list[Figure]]] = []
    for candidate in scored:
        figures = [
            f
            for f in extract_figures(candidate.sentence)
            if f.kind in kinds
            and not atoms_of(f) <= question_atoms
            and not _is_list_marker(candidate.sentence, f)
        ]
        if not figures:
            continue
        kinds_here = {f.kind for f in extract_figures(candidate.sentence)}
        siblings = sum(1 for other in sibling_kinds if kinds_here & set(other))
        answers_all = bool(sibling_kinds) and siblings == len(sibling_kinds)
        # past the best few, only a sentence that answers every typed part is still wanted
        if len(with_facts) >= _MAX_FACT_SENTENCES and not answers_all:
            continue
        ranked = ScoredSentence(
            candidate.sentence,
            candidate.passage_number,
            candidate.match,
            candidate.score + _SIBLING_BONUS * siblings,
        )
        with_facts.append((ranked, figures))
        if answers_all:
            answering_all.append(with_facts[-1])
    if not with_facts:
        return [], None
    with_facts.sort(key=lambda pair: pair[0].score, reverse=True)
    best_score = with_facts[0][0].score
    joint = [
        pair
        for pair in with_facts
        if pair in answering_all and pair[0].score >= _JOINT_MIN_SHARE * best_score
    ]
    if joint:  # asked together, answered together: that sentence answers, whatever its words
        with_facts = joint
        best_score = joint[0][0].score
    facts: list[Fact] = []
    seen: set[str] = set()
    for candidate, figures in with_facts:
        if candidate.score < _RUNNER_UP_SHARE * best_score:
            break
        ranked = sorted(
            figures,
            key=lambda f: (
                kinds.index(f.kind),
                -_nearby(candidate.sentence, f, own_words),
                f.start,
            ),
        )
        for figure in ranked:
            if figure.key in seen:
                continue
            seen.add(figure.key)
            facts.append(
                Fact(figure, render(figure, lang), candidate.sentence, candidate.passage_number)
            )
    return facts, with_facts[0][0]


def _is_list_marker(sentence: str, figure: Figure) -> bool:
    """ "19. The Directorate …", "(a) …": a paragraph or list number, not a figure."""
    return figure.start < list_marker_length(sentence)


def _nearby(sentence: str, figure: Figure, words: set[str]) -> float:
    """How close the part's own words stand to the figure: each word found within a few
    characters counts 1 next to it, less further away, so that of two figures with the part's
    words in reach the one they stand beside comes first ("39个项目 … 61个会员国": "how many
    projects" gets the 39)."""
    lowered = sentence.lower()
    start = max(0, figure.start - _WINDOW_CHARS)
    end = min(len(sentence), figure.end + _WINDOW_CHARS)
    score = 0.0
    for word in words:
        distances = [
            max(figure.start - (at + len(word)), at - figure.end, 0)
            for at in _occurrences(lowered, word, start, end)
        ]
        if distances:
            score += 1.0 / (1.0 + min(distances) / _NEAR_CHARS)
    return score


def _occurrences(text: str, word: str, start: int, end: int) -> list[int]:
    found, at = [], text.find(word, start, end)
    while at != -1:
        found.append(at)
        at = text.find(word, at + 1, end)
    return found


@dataclass(frozen=True)
class FactLine:
    """A sentence the pipeline added or kept from the evidence, with its known source."""

    text: str
    passage_number: int
    evidence: str  # the evidence sentence, verbatim


@dataclass
class EnforcedReply:
    text: str  # the reply with wrong figures replaced and missing facts added
    attested: list[FactLine]  # sentences whose source is known (not to be re-attributed)
    replaced: list[tuple[str, str]]  # (figure written by the model, extracted fact)
    removed: list[str]  # sentences dropped: a figure of the asked type no evidence holds
    added: list[str]  # lines added: facts the reply left out, parts the documents do not cover


def enforce_facts(
    reply: str,
    evidence: Sequence[PartEvidence],
    question: str,
    labels: dict[str, str],
    not_covered: Callable[[str], str],
) -> EnforcedReply:
    """Keep the reply's figures of each asked type to the facts extracted for the question.

    - A figure of an asked type that no part's facts (nor the question) hold is replaced by
      the first fact of a part asking that type which the reply does not state yet; with no
      such fact, the sentence holding it is dropped.
    - A covered typed part whose facts the reply does not state gets a line of its own
      (``labels[answer_type]: fact [n]``), attested by its evidence sentence.
    - A typed part that the documents do not cover gets ``not_covered(part text)``.

    Citation markers are masked while figures are read, so "[1]" is never a number.
    """
    policed = {kind for e in evidence if e.part.typed for kind in e.part.figure_kinds}
    allowed = set(figure_atoms(question)).union(*(e.atoms for e in evidence))
    result = EnforcedReply(reply, [], [], [], [])
    if not policed:
        return result
    text = reply
    for figure in reversed(extract_figures(_masked(text))):
        if figure.kind not in policed or atoms_of(figure) <= allowed:
            continue
        replacement = _replacement(figure, evidence, figure_atoms(_masked(text)))
        if replacement is not None:
            result.replaced.append((figure.surface, replacement.text))
            text = text[: figure.start] + replacement.text + text[figure.end :]
        else:
            start, end = _sentence_around(text, figure.start)
            result.removed.append(text[start:end].strip())
            text = text[:start] + text[end:]
    stated = figure_atoms(_masked(text))
    lines = []
    for part_evidence in evidence:
        part = part_evidence.part
        if not part.typed:
            continue
        if not part_evidence.covered:
            lines.append(not_covered(part.text))
            continue
        wanted = _wanted_facts(part_evidence)
        if part.several:
            missing = [f for f in wanted if not atoms_of(f.figure) <= stated]
        elif any(atoms_of(f.figure) <= stated for f in part_evidence.facts):
            missing = []  # the reply states one of the part's facts
        else:
            missing = wanted
        if not missing:
            continue
        fact = missing[0]
        label = labels.get(part.answer_type, part.text)
        chinese = has_han(label)
        values = ("、" if chinese else ", ").join(f.text for f in missing)
        line = f"{label}{'：' if chinese else ': '}{values}"
        result.attested.append(FactLine(line, fact.passage_number, fact.sentence))
        lines.append(f"{line} [{fact.passage_number}]")
        for f in missing:
            stated |= atoms_of(f.figure)
    result.added = lines
    text = _labelled_if_bare(text, evidence, labels)
    result.attested = _attest_stated_facts(text, evidence, policed) + result.attested
    pieces = [text.strip(), *lines]
    result.text = "\n".join(p for p in pieces if p)
    return result


def _labelled_if_bare(text: str, evidence: Sequence[PartEvidence], labels: dict[str, str]) -> str:
    """A reply that is nothing but a figure ("229 [1]") gets its part's label ("数目：229 [1]"),
    so that it reads as an answer, in the question's language, not as a stray number."""
    masked = _masked(text)
    for figure in extract_figures(masked):
        masked = masked[: figure.start] + " " * (figure.end - figure.start) + masked[figure.end :]
    if not text.strip() or _WORD_CHARACTER.search(masked):
        return text
    part = next((e.part for e in evidence if e.part.typed and e.covered), None)
    if part is None or part.answer_type not in labels:
        return text
    label = labels[part.answer_type]
    return f"{label}{'：' if has_han(label) else ': '}{text.strip()}"


_WORD_CHARACTER = re.compile(r"[^\W\d_]")  # a letter of any script


def _attest_stated_facts(
    text: str, evidence: Sequence[PartEvidence], policed: set[str]
) -> list[FactLine]:
    """Reply sentences whose asked-type figures are all facts of one evidence sentence.

    The model wrote the sentence around the extracted facts, as it was asked to; the evidence
    sentence those facts were read from is its source, whatever the sentence's other words
    ("30%", "The report covers 13 December 2016 to 12 December 2017"). Without this, a reply
    in the other language than its passage often fails the word-or-meaning check and a right
    answer becomes a refusal.
    """
    stripped, _markers = strip_markers(text)
    facts = [fact for part in evidence for fact in part.facts]
    attested = []
    for start, end in sentence_spans(stripped):
        sentence = stripped[start:end].strip()
        figures = [f for f in extract_figures(sentence) if f.kind in policed]
        if not figures:
            continue
        sources = {
            (fact.passage_number, fact.sentence)
            for figure in figures
            for fact in facts
            if atoms_of(figure) <= atoms_of(fact.figure)
        }
        matched = all(any(atoms_of(f) <= atoms_of(x.figure) for x in facts) for f in figures)
        if matched and len({s for _n, s in sources}) == 1:
            number, source = next(iter(sources))
            attested.append(FactLine(sentence, number, source))
    return attested


def _wanted_facts(part_evidence: PartEvidence) -> list[Fact]:
    """The facts a reply must state for a part: the first one, or for a part asking several
    values (a period, "each") every fact of the same evidence sentence."""
    facts = list(part_evidence.facts)
    if not facts:
        return []
    if not part_evidence.part.several:
        return facts[:1]
    first = facts[0]
    same = [f for f in facts if f.sentence == first.sentence]
    return sorted(same, key=lambda f: f.figure.start)[:_MAX_SEVERAL]


def _replacement(figure: Figure, evidence: Sequence[PartEvidence], stated: set[str]) -> Fact | None:
    for part_evidence in evidence:
        if figure.kind not in part_evidence.part.figure_kinds:
            continue
        for fact in part_evidence.facts:
            if fact.figure.kind == figure.kind and not atoms_of(fact.figure) <= stated:
                return fact
    return None


_MARKER_SPAN = re.compile(r"[\[【]\s*[^\]】]{0,40}[\]】]")


def _masked(text: str) -> str:
    """``text`` with citation markers blanked out, offsets unchanged."""
    return _MARKER_SPAN.sub(lambda m: " " * len(m.group(0)), text)


def _sentence_around(text: str, position: int) -> tuple[int, int]:
    for start, end in sentence_spans(text):
        if start <= position < end:
            return start, end
    return position, position
