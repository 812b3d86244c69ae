"""Which corpus language a question is about, judged from the dense side's best passages.

The multilingual embedder ranks passages *within* a language poorly (issue 10), but it tells
well *which language's* passages a question is about: measured on the development set, the mean
cosine of the three best passages of the question's own language minus that of the other
language is below 0.03 for nearly every cross-lingual question and above it for nearly every
same-language one. Keyword scores cannot tell this: BM25 over English tokens and BM25 over
translated Chinese tokens are on different scales. So fusion adds this probability, per passage
language, as a prior (``fusion.routed``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def language_prior(
    dense: Sequence[tuple[str, float]],
    languages: Mapping[str, str],
    *,
    temperature: float,
    top_n: int = 3,
) -> dict[str, float]:
    """P(the answer is in language L) for every language among the passages: a softmax over
    languages of the mean cosine of each language's ``top_n`` best passages, over
    ``temperature`` (smaller is surer)."""
    by_lang: dict[str, list[float]] = {}
    for item_id, score in dense:
        lang = languages.get(item_id)
        if lang is not None:
            by_lang.setdefault(lang, []).append(score)
    if not by_lang:
        return {}
    strength = {
        lang: sum(best := sorted(scores, reverse=True)[:top_n]) / len(best)
        for lang, scores in by_lang.items()
    }
    top = max(strength.values())
    weights = {lang: math.exp((s - top) / max(temperature, 1e-6)) for lang, s in strength.items()}
    total = sum(weights.values())
    return {lang: w / total for lang, w in weights.items()}
