"""How well a question's terms match each document's title, as a bonus for its passages.

Questions often name the document rather than words of the passage that answers them: "what
did Burkina Faso say about ...", "the 2010 letter on CTED's activities". The passage itself
rarely repeats the speaker or the letter's date, but the document title does ("General Debate
statement: Burkina Faso, 73rd session (2018)", "2010年11月2日...主席给安全理事会主席的信").
Each title scores the summed idf of the question's distinct terms (its own, glossary and bridge
tokens, in both languages) that it contains; idf is over titles, so words every title shares
("statement", 安全理事会) count for little.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable


class TitleScorer:
    """Title match scores per document; title tokens are rebuilt when the corpus changes."""

    def __init__(self, tokenize: Callable[[str], list[str]]) -> None:
        self._tokenize = tokenize
        self._key: str | None = None
        self._tokens: dict[str, set[str]] = {}
        self._idf: dict[str, float] = {}
        self._lock = threading.Lock()

    def update(self, key: str, titles: Callable[[], dict[str, str]]) -> None:
        """Re-tokenise the titles (doc id → title) when ``key`` (the corpus fingerprint)
        changed since the last call."""
        with self._lock:
            if key == self._key:
                return
        tokens = {doc_id: set(self._tokenize(title)) for doc_id, title in titles().items()}
        df = Counter(t for toks in tokens.values() for t in toks)
        n = max(len(tokens), 1)
        idf = {t: math.log(1 + n / count) for t, count in df.items()}
        with self._lock:
            self._key, self._tokens, self._idf = key, tokens, idf

    def scores(self, terms: Iterable[str], doc_ids: Iterable[str]) -> dict[str, float]:
        """Sum of idf of the distinct ``terms`` found in each document's title (0: none)."""
        wanted = set(terms)
        with self._lock:
            tokens, idf = self._tokens, self._idf
        return {
            doc_id: sum(idf[t] for t in wanted & tokens.get(doc_id, set()))
            for doc_id in dict.fromkeys(doc_ids)
        }
