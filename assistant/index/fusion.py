"""Fusing ranked lists from the dense and lexical sides into one ranking.

Two methods, chosen by ``settings.retrieval.fusion``:

- ``rrf``: reciprocal rank fusion, ``sum_side w_side / (k + rank)``. It ignores score scales,
  which is its strength (cosine and BM25 are not comparable) and its weakness: a confident
  BM25 hit and a barely-relevant dense hit at the same rank count the same.
- ``weighted``: each side's scores are min-max normalised over that side's candidates to
  [0, 1] and summed with per-side weights; a chunk missing from a side gets 0 there. Score gaps
  survive, so a side that is sure of its top hit can outvote a side that is not.
- ``routed``: ``weighted``, but a keyword side is normalised only over the passages of the
  language its tokens are in (the question's own tokens can only match passages in the
  question's language, the translated ones only the others), and each language's passages get
  a prior: how likely the answer is in that language (see ``routing``). Without it an English
  question's keyword side gives its best English passage a full 1.0 even when the question is
  about the Chinese reports, and the Chinese passages 0. Cosine sides can enter unnormalised.

Issue 10 measured that equal weights let the weak side drag the strong one down, so both
methods take per-side weights; the defaults live in ``RetrievalSettings`` and are tuned on the
development set only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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


def rrf(
    runs: Mapping[str, Ranked], k: int = 60, weights: Mapping[str, float] | None = None
) -> list[FusedHit]:
    """Reciprocal rank fusion (plain when all weights are 1)."""
    scores: dict[str, float] = {}
    for side, ranked in runs.items():
        weight = 1.0 if weights is None else weights.get(side, 1.0)
        for rank, (item_id, _) in enumerate(ranked, start=1):
            scores[item_id] = scores.get(item_id, 0.0) + weight / (k + rank)
    return _sorted(scores, _collect_raw(runs))


def min_max(ranked: Ranked) -> dict[str, float]:
    """Scores scaled to [0, 1] over this list; a list with no spread scores 1 everywhere."""
    if not ranked:
        return {}
    values = [score for _, score in ranked]
    low, high = min(values), max(values)
    if high - low <= 1e-12:
        return {item_id: 1.0 for item_id, _ in ranked}
    return {item_id: (score - low) / (high - low) for item_id, score in ranked}


def weighted(runs: Mapping[str, Ranked], weights: Mapping[str, float]) -> list[FusedHit]:
    """Weighted sum of per-side min-max normalised scores."""
    scores: dict[str, float] = {}
    for side, ranked in runs.items():
        weight = weights.get(side, 1.0)
        for item_id, norm in min_max(ranked).items():
            scores[item_id] = scores.get(item_id, 0.0) + weight * norm
    return _sorted(scores, _collect_raw(runs))


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
    passage language added to every passage of it. Sides named in ``cosine_scale`` are cosines,
    which mean the same in every query: they enter as cosine x scale instead of min-max, so
    that candidates all at cosine 0.1-0.2 (noise) do not get a full 0-1 spread from them.
    BM25 scores have no such absolute scale and are min-max normalised.
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
