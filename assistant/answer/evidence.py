"""Cheap, explainable measures of how much one text backs another.

Used twice: to decide whether retrieval found anything relevant (question vs passage) and to
check that a cited passage supports an answer sentence (sentence vs passage sentence). Three
signals, each easy to show a user:

- **content-token coverage**: the share of the claim's content words (``lexical_tokens`` minus
  function words) found in the evidence; meaningful within one language;
- **numbers**: digits are the same in Chinese and English text ("第330次会议" / "330th meeting"),
  and English month names are mapped to month numbers, so dates and figures can be checked
  across languages; a claim whose numbers are absent from the evidence is not supported;
- **semantic similarity**: cosine of the multilingual sentence embeddings, the only signal that
  crosses languages for words.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import lru_cache

import numpy as np

from assistant.models.embedders import Embedder
from assistant.text.figures import figure_atoms
from assistant.text.numerals import MONTHS
from assistant.text.words import content_tokens

# "may" is a month only next to a day or year ("8 May 2018"), never the verb.
_MONTH_WORD = re.compile(
    r"\b(january|february|march|april|june|july|august|september|october|november|december)\b"
    r"|(?<=\d )(may)\b|\b(may)(?= \d)",
    re.I,
)


def numbers(text: str) -> set[str]:
    """The figures of ``text`` as comparable atoms (``assistant.text.figures``): "1,373" → "1373",
    "两个" and "two" → "2", "7亿美元" and "US$ 700 million" → "700000000", a date its year, month
    and day; plus the month of an English month name standing alone ("in April" → "4").

    The evaluation's fact normaliser reads numerals through the same tables
    (``assistant.text.numerals``), so a figure supported here is one the scorer would find.
    """
    found = figure_atoms(text)
    for match in _MONTH_WORD.finditer(text):
        found.add(str(MONTHS[match.group(0).lower()]))
    return found


def coverage(claim: set[str], evidence: set[str]) -> float:
    """Share of ``claim`` found in ``evidence``; 0 for an empty claim."""
    if not claim:
        return 0.0
    return len(claim & evidence) / len(claim)


def weighted_coverage(
    claim: Collection[str], evidence: Collection[str], weight: Callable[[str], float]
) -> float:
    """Share of ``claim``'s total ``weight`` found in ``evidence``; 0 for an empty claim."""
    total = sum(weight(word) for word in claim)
    if not total:
        return 0.0
    return sum(weight(word) for word in claim if word in evidence) / total


WordWeight = Callable[[str], float]


def term_weights(passages: Sequence[str]) -> WordWeight:
    """Inverse passage frequency over the retrieved passages, as BM25 weighs it.

    A word in nearly all of them weighs almost nothing; one in few of them weighs most. Words
    that occur in none cannot match, so their weight does not matter.
    """
    frequency = Counter(word for text in passages for word in cached_content_tokens(text))
    total = len(passages)
    return lambda word: math.log(1 + (total - frequency[word] + 0.5) / (frequency[word] + 0.5))


def translated_coverage(
    alternatives: Mapping[str, set[str]], words: Collection[str], weight: WordWeight
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


def numbers_supported(
    claim_numbers: set[str], evidence_numbers: set[str], min_share: float = 0.5
) -> bool:
    """True when the claim has no figures or at least ``min_share`` of them are in the evidence.

    Half (``answer.support_min_figure_share``), not all, because an answer may add a figure that
    is a count of listed items or repeat one from the question; a claim whose figures are all
    absent is almost always a wrong fact.
    """
    if not claim_numbers:
        return True
    return len(claim_numbers & evidence_numbers) >= min_share * len(claim_numbers)


class SentenceVectors:
    """Embeds texts with the multilingual embedder and remembers them (answers reuse passages).

    Shared by concurrent requests in the app, so the cache is read and written under a lock and
    each call assembles its result from its own lookups.
    """

    def __init__(self, embedder: Embedder, cache_size: int = 4096) -> None:
        self.embedder = embedder
        self._cache: dict[str, np.ndarray] = {}
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def vectors(self, texts: Iterable[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
            missing = [t for t in dict.fromkeys(texts) if t not in found]
            if missing:
                embedded = self.embedder.embed(missing)
                if len(self._cache) + len(missing) > self._cache_size:
                    self._cache.clear()
                for text, vector in zip(missing, embedded, strict=True):
                    found[text] = self._cache[text] = np.asarray(vector, dtype=np.float32)
        return np.stack([found[t] for t in texts])

    def similarities(self, claims: list[str], evidence: list[str]) -> np.ndarray:
        """Cosine matrix (claims × evidence); the vectors are already normalised."""
        if not claims or not evidence:
            return np.zeros((len(claims), len(evidence)), dtype=np.float32)
        return self.vectors(claims) @ self.vectors(evidence).T


@lru_cache(maxsize=8192)
def cached_content_tokens(text: str) -> frozenset[str]:
    """``content_tokens`` memoised: passages are tokenised again for every question."""
    return frozenset(content_tokens(text))


@lru_cache(maxsize=8192)
def cached_numbers(text: str) -> frozenset[str]:
    return frozenset(numbers(text))
