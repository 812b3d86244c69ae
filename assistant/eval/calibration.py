"""Choose the refusal threshold from an evaluation set, and record how it was chosen.

The assistant refuses without calling the model when relevance < threshold. "Refuse" is the
positive class (questions whose answer is not in the corpus). Three objectives:

- ``precision`` (default): the highest refusal recall whose refusal precision is at least
  ``min_precision``. The retrieval gate is final — a question it refuses never reaches the
  model — while a question it lets through still meets the model's own refusal, so a false
  refusal costs more than a missed one. When no threshold is that precise, nothing is refused.
- ``f1``: the best refusal F1, for a gate that must do all the refusing alone.
- ``accuracy``: the most questions classified right.

Ties go to the higher accuracy, then to the middle of the widest gap between neighbouring
scores, which leaves the most margin for questions not in the set.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class ThresholdPoint:
    threshold: float
    precision: float
    recall: float
    f1: float
    accuracy: float


@dataclass
class Calibration:
    signal: str
    threshold: float
    f1: float
    accuracy: float
    precision: float
    recall: float
    n_answerable: int
    n_unanswerable: int
    curve: list[ThresholdPoint] = field(default_factory=list)
    created: str = ""
    index_fingerprint: str = ""
    question_set: str = ""
    alternatives: dict[str, dict[str, float]] = field(default_factory=dict)
    objective: str = "precision"
    # Evidence selection (``assistant calibrate``): rank weights, choice confidence, records.
    selection: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(self.to_json() + "\n", encoding="utf-8")
        tmp.replace(path)


def evaluate_threshold(
    scores: Sequence[float], answerable: Sequence[bool], threshold: float
) -> ThresholdPoint:
    """Refusal precision, recall, F1 and overall accuracy at one threshold."""
    tp = fp = fn = tn = 0
    for score, can_answer in zip(scores, answerable, strict=True):
        refused = score < threshold
        if refused and not can_answer:
            tp += 1
        elif refused:
            fp += 1
        elif not can_answer:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = (tp + tn) / len(scores) if scores else 0.0
    return ThresholdPoint(threshold, precision, recall, f1, accuracy)


def candidate_thresholds(scores: Sequence[float]) -> list[float]:
    """Midpoints between neighbouring distinct scores, plus one below and one above all."""
    distinct = sorted(set(scores))
    if not distinct:
        return [0.0]
    middles = [(a + b) / 2 for a, b in itertools.pairwise(distinct)]
    return [distinct[0] - 1e-3, *middles, distinct[-1] + 1e-3]


Objective = Literal["precision", "f1", "accuracy"]


def calibrate(
    scores: Sequence[float],
    answerable: Sequence[bool],
    signal: str = "combined",
    *,
    objective: Objective = "precision",
    min_precision: float = 0.9,
) -> Calibration:
    """The threshold that best meets ``objective`` (see the module docstring), and the curve."""
    if len(scores) != len(answerable) or not scores:
        raise ValueError("calibration needs one score per question and at least one question")
    curve = [evaluate_threshold(scores, answerable, t) for t in candidate_thresholds(scores)]
    distinct = sorted(set(scores))

    def margin(point: ThresholdPoint) -> float:
        below = [s for s in distinct if s < point.threshold]
        above = [s for s in distinct if s >= point.threshold]
        if not below or not above:
            return 0.0
        return above[0] - below[-1]

    def key(point: ThresholdPoint) -> tuple[float, ...]:
        main = {"f1": point.f1, "accuracy": point.accuracy, "precision": point.recall}[objective]
        return (round(main, 9), round(point.accuracy, 9), margin(point))

    eligible = curve
    if objective == "precision":
        eligible = [p for p in curve if p.precision >= min_precision and p.recall > 0]
        eligible = eligible or [curve[0]]  # below every score: refuse nothing
    best = max(eligible, key=key)
    return Calibration(
        signal=signal,
        threshold=best.threshold,
        f1=best.f1,
        accuracy=best.accuracy,
        precision=best.precision,
        recall=best.recall,
        n_answerable=sum(1 for a in answerable if a),
        n_unanswerable=sum(1 for a in answerable if not a),
        curve=curve,
        objective=objective if objective != "precision" else f"precision>={min_precision}",
    )
