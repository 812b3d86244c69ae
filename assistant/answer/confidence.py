"""How sure the pipeline is that the chosen sentence answers the question: a calibrated judgment.

With greedy sampling a small model almost never says "none of these", and its probabilities
alone separate answerable from unanswerable questions well in Chinese but poorly in English.
So the judgment combines several signals of one choice — the model's probability of "none", of
its choice and the margin over the runner-up, and how well the chosen sentence matches the
question's words and meaning — in a logistic model fitted on the development set's tune half
(positives: the chosen sentence holds the gold evidence; negatives: unanswerable questions, the
same questions asked with their evidence removed, and wrong choices). ``assistant calibrate``
fits it and writes it to ``evals/calibration.json`` with the threshold that keeps the stated
precision; a part is answered only above that threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.answer.calibration import load_calibration
from assistant.answer.candidates import RankWeights
from assistant.answer.selection import Selection

FEATURES = ("p_none", "p_chosen", "margin", "match", "cosine")


@dataclass(frozen=True)
class ChoiceSignals:
    """The signals of one choice, in ``FEATURES`` order."""

    p_none: float
    p_chosen: float
    margin: float
    match: float
    cosine: float

    @classmethod
    def of(cls, selection: Selection) -> ChoiceSignals:
        chosen = selection.chosen
        runner_up = selection.runner_up()
        return cls(
            p_none=selection.p_none,
            p_chosen=selection.p_chosen,
            margin=selection.p_chosen - (runner_up[1] if runner_up else 0.0),
            match=chosen.match if chosen else 0.0,
            cosine=chosen.cosine if chosen else 0.0,
        )

    def vector(self) -> list[float]:
        return [getattr(self, name) for name in FEATURES]


@dataclass
class ConfidenceModel:
    """Logistic weights over ``FEATURES`` and the threshold an answer must clear."""

    weights: list[float]
    bias: float
    threshold: float
    features: tuple[str, ...] = FEATURES
    fitted: dict[str, object] = field(default_factory=dict)  # how, on what, with what result

    def confidence(self, signals: ChoiceSignals) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, signals.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def accepts(self, signals: ChoiceSignals) -> bool:
        return self.confidence(signals) >= self.threshold

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ConfidenceModel:
        features = tuple(data.get("features", FEATURES))
        if features != FEATURES:
            raise ValueError(
                f"the confidence model was fitted on {features}, this version uses {FEATURES}: "
                "run `assistant calibrate evals/dev.jsonl`"
            )
        return cls(
            weights=[float(w) for w in data["weights"]],
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            fitted=dict(data.get("fitted", {})),
        )


def fit_logistic(
    rows: Sequence[Sequence[float]], labels: Sequence[bool], l2: float = 1.0, steps: int = 50
) -> tuple[list[float], float]:
    """Weights and bias of an L2-regularised logistic regression (Newton's method)."""
    x = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=float)
    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    penalty = l2 * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-design @ beta))
        gradient = design.T @ (p - y) + penalty @ beta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1].tolist(), float(beta[-1])


def precision_threshold(
    scores: Sequence[float], labels: Sequence[bool], min_precision: float
) -> tuple[float, float, float]:
    """The lowest threshold whose accepted scores are right at least ``min_precision`` of the
    time (the most answers at that precision), with its precision and recall."""
    pairs = sorted(zip(scores, labels, strict=True), reverse=True)
    positives = sum(labels) or 1
    best = (max(scores) + 1e-6 if scores else 1.0, 1.0, 0.0)
    right = 0
    for count, (score, label) in enumerate(pairs, 1):
        right += label
        next_score = pairs[count][0] if count < len(pairs) else None
        if next_score == score:
            continue  # a threshold cannot split equal scores
        precision = right / count
        if precision >= min_precision:
            best = (score, precision, right / positives)
    return best


@dataclass(frozen=True)
class SelectionCalibration:
    """What ``assistant calibrate`` fitted for evidence selection (``selection`` in the file)."""

    rank_weights: RankWeights | None
    confidence: ConfidenceModel | None

    @classmethod
    def load(cls, calibration_file: Path) -> SelectionCalibration:
        recorded = (load_calibration(calibration_file) or {}).get("selection") or {}
        ranker = recorded.get("rank_weights")
        confidence = recorded.get("confidence")
        return cls(
            RankWeights(**ranker) if ranker else None,
            ConfidenceModel.from_dict(confidence) if confidence else None,
        )
