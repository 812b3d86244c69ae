"""Fusing the sides' ranked lists into one ranking: language-routed weighted fusion.

Each side's scores are normalised only over the passages of the language its query can match
(the question's own tokens can only match passages in the question's language, the translated
ones only the others), weighted per side and summed; each passage language also gets a prior,
how likely the answer is in that language (see ``routing``). Without the routing an English
question's keyword side gives its best English passage a full 1.0 even when the question is
about the Chinese reports, and the Chinese passages 0. Cosine sides (dense) mean the same in
every query and enter as cosine x scale instead of min-max, so that candidates all at cosine
0.1-0.2 (noise) do not get a full 0-1 spread from them; BM25 has no absolute scale and is
min-max normalised.

Reciprocal rank fusion and plain (global min-max) weighted fusion were measured against this
and lost (evals/retrieval_experiments.md, issue 10); the weights are tuned on the tune half of
the development set only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assistant.retrieval.routing import language_prior

Ranked = Sequence[tuple[str, float]]  # (id, raw score), best first


@dataclass
class FusedHit:
    """One fused result; ``raw`` keeps every side's original score for thresholds and display."""

    item_id: str
    score: float
    raw: dict[str, float] = field(default_factory=dict)


def _collect_raw(runs: Mapping[str, Ranked]) -> dict[str, dict[str, float]]:
    raw: dict[str, dict[str, float]] = {}
    for side, ranked in runs.items():
        for item_id, score in ranked:
            raw.setdefault(item_id, {})[side] = score
    return raw


def _sorted(scores: dict[str, float], raw: dict[str, dict[str, float]]) -> list[FusedHit]:
    hits = [FusedHit(item_id, score, raw.get(item_id, {})) for item_id, score in scores.items()]
    # Ties break on the id so that rankings are deterministic.
    hits.sort(key=lambda h: (-h.score, h.item_id))
    return hits


def single(side: str, ranked: Ranked) -> list[FusedHit]:
    """Hits of one side alone, its raw score as the score."""
    return [FusedHit(item_id, score, {side: score}) for item_id, score in ranked]


def min_max(ranked: Ranked) -> dict[str, float]:
    """Scores scaled to [0, 1] over this list; a list with no spread scores 1 everywhere."""
    if not ranked:
        return {}
    values = [score for _, score in ranked]
    low, high = min(values), max(values)
    if high - low <= 1e-12:
        return {item_id: 1.0 for item_id, _ in ranked}
    return {item_id: (score - low) / (high - low) for item_id, score in ranked}


def routed(
    runs: Mapping[str, Ranked],
    weights: Mapping[str, float],
    languages: Mapping[str, str],
    side_languages: Mapping[str, str | None],
    prior: Mapping[str, float] | None = None,
    cosine_scale: Mapping[str, float] | None = None,
) -> list[FusedHit]:
    """Weighted fusion with each side normalised over the passages it can match.

    ``languages`` gives each passage's language, ``side_languages`` the one language a side's
    query is in (``None``: any, as for the multilingual dense side), and ``prior`` a bonus per
    passage language added to every passage of it. Sides named in ``cosine_scale`` enter as
    cosine x scale; the others are min-max normalised.
    """
    prior = prior or {}
    cosine_scale = cosine_scale or {}
    scores = {item_id: prior.get(languages.get(item_id, ""), 0.0) for item_id in languages}
    for side, ranked in runs.items():
        lang = side_languages.get(side)
        own = [(i, s) for i, s in ranked if lang is None or languages.get(i) == lang]
        weight = weights.get(side, 1.0)
        if cosine_scale.get(side):
            normalised = {item_id: cosine_scale[side] * score for item_id, score in own}
        else:
            normalised = min_max(own)
        for item_id, norm in normalised.items():
            scores[item_id] = scores.get(item_id, 0.0) + weight * norm
    return _sorted(scores, _collect_raw(runs))


@dataclass(frozen=True)
class RoutedFusion:
    """The fuser: per-side weights, the dense cosine scale and the language prior's settings."""

    weights: Mapping[str, float]
    cosine_scale: float = 2.0
    prior_weight: float = 1.0
    prior_temperature: float = 0.05
    prior_side: str = "dense"

    def fuse(
        self,
        completed: Mapping[str, Ranked],
        side_languages: Mapping[str, str | None],
        cosine_sides: Sequence[str],
        languages: Mapping[str, str],
    ) -> list[FusedHit]:
        """Fuse sides that scored every candidate (``SourceRun.complete``)."""
        prior: dict[str, float] = {}
        if self.prior_side in completed and self.prior_weight > 0:
            probabilities = language_prior(
                completed[self.prior_side], languages, temperature=self.prior_temperature
            )
            prior = {lang: self.prior_weight * p for lang, p in probabilities.items()}
        scale = {side: self.cosine_scale for side in cosine_sides} if self.cosine_scale else {}
        return routed(completed, self.weights, languages, side_languages, prior, scale)
