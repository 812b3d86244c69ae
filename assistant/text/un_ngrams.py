"""How often English UN text uses a phrase: the counts that choose a dictionary sense.

CC-CEDICT lists a word's senses in no particular order of UN usage (审议: deliberate, consider,
discuss; 区域: area, region, district). UN delegates and translators write "consider" and
"region", and how often English UN text uses each sense says so. The counts are lower-cased
1–3-word n-grams of the UN General Debate statements and the English side of the UN Parallel
Corpus development set, built by ``scripts/build_un_term_frequencies.py`` and shipped in the
package (``data/un_english_ngrams.tsv.gz``), so nothing outside the package is read at run time.

Only n-grams a rendering can ask about are kept: CC-CEDICT sense phrases and their regular forms
(``inflect``), and word sequences made of two or three such phrases with no function word among
them, seen at least twice (a compound's parts composed: 经常 + 预算 → "regular budget").
"""

from __future__ import annotations

import gzip
import logging
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from assistant.text.tokenize import STOPWORDS_EN

logger = logging.getLogger(__name__)

NGRAMS_FILE = Path(__file__).parent / "data" / "un_english_ngrams.tsv.gz"
MAX_WORDS = 3
MAX_PIECES = 3

# A run of words not broken by punctuation or figures: n-grams do not cross a comma or a full
# stop ("… the country. Foreign aid …" is no "country foreign"). Hyphens join words that
# CC-CEDICT writes apart ("capacity-building", "capacity building").
_RUN = re.compile(r"[a-z]+(?:['’][a-z]+)?(?:[\s-]+[a-z]+(?:['’][a-z]+)?)*")
_SPLIT = re.compile(r"[\s-]+")
_POSSESSIVE = re.compile(r"['’]s$")


def word_runs(text: str) -> Iterator[list[str]]:
    """The lower-cased words of ``text``, in runs that punctuation and figures break."""
    for run in _RUN.finditer(text.lower()):
        words = [_POSSESSIVE.sub("", w) for w in _SPLIT.split(run.group())]
        yield [w for w in words if w]


def count_ngrams(texts: Iterable[str], max_words: int = MAX_WORDS) -> Counter[str]:
    """Every 1–``max_words``-word n-gram of the texts with how often it occurs."""
    counts: Counter[str] = Counter()
    for text in texts:
        for words in word_runs(text):
            for n in range(1, max_words + 1):
                for start in range(len(words) - n + 1):
                    counts[" ".join(words[start : start + n])] += 1
    return counts


def is_composition(ngram: str, phrases: set[str], max_pieces: int = MAX_PIECES) -> bool:
    """Whether ``ngram`` is two to ``max_pieces`` phrases of ``phrases`` in a row, with no
    function word among its words (a composition of content words, not "in secretary")."""
    words = ngram.split()
    if any(w in STOPWORDS_EN for w in words):
        return False
    return any(
        " ".join(words[:cut]) in phrases and _splits(words[cut:], phrases, max_pieces - 1)
        for cut in range(1, len(words))
    )


def _splits(words: list[str], phrases: set[str], pieces: int) -> bool:
    """Whether ``words`` are one to ``pieces`` phrases of ``phrases`` in a row."""
    if " ".join(words) in phrases:
        return True
    return pieces > 1 and any(
        " ".join(words[:cut]) in phrases and _splits(words[cut:], phrases, pieces - 1)
        for cut in range(1, len(words))
    )


def prune(counts: Mapping[str, int], phrases: set[str], min_composed: int) -> dict[str, int]:
    """The counts a rendering can ask about: every sense phrase (and form) that occurs, and the
    compositions of sense phrases that occur at least ``min_composed`` times."""
    return {
        ngram: count
        for ngram, count in counts.items()
        if ngram in phrases or (count >= min_composed and is_composition(ngram, phrases))
    }


def write_counts(path: Path, counts: Mapping[str, int], header: Iterable[str]) -> None:
    """``ngram<TAB>count`` lines sorted by n-gram, after ``#`` header lines, gzip-compressed
    reproducibly (no timestamp in the gzip header: the same input gives the same bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# {line}" for line in header]
    lines += [f"{ngram}\t{counts[ngram]}" for ngram in sorted(counts)]
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
        zipped.write(("\n".join(lines) + "\n").encode("utf-8"))


class NgramCounts:
    """Counts of English UN n-grams, compared across lengths through each length's typical
    count: a two-word phrase seen 20 times is as usual as a word seen far more often."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.counts = counts
        logs: dict[int, list[float]] = defaultdict(list)
        for ngram, count in counts.items():
            logs[len(ngram.split())].append(math.log(count))
        # The geometric mean: a few very common words would pull an arithmetic mean up.
        self.typical = {n: math.exp(sum(v) / len(v)) for n, v in logs.items()}

    @classmethod
    def load(cls, path: Path = NGRAMS_FILE) -> NgramCounts:
        counts: dict[str, int] = {}
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith("#") or "\t" not in line:
                    continue
                ngram, _, count = line.rstrip("\n").partition("\t")
                counts[ngram] = int(count)
        logger.debug("UN English n-grams: %d from %s", len(counts), path)
        return cls(counts)

    def count(self, ngram: str) -> int:
        return self.counts.get(ngram, 0)

    def score(self, ngram: str) -> float:
        """The n-gram's count over the typical count of the kept n-grams of its length; 0 for
        an n-gram never seen."""
        count = self.count(ngram)
        return count / self.typical.get(len(ngram.split()), 1.0) if count else 0.0


class SharedCounts:
    """The shipped counts, loaded once per process on first use."""

    def __init__(self, path: Path = NGRAMS_FILE) -> None:
        self.path = path
        self._counts: NgramCounts | None = None
        self._lock = threading.Lock()

    def __call__(self) -> NgramCounts:
        with self._lock:
            if self._counts is None:
                self._counts = NgramCounts.load(self.path)
            return self._counts
