"""Content words of a text in either language: what two texts must share to be about the same thing.

Used wherever the pipeline compares a question or an answer with a passage word by word (support
checking, passage focus, question analysis), so that all of them drop the same function words
and meet English inflections at the same stem.
"""

from __future__ import annotations

import re

from assistant.text.tokenize import lexical_tokens

_WORDLIKE = re.compile(r"\w", re.UNICODE)
_DIGIT = re.compile(r"\d")  # figures are compared by numbers(), not as words
_SUFFIXES = ("ing", "ed", "es", "s")
_MIN_STEM_LENGTH = 4

# Function words of questions and answers, on top of the tokenizer's own stopwords: words that
# every question and passage share and that say nothing about the topic.
_STOPWORDS_TEXT = """
a an the of in on at to for from by with about as into and or but not no nor so than then
is are was were be been being do does did has have had having will would shall should can
could may might must what which who whom whose when where why how that this these those it
its they them their there here he she his her we our you your i me my also any all each
other such some more most very just only own same both few many much if else after before
during under over between through against up down out off again further once per
please tell list name describe explain give according document documents report passage
passages un united nations
的 了 在 是 和 与 及 以及 等 对 中 为 以 于 上 下 之 其 该 这 那 哪 哪些 哪个 哪一 什么 谁 何
一 个 有 也 都 将 被 把 由 从 并 或 而 吗 呢 如何 怎么 怎样 请 问 是否 多少 几 所 已 及其 各
就 到 又 还 与其 即 为何 为什么 关于 有关 方面 进行 一次 哪一次 次
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())


def content_tokens(text: str) -> set[str]:
    """Lower-cased lexical tokens of ``text`` without function words, punctuation or figures.

    English words are lightly stemmed ("considered", "considers" → "consider") so that an
    answer's inflection does not hide a match; Chinese words are left as jieba cut them.
    """
    return set(content_words(text))


def content_words(text: str) -> dict[str, str]:
    """``content_tokens`` of ``text``, each with the word it was read from ("committe" →
    "committee", "meet" → "meeting"): a dictionary looks up words, not stems."""
    words: dict[str, str] = {}
    for token in (t.lower() for t in lexical_tokens(text)):
        if token in STOPWORDS or not _WORDLIKE.search(token) or _DIGIT.search(token):
            continue
        words.setdefault(stem(token), token)
    return words


def stem(token: str) -> str:
    if not token.isascii() or len(token) <= _MIN_STEM_LENGTH:
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM_LENGTH - 1:
            return token[: -len(suffix)]
    # "pledge" and "pledged", "evaluate" and "evaluated" meet at "pledg", "evaluat"
    return token[:-1] if token.endswith("e") else token
