"""A bilingual term glossary for query expansion, kept as a TSV file users can extend.

UN documents use fixed translations for their terminology ("consider" a report is 审议, not the
everyday 考虑; CTED is 反恐执行局), which neither word vectors nor BM25 can guess. Each line of
the glossary is ``english<TAB>chinese`` (``#`` starts a comment); when one side occurs in a
query, the other side is searched for as well. Matching is case-insensitive on whole English
words and by substring for Chinese, on the query folded to Simplified characters (the
glossary is written in Simplified; a Traditional query finds the same entries).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.text.variants import to_simplified

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Entry:
    english: str
    chinese: str
    pattern: re.Pattern[str]


class Glossary:
    """English ↔ Chinese term pairs."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._entries = [
            _Entry(en, zh, re.compile(rf"(?<![A-Za-z]){re.escape(en)}(?![A-Za-z])", re.I))
            for en, zh in pairs
        ]

    @classmethod
    def load(cls, path: Path | None) -> Glossary:
        """Read a glossary file; a missing file is an empty glossary."""
        if path is None or not Path(path).is_file():
            return cls([])
        pairs = []
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = [p.strip() for p in line.split("\t") if p.strip()]
            if len(parts) != 2:
                logger.warning("%s:%d: expected 'english<TAB>chinese', skipped", path, number)
                continue
            pairs.append((parts[0], parts[1]))
        return cls(pairs)

    def matches(self, query: str) -> list[tuple[str, str]]:
        """(term found in ``query``, its translation) for every entry one side of which occurs.

        A match inside a longer one is dropped: "Papua New Guinea" is not also "Guinea", and
        印度尼西亚 (Indonesia) is not also 印度 (India).
        """
        query = to_simplified(query)
        spans: list[tuple[int, int, str, str]] = []
        for entry in self._entries:
            hit = entry.pattern.search(query)
            if hit:
                spans.append((hit.start(), hit.end(), hit.group(), entry.chinese))
            start = query.find(entry.chinese)
            if start >= 0:
                spans.append((start, start + len(entry.chinese), entry.chinese, entry.english))
        return [
            (term, translation)
            for start, end, term, translation in spans
            if not any(s <= start and end <= e and e - s > end - start for s, e, _, _ in spans)
        ]

    def __len__(self) -> int:
        return len(self._entries)
