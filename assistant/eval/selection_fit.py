"""Fit what evidence selection is calibrated on, from a question set's tune half.

Two fits, in the order the pipeline uses them:

1. **Rank weights** of the cheap sentence scorer (``candidates.RankWeights``): a logistic
   regression over every sentence of every question's first retrieved passages, labelled by
   whether the sentence holds the question's gold evidence. No model is needed.
2. **Confidence** of the model's choice (``confidence.ConfidenceModel``): the pipeline chooses
   among the candidates the fitted weights rank first, for every answerable question, for every
   unanswerable one and for every answerable one asked again with its evidence removed (its
   gold documents excluded by the search filter). A choice is right when the question is
   answerable and the chosen sentence holds its gold evidence; the logistic regression over
   the choice's signals is then cut at the threshold that keeps ``target_precision``.

Report figures on the other half: a threshold fitted and judged on the same questions is true by
construction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from tqdm import tqdm

from assistant.answer.assistant import Assistant
from assistant.answer.candidates import RANK_FEATURES, Candidate, RankWeights
from assistant.answer.confidence import (
    FEATURES,
    ChoiceSignals,
    ConfidenceModel,
    fit_logistic,
    precision_threshold,
)
from assistant.answer.language import answer_language
from assistant.eval.dataset import EvalQuestion, contains_evidence
from assistant.text.question import analyse_question

logger = logging.getLogger(__name__)

_ALL_SENTENCES = 10_000


@dataclass(frozen=True)
class ChoiceRecord:
    """One question's choice, its signals and whether it was right."""

    id: str
    variant: str  # "asked" | "evidence_removed"
    answerable: bool
    signals: ChoiceSignals
    right: bool


def holds_evidence(sentence: str, evidence: Sequence[str]) -> bool:
    """Whether ``sentence`` holds a gold span, or is a part of one the splitter cut off."""
    return any(
        contains_evidence(sentence, span)
        or (len(sentence) >= 10 and contains_evidence(span, sentence))
        for span in evidence
    )


def gold_documents(question: EvalQuestion) -> set[str]:
    return {question.doc} if isinstance(question.doc, str) else set(question.doc)


def without_gold(question: EvalQuestion, doc_ids: Sequence[str]) -> list[str]:
    """Every indexed document but the question's gold ones (matched by file name)."""
    gold = gold_documents(question)
    return [doc for doc in doc_ids if doc.rsplit("/", 1)[-1] not in gold]


def rank_rows(
    assistant: Assistant, questions: Sequence[EvalQuestion]
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
    assistant: Assistant, questions: Sequence[EvalQuestion], doc_ids: Sequence[str]
) -> list[ChoiceRecord]:
    """Each question asked as it is, and each answerable one again with its evidence removed."""
    asked = [(q, "asked", None) for q in questions]
    removed = [(q, "evidence_removed", without_gold(q, doc_ids)) for q in questions if q.answerable]
    records = []
    for question, variant, filter_ids in tqdm([*asked, *removed], desc="choosing", unit="q"):
        passages = assistant.retriever.search(question.question, doc_ids=filter_ids)
        analysis = analyse_question(question.question)
        candidates = assistant.candidates(analysis, passages)
        lang = answer_language(question.question, "auto")
        selection = assistant.choose(question.question, candidates, lang)
        chosen = selection.chosen
        answerable = question.answerable and variant == "asked"
        right = (
            answerable and chosen is not None and holds_evidence(chosen.sentence, question.evidence)
        )
        records.append(
            ChoiceRecord(question.id, variant, answerable, ChoiceSignals.of(selection), right)
        )
    return records


def fit_confidence(records: Sequence[ChoiceRecord], target_precision: float) -> ConfidenceModel:
    """The logistic confidence and the threshold keeping ``target_precision`` on ``records``."""
    rows = [r.signals.vector() for r in records]
    labels = [r.right for r in records]
    weights, bias = fit_logistic(rows, labels)
    model = ConfidenceModel(weights, bias, threshold=1.0)
    scores = [model.confidence(r.signals) for r in records]
    threshold, precision, recall = precision_threshold(scores, labels, target_precision)
    model.threshold = threshold
    model.fitted = {
        "features": list(FEATURES),
        "target_precision": target_precision,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "n_right": sum(labels),
        "n": len(labels),
        **decision_rates(records, model),
    }
    return model


def decision_rates(records: Sequence[ChoiceRecord], model: ConfidenceModel) -> dict[str, float]:
    """How often each kind of question is declined at the model's threshold."""
    rates: dict[str, float] = {}
    groups = {
        "answerable_declined": [r for r in records if r.answerable],
        "unanswerable_declined": [r for r in records if not r.answerable and r.variant == "asked"],
        "evidence_removed_declined": [r for r in records if r.variant == "evidence_removed"],
    }
    for name, group in groups.items():
        if group:
            declined = sum(1 for r in group if not model.accepts(r.signals))
            rates[name] = round(declined / len(group), 4)
    return rates


def records_as_dicts(records: Sequence[ChoiceRecord]) -> list[dict]:
    return [asdict(r) for r in records]
