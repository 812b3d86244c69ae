"""Abbreviations the corpus defines itself, "国际刑事警察组织(国际刑警组织)" or "World Trade
Organization (WTO)", mined from the indexed text for same-language query expansion.

A document introduces a short form once and then uses only it, while a question may use either
form. A parenthesis is taken for an abbreviation only when it could be one of the words before
it: in Chinese its characters appear in order in them, starting with the first ("教科文组织" in
"教育、科学及文化组织"); in English its letters are the initials of the capitalised words
before it (small connecting words may be skipped). "(签名)", "(见附件)" or "(2001)" are not.
The full form is the shortest run of preceding words that fits.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from assistant.text.cjk import HAN

_ZH_PAREN = re.compile(f"([{HAN}、]{{2,40}})[(（]([{HAN}]{{2,12}})[)）]")
_EN_PAREN = re.compile(r"((?:[A-Za-z][\w’'\-]*\s+){1,12})\(([A-Z][A-Za-z]{1,9})\)")
_EN_CONNECTORS = frozenset({"of", "for", "on", "and", "the", "in", "to"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Alias:
    full: str
    short: str


class AliasExpander:
    """The corpus's aliases, re-mined when the corpus changes; finds the other forms of the
    ones a text uses."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._aliases: list[tuple[re.Pattern[str], re.Pattern[str], Alias]] = []
        self._lock = threading.Lock()

    def update(self, key: str, texts: Callable[[], Iterable[str]]) -> None:
        """Mine ``texts`` again when ``key`` (the corpus fingerprint) changed."""
        with self._lock:
            if key == self._key:
                return
        aliases = [(_pattern(a.full, re.I), _pattern(a.short, 0), a) for a in mine_aliases(texts())]
        with self._lock:
            self._key, self._aliases = key, aliases

    def other_forms(self, text: str) -> list[str]:
        """For every alias one form of which occurs in ``text``, the other form."""
        with self._lock:
            aliases = self._aliases
        out = []
        for full, short, alias in aliases:
            if full.search(text):
                out.append(alias.short)
            elif short.search(text):
                out.append(alias.full)
        return out


def _pattern(form: str, flags: int) -> re.Pattern[str]:
    """Chinese forms match anywhere; English ones as whole words."""
    return re.compile(rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])", flags)


def mine_aliases(texts: Iterable[str]) -> list[Alias]:
    """Every (full form, abbreviation) pair the texts define, each once, in first-seen order."""
    found: dict[tuple[str, str], Alias] = {}
    for text in texts:
        for alias in _chinese(_SPACES.sub("", text)) + _english(_SPACES.sub(" ", text)):
            found.setdefault((alias.full, alias.short), alias)
    return list(found.values())


def _chinese(text: str) -> list[Alias]:
    out = []
    for match in _ZH_PAREN.finditer(text):
        before, short = match.group(1), match.group(2)
        full = _shortest_zh_full(before, short)
        if full:
            out.append(Alias(full, short))
    return out


def _shortest_zh_full(before: str, short: str) -> str | None:
    """The shortest tail of ``before`` that starts with ``short[0]`` and contains all of
    ``short`` in order."""
    for start in range(len(before) - len(short) - 1, -1, -1):
        if before[start] == short[0] and _in_order(short, before[start:]):
            return before[start:].strip("、")
    return None


def _in_order(needle: str, haystack: str) -> bool:
    rest = iter(haystack)
    return all(ch in rest for ch in needle)


def _english(text: str) -> list[Alias]:
    out = []
    for match in _EN_PAREN.finditer(text):
        words, short = match.group(1).split(), match.group(2)
        letters = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
        for start in range(len(words) - 1, -1, -1):
            if _initials_fit(words[start:], letters.lower()):
                out.append(Alias(" ".join(words[start:]), short))
                break
    return out


def _initials_fit(words: list[str], letters: str) -> bool:
    """Whether the capitalised words' initials spell ``letters``, connectors optional."""
    if not words or not words[0][:1].isupper() or words[-1].lower() in _EN_CONNECTORS:
        return False

    def fit(i: int, j: int) -> bool:
        if j == len(letters):
            return all(w.lower() in _EN_CONNECTORS for w in words[i:])
        if i == len(words):
            return False
        word = words[i]
        if word.lower() in _EN_CONNECTORS and fit(i + 1, j):
            return True
        return word[0].lower() == letters[j] and fit(i + 1, j + 1)

    return fit(0, 0)
