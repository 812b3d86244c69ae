"""English renderings of short Chinese terms, as UN English writes them.

A 1.5B model translating a Chinese sentence renders the terms it does not know word by word
(预算外 → "budget external") or leaves list items and body names in Chinese. Given "term =
rendering" pairs it uses them, so the pairs come from sources that know UN usage, in this order:

1. the glossary's official name (``assistant.text.glossary``: 执行局 → "Executive
   Directorate");
2. the CC-CEDICT sense that UN translators wrote for the word in the UN Parallel Corpus
   sentence pairs (``aligned_senses``: 会议 is "meeting" there, not "conference");
3. else the CC-CEDICT sense that English UN text uses most (``un_ngrams``: 审议 is "deliberate;
   consider; discuss" in the dictionary and "consider" in UN text), counted over the sense's
   regular forms and compared across phrase lengths; the dictionary's first sense when UN text
   has none of them;
4. for a word CC-CEDICT lacks, its parts' senses composed in the Chinese order, when UN text
   has the composition (经常 + 预算 → "regular budget"); nothing when it does not — a guess
   that English UN text never writes is what the model already does (预算外, whose UN
   rendering "extrabudgetary" is no composition of 预算 "budget" and 外 "outside", gets none).

``sentence_renderings`` gives the pairs for a sentence's content terms (jieba words, and two
neighbouring words that UN English writes as one phrase, ``term_spans``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

from assistant.text import term_spans
from assistant.text.aligned_senses import AlignedSenses, SharedAligned
from assistant.text.cedict_senses import MAX_SENSE_WORDS, Sense, SharedSenses, sense_forms
from assistant.text.cjk import HAN_RE
from assistant.text.glossary import Glossary
from assistant.text.inflect import participles, plural, spellings
from assistant.text.tokenize import STOPWORDS_EN, tagged_words
from assistant.text.un_ngrams import NgramCounts, SharedCounts
from assistant.text.variants import to_simplified

Senses = Mapping[str, tuple[Sense, ...]]

_SHARED_SENSES = SharedSenses()
_SHARED_COUNTS = SharedCounts()
_SHARED_ALIGNED = SharedAligned()

MIN_COMPOSED = 2  # a composition seen fewer times in UN English is chance, not usage
MIN_ALIGNED = 2  # a sense in one translated sentence may be there by chance
_MAX_COMPOUND_CHARS = 3  # longer words are composed from their jieba words, not characters
_MAX_PARTS = 3


class TermRenderer:
    """Renders Chinese terms in English from the glossary, CC-CEDICT and UN English counts.

    The dictionary and the counts are loaded on first use and shared by the process; tests and
    tools may pass their own.
    """

    def __init__(
        self,
        glossary: Glossary | None = None,
        senses: Callable[[], Senses] = _SHARED_SENSES,
        counts: Callable[[], NgramCounts] = _SHARED_COUNTS,
        aligned: Callable[[], AlignedSenses] = _SHARED_ALIGNED,
    ) -> None:
        self.glossary = glossary
        self._senses = senses
        self._counts = counts
        self._aligned = aligned

    def render_term(self, chinese: str, *, verbal_noun: bool = False) -> str | None:
        """``chinese`` in English, or ``None`` when no source knows it. ``verbal_noun``: the
        word stands as a noun (jieba's ``vn``: 合作 in 与会员国合作), so a verb sense takes its
        -ing form where UN English has it."""
        term = to_simplified(chinese.strip())
        if not term or not HAN_RE.search(term):
            return None
        named = self._glossary_name(term)
        if named is not None:
            return named
        senses = self._senses().get(term)
        if senses:
            return self._best_sense(term, senses, verbal_noun)
        return self._composed(term)

    def sentence_renderings(self, sentence: str, limit: int) -> list[tuple[str, str]]:
        """(term as the sentence writes it, its English) for the sentence's glossary names,
        then its two-word phrases that UN English writes as one, then its other terms (nouns:
        ``term_spans``), each group the longest first, at most ``limit``. A word inside a term
        already given is not given again, and a word is given only in a sense UN English uses:
        the dictionary's first sense, unused, would displace what the model reads from the
        sentence around it ("general congress" for 全体会议)."""
        found = term_spans.tokens(sentence)
        chosen: list[tuple[int, int, str, str]] = []

        def take(spans: list[tuple[int, int, str, str]]) -> None:
            for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
                if not any(span[0] < end and start < span[1] for start, end, _, _ in chosen):
                    chosen.append(span)

        take(self._glossary_spans(sentence))
        phrases = {
            pair: rendering
            for pair in term_spans.candidate_pairs(found)
            if not any(pair[0].start < end and start < pair[1].end for start, end, _, _ in chosen)
            and (rendering := self._phrase(*pair)) is not None
        }
        take(
            [
                (first.start, second.end, first.text + second.text, phrases[(first, second)])
                for first, second in term_spans.standalone(list(phrases))
            ]
        )
        words = []
        for word in term_spans.content_words(found):
            rendering = self.render_term(word.folded, verbal_noun=word.tag == "vn")
            if rendering is not None and self._used(rendering):
                words.append((word.start, word.end, word.text, rendering))
        take(words)
        unique = list(dict.fromkeys((term, rendering) for _, _, term, rendering in chosen))
        return unique[:limit]

    def _used(self, rendering: str) -> bool:
        """Whether UN English writes the rendering (a glossary name always counts)."""
        return self._counts().count(rendering.lower().replace("-", " ")) > 0 or (
            self.glossary is not None
            and any(en == rendering for _, en in self.glossary.matches(rendering))
        )

    def _glossary_name(self, term: str) -> str | None:
        if self.glossary is None:
            return None
        return next((en for zh, en in self.glossary.matches(term) if zh == term), None)

    def _glossary_spans(self, sentence: str) -> list[tuple[int, int, str, str]]:
        """Where the glossary's Chinese names stand in the sentence, with their English."""
        if self.glossary is None:
            return []
        folded = to_simplified(sentence)
        if len(folded) != len(sentence):
            folded = sentence  # a phrase conversion moved the characters: match as written
        spans = []
        for term, english in self.glossary.matches(folded):
            start = folded.find(term)
            if start >= 0 and HAN_RE.search(term):
                spans.append(
                    (start, start + len(term), sentence[start : start + len(term)], english)
                )
        return spans

    def _best_sense(self, word: str, senses: Sequence[Sense], verbal_noun: bool) -> str:
        """The sense UN translators wrote for the word most often in the aligned sentence
        pairs (at least ``MIN_ALIGNED`` times); else the one whose forms English UN text uses
        most, each form's count compared with the typical count of phrases as long; else the
        first. A sense that is only function words (处: "in") is no rendering of a content
        word."""
        counts = self._counts()
        usable = [s for s in senses if not _is_function_words(s.key)] or list(senses)
        translated = self._translated_as(word, usable)
        if len(translated) == 1:
            return self._written(translated[0], verbal_noun)

        def used(index: int) -> tuple[float, int]:
            return sum(counts.score(form) for form in sense_forms(usable[index])), -index

        return self._written(usable[max(range(len(usable)), key=used)], verbal_noun)

    def _translated_as(self, word: str, senses: Sequence[Sense]) -> Sequence[Sense]:
        """The one sense UN translators wrote for ``word`` most often in the aligned sentence
        pairs, if at least ``MIN_ALIGNED`` times (the first of a tie); else all ``senses``."""
        aligned = self._aligned()
        best = max(senses, key=lambda sense: aligned.count(word, sense.key))
        return [best] if aligned.count(word, best.key) >= MIN_ALIGNED else senses

    def _written(self, sense: Sense, verbal_noun: bool) -> str:
        """The sense as UN English most often writes it: a noun's singular or plural ("budget",
        "resources"), a verb's base form or, for a verb standing as a noun, its -ing form
        ("strengthening"), in the spelling UN text uses ("programme")."""
        counts = self._counts()
        first, *rest = sense.key.split()
        if sense.verb and verbal_noun:
            gerunds = [" ".join([f, *rest]) for f in participles(first) if f.endswith("ing")]
            used = [form for g in gerunds for form in spellings(g) if counts.count(form)]
            if used:
                return max(used, key=counts.count)
        forms = (
            [sense.key]
            if sense.verb
            else [sense.key, " ".join([*sense.key.split()[:-1], plural(sense.key.split()[-1])])]
        )
        options = [spelled for form in forms for spelled in spellings(form)]
        best = max(options, key=lambda form: (counts.count(form), form == sense.key))
        return sense.text if best == sense.key or not counts.count(best) else best

    def _composed(self, term: str) -> str | None:
        """A word CC-CEDICT lacks, from its parts (characters, or jieba words for a longer
        term) composed in the Chinese order, if UN English has the composition."""
        senses = self._senses()
        if len(term) <= _MAX_COMPOUND_CHARS:
            splits = _character_splits(term)
        else:
            splits = [[w for w, _ in tagged_words(term)]]
        options = [
            self._composition(parts)
            for parts in splits
            if 2 <= len(parts) <= _MAX_PARTS and all(p in senses for p in parts)
        ]
        scored = [option for option in options if option is not None]
        return max(scored)[1] if scored else None

    def _phrase(self, first: term_spans.Token, second: term_spans.Token) -> str | None:
        """Two neighbouring words as one English phrase: the glossary's or CC-CEDICT's entry
        for both together, else their composition if UN English has it."""
        joined = first.folded + second.folded
        named = self._glossary_name(joined)
        if named is not None:
            return named
        senses = self._senses()
        if joined in senses:
            rendering = self._best_sense(joined, senses[joined], verbal_noun=False)
            return rendering if self._used(rendering) else None
        if first.folded in senses and second.folded in senses:
            option = self._composition([first.folded, second.folded])
            return option[1] if option is not None else None
        return None

    def _composition(self, parts: Sequence[str]) -> tuple[float, str] | None:
        """The most usual (score, phrase) made of one form of a sense of each part (a Chinese
        word with senses), in order, with no function word, seen at least ``MIN_COMPOSED``
        times. The head (the last part) is the sense UN translators write for it, if they
        agree on one (区域: region, so 主要区域 is no "main areas"); the modifiers are what UN
        English collocates with it (主要责任: "primary responsibility", though 主要 alone is
        "major"). Only the first part may be read as a verb (加强 + 合作:
        "strengthen cooperation"): a verb after it makes chance phrases (供 + 资 as "provide
        support"). Built left to right, so that only prefixes UN English has are extended; a
        part in its base form is written as the dictionary writes it ("United Nations
        system")."""
        counts, senses = self._counts(), self._senses()
        pieces = [
            {
                form: sense.text if form == sense.key else form
                for sense in reversed(
                    self._translated_as(part, senses[part]) if part == parts[-1] else senses[part]
                )
                if index == 0 or not sense.verb
                for form in sense_forms(sense)
                if _is_content_phrase(form)
            }  # reversed: of two senses with one form, the first sense's spelling wins
            for index, part in enumerate(parts)
        ]
        prefixes = list(pieces[0].items())
        for options in pieces[1:]:
            prefixes = [
                (key, f"{text} {option_text}")
                for (prefix, text), (option, option_text) in itertools.product(
                    prefixes, options.items()
                )
                if len((key := f"{prefix} {option}").split()) <= MAX_SENSE_WORDS
                and counts.count(key) >= MIN_COMPOSED
            ]
        if not prefixes:
            return None
        return max((counts.score(key), text) for key, text in prefixes)


def _character_splits(term: str) -> list[list[str]]:
    """A two- or three-character word as parts: 员|额; 预算|外, 预|算外, 预|算|外."""
    splits = [[term[:cut], term[cut:]] for cut in range(1, len(term))]
    if len(term) == 3:
        splits.append(list(term))
    return splits


def _is_content_phrase(phrase: str) -> bool:
    return not any(word in STOPWORDS_EN for word in phrase.split())


def _is_function_words(phrase: str) -> bool:
    return all(word in STOPWORDS_EN for word in phrase.split())


def render_term(chinese: str, glossary: Glossary | None = None) -> str | None:
    """``chinese`` in English (``TermRenderer.render_term``), or ``None`` when unknown."""
    return TermRenderer(glossary).render_term(chinese)


def sentence_renderings(
    sentence: str, limit: int, glossary: Glossary | None = None
) -> list[tuple[str, str]]:
    """The sentence's content terms with their English (``TermRenderer.sentence_renderings``)."""
    return TermRenderer(glossary).sentence_renderings(sentence, limit)
