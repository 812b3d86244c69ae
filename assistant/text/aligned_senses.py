"""Which CC-CEDICT sense UN translators wrote for a Chinese word, from aligned sentence pairs.

How often English UN text uses a word (``un_ngrams``) says little when the English word has
other meanings: General Debate speakers say "conference" more often than "meeting" and "capital"
(the city) more often than "funds", yet 会议 is translated "meeting" and 资金 "funds". The UN
Parallel Corpus pairs each Chinese sentence with its English translation; counting, for each
Chinese word, the sentence pairs whose English has one of the word's senses shows the choice
translators made (会议: meeting 161, conference 76; 全球: global 71, world 7; 建议:
recommendation 93, propose 4).

The counts are built by ``scripts/build_un_term_frequencies.py`` from the development set of the
UN Parallel Corpus and shipped in the package (``data/un_aligned_senses.tsv.gz``).
"""

from __future__ import annotations

import gzip
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from assistant.text.cedict_senses import Sense, sense_forms
from assistant.text.un_ngrams import MAX_WORDS, word_runs

logger = logging.getLogger(__name__)

ALIGNED_FILE = Path(__file__).parent / "data" / "un_aligned_senses.tsv.gz"


def english_ngrams(text: str, max_words: int = MAX_WORDS) -> set[str]:
    """The lower-cased 1–``max_words``-word n-grams of an English sentence."""
    found: set[str] = set()
    for words in word_runs(text):
        for n in range(1, max_words + 1):
            found.update(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return found


def count_aligned_senses(
    pairs: Iterable[tuple[str, str]],
    senses: Mapping[str, tuple[Sense, ...]],
    chinese_words: Callable[[str], Iterable[str]],
) -> Counter[tuple[str, str]]:
    """(Chinese word, sense key) → the number of (Chinese, English) sentence pairs in which the
    Chinese sentence has the word and its English one of the sense's forms."""
    counts: Counter[tuple[str, str]] = Counter()
    for chinese, english in pairs:
        grams = english_ngrams(english)
        for word in set(chinese_words(chinese)):
            for sense in senses.get(word, ()):
                if any(form in grams for form in sense_forms(sense)):
                    counts[(word, sense.key)] += 1
    return counts


def write_aligned(path: Path, counts: Mapping[tuple[str, str], int], header: Iterable[str]) -> None:
    """``word<TAB>sense<TAB>count`` lines sorted, after ``#`` header lines; gzip without a
    timestamp, so the same input gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# {line}" for line in header]
    lines += [f"{word}\t{sense}\t{counts[(word, sense)]}" for word, sense in sorted(counts)]
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
        zipped.write(("\n".join(lines) + "\n").encode("utf-8"))


class AlignedSenses:
    """How many UN sentence pairs translate a Chinese word by each of its senses."""

    def __init__(self, counts: Mapping[tuple[str, str], int]) -> None:
        self.counts = counts

    @classmethod
    def load(cls, path: Path = ALIGNED_FILE) -> AlignedSenses:
        counts: dict[tuple[str, str], int] = {}
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                parts = line.rstrip("\n").split("\t")
                if line.startswith("#") or len(parts) != 3:
                    continue
                counts[(parts[0], parts[1])] = int(parts[2])
        logger.debug("UN aligned senses: %d from %s", len(counts), path)
        return cls(counts)

    def count(self, word: str, sense_key: str) -> int:
        return self.counts.get((word, sense_key), 0)


class SharedAligned:
    """The shipped counts, loaded once per process on first use."""

    def __init__(self, path: Path = ALIGNED_FILE) -> None:
        self.path = path
        self._aligned: AlignedSenses | None = None
        self._lock = threading.Lock()

    def __call__(self) -> AlignedSenses:
        with self._lock:
            if self._aligned is None:
                self._aligned = AlignedSenses.load(self.path)
            return self._aligned
