"""The words and two-word noun phrases of a Chinese sentence that are worth rendering as terms.

A translation hint is worth giving for a term (a noun of two or more characters: 区域, 方案,
员额; a verb used as a noun: 合作), not for a pronoun, numeral, particle or function word, and
for two neighbouring words that together name one thing (经常 + 预算, a "regular budget").
Jieba cuts and tags the sentence (``tagged_words``); which pairs to try is decided here by their
tags and their neighbours, whether UN English writes them as one phrase by the renderer.

Two words are one phrase only when they stand alone: a pair next to a bound single character
(反 + 恐怖主义 + 中心, 活动 + 捐助 + 方) or sharing a word with another pair (专项 活动 捐助)
is part of a longer name whose parts would be rendered across its structure.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.text.cjk import is_han
from assistant.text.tokenize import tagged_words
from assistant.text.variants import to_simplified
from assistant.text.words import STOPWORDS

# jieba tags (ICTCLAS) of words worth rendering alone: nouns, verbs used as nouns (合作 in
# 与会员国合作), abbreviations (安理会) and set phrases; not verbs, adjectives, pronouns,
# numerals, measure words, adverbs, prepositions, particles, time or direction words. A 1.5B
# model translates the everyday verbs and adjectives well by itself, and given one in its base
# form ("批准 = ratify") it bends the sentence around it ("2017 November ratified ..."); the
# names, items and terms are what it renders word by word.
_CONTENT = ("n", "vn", "j", "l", "i")
_NOT_CONTENT = frozenset({"ng"})
# A phrase is a modifier (adjective, noun, distinguishing word, adverb: 经常预算) and a head
# that is no proper name (a name is not modified: 所有 + 非洲). The head may be tagged a verb:
# jieba reads 经常预算 as "often budget(s)"; the renderer composes only noun senses after the
# first word, so the English decides whether it is a noun.
_MODIFIER = ("n", "a", "b", "d", "j")
# A single character of these tags is glued to its neighbour: a word (n, v, a ...), a bound
# morpheme (zg, g), a prefix (h) or a suffix (k); particles, numerals and measure words are not.
_BOUND = ("n", "v", "a", "j", "b", "z", "g", "h", "k")
_NAMES = ("nr", "ns", "nt")
_HEAD = ("n", "j", "v")
_NOT_HEAD = frozenset({"vshi", "vyou", "ng"})  # 是, 有 and bound noun morphemes


@dataclass(frozen=True)
class Token:
    """A jieba word: as the sentence writes it, folded to Simplified, its tag and place."""

    text: str
    folded: str
    tag: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def is_word(self) -> bool:
        """Two or more Chinese characters and no function word."""
        return (
            len(self.text) >= 2
            and all(is_han(ch) for ch in self.text)
            and self.folded not in STOPWORDS
        )

    @property
    def is_content(self) -> bool:
        """A word worth rendering alone (a term, not an everyday verb or adjective)."""
        return self.is_word and self.tag.startswith(_CONTENT) and self.tag not in _NOT_CONTENT

    @property
    def is_bound_character(self) -> bool:
        """One Chinese character that is part of a longer name (反 in 反恐怖主义中心, 方 in
        捐助方), not a particle, numeral or measure word."""
        return len(self.text) == 1 and is_han(self.text) and self.tag.startswith(_BOUND)


def tokens(sentence: str) -> list[Token]:
    """The sentence's jieba words with their tags, cut on the Simplified text when folding
    keeps every character in place (a Traditional sentence is cut as well as a Simplified one),
    each with its place in ``sentence``."""
    folded = to_simplified(sentence)
    cut = folded if len(folded) == len(sentence) else sentence
    found: list[Token] = []
    start = 0
    for text, tag in tagged_words(cut):
        surface = sentence[start : start + len(text)]
        found.append(Token(surface, to_simplified(text), tag, start))
        start += len(text)
    return found


def content_words(found: list[Token]) -> list[Token]:
    return [token for token in found if token.is_content]


def candidate_pairs(found: list[Token]) -> list[tuple[Token, Token]]:
    """Neighbouring (modifier, noun) words that may name one thing, with no bound character
    glued on either side."""
    pairs = []
    for index in range(len(found) - 1):
        first, second = found[index], found[index + 1]
        if not (first.is_word and second.is_word):
            continue
        if not (_is_modifier(first) and _is_head(second)):
            continue
        before = found[index - 1] if index > 0 else None
        after = found[index + 2] if index + 2 < len(found) else None
        if any(t is not None and t.is_bound_character for t in (before, after)):
            continue
        pairs.append((first, second))
    return pairs


def standalone(pairs: list[tuple[Token, Token]]) -> list[tuple[Token, Token]]:
    """The pairs that share no word with another of ``pairs`` (the ones UN English writes as
    phrases): of 专项 活动 捐助, neither 专项活动 nor 活动捐助 is known to be the unit."""
    return [
        pair
        for pair in pairs
        if not any(other is not pair and set(other) & set(pair) for other in pairs)
    ]


def _is_modifier(token: Token) -> bool:
    return (token.tag.startswith(_MODIFIER) and not token.tag.startswith("nr")) or token.tag == "vn"


def _is_head(token: Token) -> bool:
    return (
        token.tag.startswith(_HEAD)
        and not token.tag.startswith(_NAMES)
        and token.tag not in _NOT_HEAD
    )
