"""Fit what evidence selection is calibrated on, from a question set's tune half.

Two fits, in the order the pipeline uses them:

1. **Rank weights** of the cheap sentence scorer (``candidates.RankWeights``): a logistic
   regression over every sentence of every answerable question's first retrieved passages,
   labelled by whether the sentence holds the question's gold evidence. No model is needed.
2. **Confidence** (``confidence.ConfidenceModel``): the model chooses among the candidates the
   fitted weights rank first, for every question as asked and for every answerable one asked
   again with its evidence removed (its gold documents excluded by the search filter). Each
   candidate is a row: its signals, and whether it answers (it holds a gold span, or — in the
   question's own language — states every key fact). A logistic regression over the rows gives
   each candidate a probability; the threshold is the one with the best expected value when a
   right answer counts 1, a declined question 0 and a wrong answer ``-wrong_answer_cost``, the
   answerable questions and the ones without an answer (unanswerable or evidence removed)
   weighing the same in total.

Report figures on the other half: a threshold fitted and judged on the same questions is true by
construction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from tqdm import tqdm

from assistant.answer.candidates import RANK_FEATURES, Candidate, RankWeights
from assistant.answer.compose import sentence_language
from assistant.answer.confidence import (
    FEATURES,
    CandidateSignals,
    ConfidenceModel,
    candidate_signals,
    fit_logistic,
)
from assistant.answer.language import answer_language
from assistant.answer.pipeline import AnswerPipeline
from assistant.eval.dataset import EvalQuestion, contains_evidence
from assistant.eval.generated import evidence_removed_doc_ids
from assistant.eval.metrics import missing_facts
from assistant.index.catalog import DocumentInfo
from assistant.text.question import analyse_question

logger = logging.getLogger(__name__)

_ALL_SENTENCES = 10_000
_MIN_PART_CHARS = 10  # a sentence this long that a gold span contains is part of the evidence


@dataclass(frozen=True)
class ChoiceRecord:
    """One question's choice: each candidate's signals and whether it answers."""

    id: str
    variant: str  # "asked" | "evidence_removed"
    answerable: bool  # as asked here: an evidence-removed question is not
    signals: tuple[CandidateSignals, ...]
    answers: tuple[bool, ...]
    model_choice: int  # 0: none, else the 1-based candidate


def holds_evidence(sentence: str, evidence: Sequence[str]) -> bool:
    """Whether ``sentence`` holds a gold span, or is a part of one the splitter cut off."""
    return any(
        contains_evidence(sentence, span)
        or (len(sentence) >= _MIN_PART_CHARS and contains_evidence(span, sentence))
        for span in evidence
    )


def answers(question: EvalQuestion, candidate: Candidate) -> bool:
    """Whether a candidate answers ``question``: it holds the gold evidence, or it is in the
    question's language and states every key fact (the same fact in another sentence or
    document answers the question just as well)."""
    if holds_evidence(candidate.sentence, question.evidence):
        return True
    same_language = sentence_language(candidate.sentence) == question.lang
    return same_language and not missing_facts(question.must_include, candidate.sentence)


def rank_rows(
    assistant: AnswerPipeline, questions: Sequence[EvalQuestion]
) -> tuple[list[list[float]], list[bool]]:
    """Every candidate sentence of every answerable question, as features and gold labels."""
    rows: list[list[float]] = []
    labels: list[bool] = []
    for question in tqdm(questions, desc="ranking sentences", unit="q"):
        if not question.answerable:
            continue
        passages = assistant.retriever.search(question.question)
        analysis = analyse_question(question.question)
        for candidate in assistant.candidates(analysis, passages, limit=_ALL_SENTENCES):
            rows.append(_rank_features(candidate))
            labels.append(holds_evidence(candidate.sentence, question.evidence))
    return rows, labels


def _rank_features(candidate: Candidate) -> list[float]:
    return [candidate.match, candidate.cosine, candidate.typed, 1.0 / (1.0 + candidate.rank)]


def fit_rank_weights(rows: list[list[float]], labels: list[bool]) -> RankWeights:
    weights, _bias = fit_logistic(rows, labels)
    return RankWeights(**dict(zip(RANK_FEATURES, weights, strict=True)))


def choice_records(
    assistant: AnswerPipeline, questions: Sequence[EvalQuestion], documents: Sequence[DocumentInfo]
) -> list[ChoiceRecord]:
    """Each question asked as it is, and each answerable one again with its evidence removed."""
    asked = [(q, "asked", None) for q in questions]
    removed = [
        (q, "evidence_removed", evidence_removed_doc_ids(q, documents))
        for q in questions
        if q.answerable
    ]
    records = []
    for question, variant, filter_ids in tqdm([*asked, *removed], desc="choosing", unit="q"):
        passages = assistant.retriever.search(question.question, doc_ids=filter_ids)
        analysis = analyse_question(question.question)
        candidates = assistant.candidates(analysis, passages)
        lang = answer_language(question.question, "auto")
        selection = assistant.choose(question.question, candidates, lang)
        answerable = question.answerable and variant == "asked"
        labels = tuple(answerable and answers(question, c) for c in candidates)
        records.append(
            ChoiceRecord(
                question.id,
                variant,
                answerable,
                tuple(candidate_signals(selection)),
                labels,
                selection.choice,
            )
        )
    return records


def fit_confidence(records: Sequence[ChoiceRecord], wrong_answer_cost: float) -> ConfidenceModel:
    """The logistic model over every candidate, cut at the threshold of best expected value."""
    rows = [s.vector() for r in records for s in r.signals]
    labels = [label for r in records for label in r.answers]
    weights, bias = fit_logistic(rows, labels)
    model = ConfidenceModel(weights, bias, threshold=1.0)
    outcomes = [_best(model, r) for r in records]
    threshold, value = best_threshold(records, outcomes, wrong_answer_cost)
    model.threshold = threshold
    model.fitted = {
        "features": list(FEATURES),
        "wrong_answer_cost": wrong_answer_cost,
        "expected_value": round(value, 4),
        "n_questions": len(records),
        "n_candidates": len(rows),
        **decision_rates(records, outcomes, threshold),
    }
    return model


def _best(model: ConfidenceModel, record: ChoiceRecord) -> tuple[float, bool]:
    """The record's most probable candidate: its probability, and whether it answers."""
    if not record.signals:
        return 0.0, False
    scores = [model.probability(s) for s in record.signals]
    best = max(range(len(scores)), key=scores.__getitem__)
    return scores[best], record.answers[best]


Outcome = tuple[float, bool]  # the best candidate's probability, and whether it answers


def best_threshold(
    records: Sequence[ChoiceRecord], outcomes: Sequence[Outcome], cost: float
) -> tuple[float, float]:
    """The threshold of best expected value (see the module docstring), and that value."""
    answerable, without = _split(records, outcomes)
    best = (1.0, 0.0)
    for threshold in sorted({score for score, _answers in outcomes} | {1.0}):
        right = _share(answerable, threshold, right=True)
        wrong = _share(answerable, threshold, right=False) + _share(without, threshold)
        value = right - cost * wrong
        if value > best[1]:
            best = (threshold, value)
    return best


def _split(
    records: Sequence[ChoiceRecord], outcomes: Sequence[Outcome]
) -> tuple[list[Outcome], list[Outcome]]:
    pairs = list(zip(records, outcomes, strict=True))
    return [o for r, o in pairs if r.answerable], [o for r, o in pairs if not r.answerable]


def _share(outcomes: Sequence[Outcome], threshold: float, right: bool | None = None) -> float:
    """Share of ``outcomes`` answered at ``threshold`` (and, when given, ``right`` or not)."""
    if not outcomes:
        return 0.0
    hits = [a for score, a in outcomes if score >= threshold and (right is None or a == right)]
    return len(hits) / len(outcomes)


def decision_rates(
    records: Sequence[ChoiceRecord], outcomes: Sequence[Outcome], threshold: float
) -> dict[str, float]:
    """How often each kind of question is declined, and answered right, at ``threshold``."""
    pairs = list(zip(records, outcomes, strict=True))
    groups = {
        "answerable": [o for r, o in pairs if r.answerable],
        "unanswerable": [o for r, o in pairs if not r.answerable and r.variant == "asked"],
        "evidence_removed": [o for r, o in pairs if r.variant == "evidence_removed"],
    }
    rates = {
        f"{name}_declined": round(1.0 - _share(group, threshold), 4)
        for name, group in groups.items()
        if group
    }
    if groups["answerable"]:
        rates["answerable_right"] = round(_share(groups["answerable"], threshold, right=True), 4)
    return rates


def records_as_dicts(records: Sequence[ChoiceRecord]) -> list[dict]:
    return [
        {
            "id": r.id,
            "variant": r.variant,
            "answerable": r.answerable,
            "model_choice": r.model_choice,
            "answers": list(r.answers),
            "signals": [[round(x, 5) for x in s.vector()] for s in r.signals],
        }
        for r in records
    ]


def records_from_dicts(data: Sequence[dict]) -> list[ChoiceRecord]:
    """Records written by ``records_as_dicts``: refit without running the model again."""
    return [
        ChoiceRecord(
            d["id"],
            d["variant"],
            d["answerable"],
            tuple(CandidateSignals(*row) for row in d["signals"]),
            tuple(d["answers"]),
            d["model_choice"],
        )
        for d in data
    ]
