"""Which candidate answers, and how sure: a calibrated judgment on the model's choice.

With greedy sampling a small model almost never says "none of these", prefers the first option
it is shown, and its probabilities alone separate answerable from unanswerable questions well in
Chinese but poorly in English. So each candidate sentence gets a calibrated probability that it
answers the question from several signals — the model's probability of choosing it and of
"none", and how well the sentence matches the question's words, meaning and asked figure kinds
— by a logistic model fitted on the development set's tune half (a candidate is right when it
holds the question's gold evidence; every candidate of an unanswerable question, or of an
answerable one asked with its evidence removed, is wrong). The answer rests
on the most probable candidate, and only when its probability clears the threshold that
``assistant calibrate`` chose for the stated cost of a wrong answer; otherwise the assistant
declines.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.answer.candidates import RankWeights
from assistant.answer.selection import Selection
from assistant.config import read_calibration

logger = logging.getLogger(__name__)

FEATURES = ("p_option", "p_none", "match", "cosine", "typed")


@dataclass(frozen=True)
class CandidateSignals:
    """The signals of one candidate of one choice, in ``FEATURES`` order."""

    p_option: float  # the model's probability of choosing this candidate
    p_none: float  # ... of choosing "none of these"
    match: float  # the candidate's weighted share of the question's key terms
    cosine: float  # its embedding cosine with the question
    typed: float  # the share of the question's typed parts it holds a figure for

    def vector(self) -> list[float]:
        return [getattr(self, name) for name in FEATURES]


def candidate_signals(selection: Selection) -> list[CandidateSignals]:
    """One ``CandidateSignals`` per candidate, in the candidates' order."""
    return [
        CandidateSignals(
            p_option=selection.probabilities[i + 1],
            p_none=selection.p_none,
            match=c.match,
            cosine=c.cosine,
            typed=c.typed,
        )
        for i, c in enumerate(selection.candidates)
    ]


@dataclass(frozen=True)
class Judgment:
    """The candidate the answer rests on (its index), its calibrated probability, and whether
    that clears the threshold."""

    index: int | None
    confidence: float
    accepted: bool
    probabilities: tuple[float, ...] = ()  # every candidate's calibrated probability


@dataclass
class ConfidenceModel:
    """Logistic weights over ``FEATURES`` and the threshold an answer must clear."""

    weights: list[float]
    bias: float
    threshold: float
    features: tuple[str, ...] = FEATURES
    fitted: dict[str, object] = field(default_factory=dict)  # how, on what, with what result

    def probability(self, signals: CandidateSignals) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, signals.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def judge(self, selection: Selection) -> Judgment:
        """The most probable candidate and whether it is probable enough to answer from."""
        probabilities = tuple(self.probability(s) for s in candidate_signals(selection))
        if not probabilities:
            return Judgment(None, 0.0, False)
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        confidence = probabilities[best]
        return Judgment(best, confidence, confidence >= self.threshold, probabilities)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ConfidenceModel:
        features = tuple(data.get("features", ()))
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


def uncalibrated_judgment(selection: Selection) -> Judgment:
    """Before ``assistant calibrate`` has run: the model's own choice, taken as it is."""
    index = selection.choice - 1 if selection.choice else None
    return Judgment(index, selection.p_chosen, index is not None)


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


@dataclass(frozen=True)
class SelectionCalibration:
    """What ``assistant calibrate`` fitted for evidence selection (``selection`` in the file)."""

    rank_weights: RankWeights | None
    confidence: ConfidenceModel | None

    @classmethod
    def load(cls, calibration_file: Path) -> SelectionCalibration:
        recorded = read_calibration(calibration_file).get("selection") or {}
        ranker = recorded.get("rank_weights")
        confidence = recorded.get("confidence")
        model = None
        if confidence:
            try:
                model = ConfidenceModel.from_dict(confidence)
            except ValueError as exc:  # fitted by another version: as good as none
                logger.warning("%s: %s", calibration_file, exc)
        return cls(RankWeights(**ranker) if ranker else None, model)
