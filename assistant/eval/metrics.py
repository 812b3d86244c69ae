"""Evaluation metrics as pure functions over plain values.

The runner turns each question's answer into a :class:`QuestionOutcome` (what was retrieved,
refused, cited, how long it took); everything here aggregates outcomes into numbers, so every
metric can be checked on hand-made cases without a model or an index. Definitions are in
evals/METRICS.md; a metric that has no question to be measured on is ``None``, never 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from assistant.eval.dataset import match_key
from assistant.eval.normalize import fact_present
from assistant.text.cjk import HAN_RE
from assistant.text.script import script_language

HIT_KS: tuple[int, ...] = (1, 5, 10)
PASS_K = 5  # a retrieval-only question passes when its evidence is in the top PASS_K
TIMING_KEYS: tuple[str, ...] = ("retrieve", "ttft", "total")
PAIR_SLICES: tuple[str, ...] = ("zh→zh", "en→zh", "en→en", "zh→en")

Direction = Literal["higher", "lower", "none"]


@dataclass(frozen=True)
class MetricInfo:
    """How a metric is shown and compared: its label, whether it is a rate or a latency."""

    label: str
    kind: Literal["rate", "latency", "count"]
    better: Direction


def _metric_table() -> dict[str, MetricInfo]:
    table: dict[str, MetricInfo] = {
        "n": MetricInfo("questions", "count", "none"),
        "n_retrieval": MetricInfo("with evidence", "count", "none"),
        "errors": MetricInfo("errors", "count", "lower"),
    }
    for k in HIT_KS:
        table[f"hit@{k}"] = MetricInfo(f"hit@{k}", "rate", "higher")
    table["mrr"] = MetricInfo("MRR", "rate", "higher")
    table["key_fact_accuracy"] = MetricInfo("key-fact accuracy", "rate", "higher")
    table["answer_accuracy"] = MetricInfo("answer accuracy (pass rate)", "rate", "higher")
    table["refusal_precision"] = MetricInfo("refusal precision", "rate", "higher")
    table["refusal_recall"] = MetricInfo("refusal recall", "rate", "higher")
    table["citation_precision"] = MetricInfo("citation precision", "rate", "higher")
    table["citation_precision_strict"] = MetricInfo(
        "citation precision (evidence only)", "rate", "higher"
    )
    table["citation_recall"] = MetricInfo("citation recall", "rate", "higher")
    table["citation_rate"] = MetricInfo("answers with a citation", "rate", "higher")
    table["language_accuracy"] = MetricInfo("answer-language accuracy", "rate", "higher")
    table["answerable_declined_rate"] = MetricInfo("answerable declined", "rate", "lower")
    table["unanswerable_declined_rate"] = MetricInfo("unanswerable declined", "rate", "higher")
    table["en_answers_with_cjk"] = MetricInfo(
        "English answers with CJK outside quotations", "count", "lower"
    )
    for key in TIMING_KEYS:
        for q in (50, 95):
            table[f"{key}_p{q}_s"] = MetricInfo(f"{key} p{q} (s)", "latency", "lower")
    return table


METRICS: dict[str, MetricInfo] = _metric_table()


# --------------------------------------------------------------------------- evidence


def passage_has_evidence(passage_text: str, evidence_spans: Iterable[str]) -> bool:
    """Whether a passage contains one of the evidence spans.

    Compared after :func:`assistant.eval.dataset.match_key` (no whitespace, no superscript
    footnote digits, NFKC), the same key the question-set check uses against the corpus. A span
    that a chunk boundary cuts also counts for the passage holding at least half of it (its
    start at the passage's end, or its end at the passage's start), so chunking alone cannot
    turn a retrieval hit into a miss.
    """
    text = match_key(passage_text)
    if not text:
        return False
    for span in evidence_spans:
        key = match_key(span)
        if not key:
            continue
        if key in text or _straddles(key, text):
            return True
    return False


def _straddles(span: str, text: str) -> bool:
    half = (len(span) + 1) // 2
    for size in range(len(span) - 1, half - 1, -1):
        if text.endswith(span[:size]) or text.startswith(span[-size:]):
            return True
    return False


def first_evidence_rank(passage_texts: Sequence[str], evidence_spans: Sequence[str]) -> int | None:
    """1-based rank of the first passage containing an evidence span; ``None`` if none does."""
    for rank, text in enumerate(passage_texts, start=1):
        if passage_has_evidence(text, evidence_spans):
            return rank
    return None


def hit_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions whose first evidence passage is ranked within the top ``k``."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """Mean of 1/rank of the first evidence passage (0 when it was not retrieved)."""
    if not ranks:
        return None
    return sum(1.0 / r for r in ranks if r is not None) / len(ranks)


# --------------------------------------------------------------------------- answers


def missing_facts(must_include: Iterable[str], answer_text: str) -> list[str]:
    """The key facts the answer does not state (after normalisation)."""
    return [fact for fact in must_include if not fact_present(fact, answer_text)]


def refusal_precision_recall(
    refused: Sequence[bool], answerable: Sequence[bool]
) -> tuple[float | None, float | None]:
    """Precision and recall of refusing, with "refused" as the positive class.

    Precision: of the refusals, how many were for unanswerable questions.
    Recall: of the unanswerable questions, how many were refused.
    """
    pairs = list(zip(refused, answerable, strict=True))
    true_pos = sum(1 for r, a in pairs if r and not a)
    refusals = sum(1 for r, _ in pairs if r)
    unanswerable = sum(1 for _, a in pairs if not a)
    precision = true_pos / refusals if refusals else None
    recall = true_pos / unanswerable if unanswerable else None
    return precision, recall


_QUOTED_RE = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"]*\"")
_MARKER_RE = re.compile(r"\[\d+(?:\s*[,，]\s*\d+)*\]")


def text_language(text: str) -> str:
    """Language an answer is written in, by script, ignoring quotations and [n] markers.

    An English answer may quote the Chinese sentence it translates; the quote is evidence, not
    the answer's language.
    """
    stripped = _MARKER_RE.sub(" ", _QUOTED_RE.sub(" ", text))
    return script_language(stripped if stripped.strip() else text)


# A quotation may carry the source's own script: text inside “…”, "…" or 「…」, and the rest of
# a line that starts with "Original:" / "原文：" (how an answer labels the sentence it translates).
_QUOTATION_RE = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")
_ORIGINAL_LINE_RE = re.compile(
    r"^[ \t>*-]*(?:Original|原文)[ \t]*[:：].*$", re.MULTILINE | re.IGNORECASE
)


def cjk_outside_quotations(text: str) -> bool:
    """Whether an answer has Han characters outside its quotations.

    An English answer that quotes its Chinese source is fine; Chinese words in its own
    sentences (an untranslated name, a copied clause) are not, whatever the language check
    made of the answer as a whole.
    """
    stripped = _QUOTATION_RE.sub(" ", _ORIGINAL_LINE_RE.sub(" ", text))
    return bool(HAN_RE.search(stripped))


# --------------------------------------------------------------------------- per question


@dataclass
class QuestionOutcome:
    """What one question's run produced, reduced to what the metrics need.

    Answer-side fields are ``None`` in a retrieval-only run.
    """

    id: str
    question_lang: str
    doc_lang: str  # "zh" | "en" | "mixed" | "none" (unanswerable) | "unknown"
    answerable: bool
    followup: bool = False
    tags: list[str] = field(default_factory=list)
    has_evidence: bool = False
    evidence_rank: int | None = None
    refused: bool | None = None
    facts_missing: list[str] | None = None
    citations_total: int | None = None
    citations_supporting: int | None = None  # contain evidence or attributed by the answer
    citations_with_evidence: int | None = None
    evidence_cited: bool | None = None
    evidence_in_prompt: bool | None = None  # a passage shown to the model holds evidence
    answer_lang: str | None = None
    cjk_outside_quotes: bool | None = None  # English questions only: Han outside quotations
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    retrieval_only: bool = False

    @property
    def pair_slice(self) -> str:
        return f"{self.question_lang}→{self.doc_lang}"

    @property
    def answered(self) -> bool:
        return self.error is None and self.refused is False

    @property
    def passed(self) -> bool | None:
        """The question's verdict for pass/fail lists; ``None`` when it cannot be judged."""
        if self.error is not None:
            return False
        if self.retrieval_only:
            if not self.has_evidence:
                return None
            return self.evidence_rank is not None and self.evidence_rank <= PASS_K
        if not self.answerable:
            return bool(self.refused)
        return self.answered and not self.facts_missing

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuestionOutcome:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile; ``None`` for no values."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def summarize(outcomes: Sequence[QuestionOutcome]) -> dict[str, float | int | None]:
    """Every metric over one group of questions (the whole set or one slice)."""
    with_evidence = [o for o in outcomes if o.has_evidence]
    ranks = [o.evidence_rank for o in with_evidence]
    summary: dict[str, float | int | None] = {
        "n": len(outcomes),
        "n_retrieval": len(with_evidence),
        "errors": sum(1 for o in outcomes if o.error is not None),
    }
    for k in HIT_KS:
        summary[f"hit@{k}"] = hit_at_k(ranks, k)
    summary["mrr"] = mean_reciprocal_rank(ranks)

    judged = [o for o in outcomes if not o.retrieval_only]
    answerable = [o for o in judged if o.answerable]
    answered = [o for o in answerable if o.answered]
    summary["key_fact_accuracy"] = _ratio(
        sum(1 for o in answerable if o.answered and not o.facts_missing), len(answerable)
    )
    summary["answer_accuracy"] = _ratio(sum(1 for o in judged if o.passed), len(judged))
    no_error = [o for o in judged if o.error is None]
    precision, recall = refusal_precision_recall(
        [bool(o.refused) for o in no_error], [o.answerable for o in no_error]
    )
    summary["refusal_precision"] = precision
    summary["refusal_recall"] = recall
    cited = sum(o.citations_total or 0 for o in answered)
    summary["citation_precision"] = _ratio(
        sum(o.citations_supporting or 0 for o in answered), cited
    )
    summary["citation_precision_strict"] = _ratio(
        sum(o.citations_with_evidence or 0 for o in answered), cited
    )
    recall_base = [o for o in answered if o.has_evidence]
    summary["citation_recall"] = _ratio(
        sum(1 for o in recall_base if o.evidence_cited), len(recall_base)
    )
    summary["citation_rate"] = _ratio(
        sum(1 for o in answered if (o.citations_total or 0) > 0), len(answered)
    )
    answerable_judged = [o for o in no_error if o.answerable]
    summary["answerable_declined_rate"] = _ratio(
        sum(1 for o in answerable_judged if o.refused), len(answerable_judged)
    )
    unanswerable_judged = [o for o in no_error if not o.answerable]
    summary["unanswerable_declined_rate"] = _ratio(
        sum(1 for o in unanswerable_judged if o.refused), len(unanswerable_judged)
    )
    english = [o for o in no_error if o.cjk_outside_quotes is not None]
    summary["en_answers_with_cjk"] = (
        sum(1 for o in english if o.cjk_outside_quotes) if english else None
    )
    with_lang = [o for o in no_error if o.answer_lang is not None]
    summary["language_accuracy"] = _ratio(
        sum(1 for o in with_lang if o.answer_lang == o.question_lang), len(with_lang)
    )
    for key in TIMING_KEYS:
        values = [o.timings[key] for o in outcomes if o.error is None and key in o.timings]
        summary[f"{key}_p50_s"] = percentile(values, 50)
        summary[f"{key}_p95_s"] = percentile(values, 95)
    return summary


_BUILT_IN_SLICE_TAGS = frozenset({"followup", "unanswerable"})  # already slices of their own


def slice_names(outcome: QuestionOutcome) -> list[str]:
    """Every slice a question belongs to, besides "all"."""
    names = [f"q:{outcome.question_lang}"]
    names.append(outcome.pair_slice if outcome.answerable else "unanswerable")
    if outcome.followup:
        names.append("followup")
    names.extend(f"tag:{tag}" for tag in outcome.tags if tag not in _BUILT_IN_SLICE_TAGS)
    return names


def _slice_order(name: str) -> tuple[int, str]:
    if name == "all":
        return (0, "")
    if name.startswith("q:"):
        return (1, name)
    if name in PAIR_SLICES:
        return (2, str(PAIR_SLICES.index(name)))
    if "→" in name:
        return (3, name)
    if name in ("unanswerable", "followup"):
        return (4, name)
    return (5, name)


def summarize_slices(outcomes: Sequence[QuestionOutcome]) -> dict[str, dict[str, Any]]:
    """Metrics for the whole set ("all") and for each slice, in a stable reading order."""
    groups: dict[str, list[QuestionOutcome]] = {"all": list(outcomes)}
    for outcome in outcomes:
        for name in slice_names(outcome):
            groups.setdefault(name, []).append(outcome)
    return {name: summarize(groups[name]) for name in sorted(groups, key=_slice_order)}
