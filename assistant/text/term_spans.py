"""The words and two-word noun phrases of a Chinese sentence that are worth rendering as terms.

A translation hint is worth giving for a content word (a noun, verb or adjective of two or more
characters: 审议, 区域, 经常预算), not for a pronoun, numeral, particle or function word, and
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

# jieba tags (ICTCLAS) of words worth rendering: nouns, verbs, adjectives, abbreviations
# (安理会), set phrases and distinguishing words (多边); not pronouns, numerals, measure words,
# adverbs, prepositions, particles, time or direction words, nor the verbs 是 and 有.
_CONTENT = ("n", "v", "a", "j", "l", "i", "b")
_NOT_CONTENT = frozenset({"vshi", "vyou", "vg", "ng", "ag", "vd", "ad"})
# A phrase is a modifier (adjective, noun, distinguishing word, adverb: 经常预算) and a head
# that is no proper name (a name is not modified: 所有 + 非洲). The head may be tagged a verb:
# jieba reads 经常预算 as "often budget(s)"; the renderer composes only noun senses after the
# first word, so the English decides whether it is a noun.
_MODIFIER = ("n", "a", "b", "d", "j")
_NAMES = ("nr", "ns", "nt")
_HEAD = ("n", "j", "v")


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
        return self.is_word and self.tag.startswith(_CONTENT) and self.tag not in _NOT_CONTENT

    @property
    def is_bound_character(self) -> bool:
        """One Chinese character of a content tag: a prefix or suffix glued to its neighbour
        (反, 方, 局), not a particle or a measure word."""
        return len(self.text) == 1 and is_han(self.text) and self.tag.startswith(_CONTENT)


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
    return (token.tag.startswith(_HEAD) and not token.tag.startswith(_NAMES)) or token.tag == "vn"
