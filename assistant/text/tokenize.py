"""Lexical tokens for BM25 and for token-overlap evaluation, in Chinese and English.

Chinese has no spaces, so runs of Han characters go through jieba in search mode, which emits
both words and their shorter parts ("反恐怖主义" → 恐怖, 主义, 恐怖主义, 反恐怖主义 ...) and so
matches a query whether it uses the long or the short form. Latin runs become lowercased words
and numbers; UN symbols are kept whole as well ("s/2018/208") and in parts ("2018", "208"), so
that "resolution 2395 (2017)" and "第2395(2017)号决议" share the token "2395". Traditional
characters are folded to Simplified first (``variants``), so 委員會 and 委员会 are one token.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from types import ModuleType

from assistant.text.cjk import HAN
from assistant.text.variants import to_simplified

# Recorded in the index manifest: bump it whenever tokens change, so that BM25 gets rebuilt.
TOKENIZER_VERSION = "2"

_SEGMENT_RE = re.compile(
    f"(?P<han>[{HAN}]+)"
    r"|(?P<symbol>\b[A-Za-z]{1,5}(?:/[A-Za-z0-9.()\-]+){2,})"
    r"|(?P<word>[A-Za-z0-9]+(?:['’][A-Za-z]+)?)"
)
_PART_RE = re.compile(r"[A-Za-z0-9]+")

_STOPWORDS_EN_TEXT = """
    a an and are as at be been but by can could did do does for from had has have he her his i
    if in into is it its me my not of on or our she so than that the their them there these
    they this those to us was we were what when where which while who whom why will with would
    you your s t
"""
STOPWORDS_EN = frozenset(_STOPWORDS_EN_TEXT.split())
_STOPWORDS_ZH_TEXT = """
    的 了 和 与 及 或 是 在 于 为 对 也 而 并 其 之 以 把 被 由 从 向 这 那 就 都 又 等
    着 个 以及 及其 并且 或者 但是 而且 因此 如果 所以 这些 那些 这个 那个 我们 他们 它们 其中
"""
STOPWORDS_ZH = frozenset(_STOPWORDS_ZH_TEXT.split())


@lru_cache(maxsize=1)
def _jieba() -> ModuleType:
    """Import and initialise jieba once, without its start-up chatter on stderr."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def lexical_tokens(text: str) -> list[str]:
    """Tokens of ``text`` for keyword search: jieba words for Chinese, lowercased words else.

    Punctuation, whitespace and stopwords of both languages are dropped; full-width letters and
    digits are folded to ASCII first (NFKC), Traditional characters to Simplified.
    """
    text = to_simplified(unicodedata.normalize("NFKC", text))
    tokens: list[str] = []
    for match in _SEGMENT_RE.finditer(text):
        if match.lastgroup == "han":
            tokens.extend(
                w for w in _jieba().lcut_for_search(match.group()) if w not in STOPWORDS_ZH
            )
        elif match.lastgroup == "symbol":
            symbol = _trim_symbol(match.group())
            tokens.append(symbol.lower())
            tokens.extend(_latin_words(symbol))
        elif "'" in match.group() or "’" in match.group():
            tokens.extend(_latin_words(match.group()))
        else:  # one run of letters and digits: its only part (most words of a text)
            word = match.group().lower()
            if word not in STOPWORDS_EN:
                tokens.append(word)
    return tokens


def _trim_symbol(symbol: str) -> str:
    """Drop sentence punctuation and an unbalanced ")" that the symbol pattern swallowed."""
    symbol = symbol.rstrip(".-")
    while symbol.endswith(")") and symbol.count(")") > symbol.count("("):
        symbol = symbol[:-1].rstrip(".-")
    return symbol


def _latin_words(text: str) -> list[str]:
    words = (w.lower() for w in _PART_RE.findall(text))
    return [w for w in words if w not in STOPWORDS_EN]


def tagged_words(text: str) -> list[tuple[str, str]]:
    """``text`` cut into jieba words (precise mode) with their part-of-speech tags.

    Unlike ``lexical_tokens`` nothing is dropped, folded or split twice: the words join back into
    ``text`` exactly, so a caller can find where each one stands. Used where the role of a word
    matters, not only its presence: a place name (ns) is a subject that a follow-up can swap, a
    pronoun (r) may need an antecedent. Tags are jieba's (ICTCLAS-style: n, ns, nt, v, r, m …).
    """
    import jieba.posseg

    _jieba()
    return [(pair.word, pair.flag) for pair in jieba.posseg.lcut(text)]
