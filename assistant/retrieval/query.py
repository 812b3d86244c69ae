"""A question prepared for search: its language, and one keyword query per BM25 side.

Expanders (``expanders``) add sides to a ``Query``; candidate sources (``sources``) run them; the
fuser (``fusion``) routes each side to the passage language its terms are in. A keyword query is
a list of ``TermGroup``s: one source term's alternatives (its dictionary translations, say) are
one group, scored by its best-matching alternative, so a word with ten glosses counts once, not
ten times, against a word with one. An alternative may be a phrase of space-separated words
("maternity leave"), which scores as its words together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.index.lexical import TermGroup


def other_language(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def plain_groups(tokens: Iterable[str]) -> list[TermGroup]:
    """Each token a group of its own with weight 1: plain BM25 over the token list."""
    return [TermGroup((token,)) for token in dict.fromkeys(tokens)]


@dataclass(frozen=True)
class KeywordQuery:
    """One BM25 side: the passage language its terms can match, and the terms."""

    lang: str
    groups: tuple[TermGroup, ...]

    @property
    def terms(self) -> list[str]:
        """The side's words, a phrase alternative ("maternity leave") word by word: callers
        match them against a passage's tokens."""
        return list(
            dict.fromkeys(w for g in self.groups for t in g.alternatives for w in t.split())
        )


@dataclass
class Query:
    """Everything a search runs with, derived from the question once."""

    text: str
    lang: str  # "zh" or "en": the script the question is written in
    tokens: list[str]  # BM25 tokens in the question's language
    keywords: dict[str, KeywordQuery] = field(default_factory=dict)  # side name → query
    covered: set[str] = field(default_factory=set)  # own tokens an expander already translated

    def extend_side(self, name: str, lang: str, groups: Sequence[TermGroup]) -> None:
        """Add groups to a keyword side (created on first use). Alternatives that are the
        question's own tokens or already in the side are dropped, and so is a group left empty:
        a number or a symbol needs no translation, and a term counts once per side."""
        current = self.keywords.get(name)
        seen = set(self.tokens)
        if current is not None:
            seen.update(current.terms)
            seen.update(t for g in current.groups for t in g.alternatives)
        kept = list(current.groups) if current else []
        for group in groups:
            fresh = tuple(t for t in dict.fromkeys(group.alternatives) if t not in seen)
            if fresh:
                seen.update(fresh)
                kept.append(TermGroup(fresh, group.weight, group.source))
        if kept:
            self.keywords[name] = KeywordQuery(lang, tuple(kept))

    def terms(self, side: str) -> list[str]:
        """A side's terms (empty when the side was not added)."""
        query = self.keywords.get(side)
        return query.terms if query is not None else []
