"""Query expanders: each adds the question's terms in the other language to a keyword side.

They run in order on one ``Query``. The glossary goes first because it knows UN usage ("consider"
a report is 审议, where word vectors say 考虑) and marks the tokens it translated as covered; the
term bridge then translates only what is left, into the same "crosslingual" side. The dictionary
(``dictionary``) fills a side of its own, with one group of alternatives per source term.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from assistant.index.term_bridge import TermBridge
from assistant.models.embedders import Embedder
from assistant.retrieval.query import Query, other_language, plain_groups
from assistant.text.glossary import Glossary

CROSSLINGUAL = "crosslingual"

Tokenize = Callable[[str], list[str]]


class QueryExpander(Protocol):
    def expand(self, query: Query) -> None: ...


class GlossaryExpander:
    """The glossary's translation of every entry the question contains."""

    def __init__(self, glossary: Glossary, tokenize: Tokenize, side: str = CROSSLINGUAL) -> None:
        self.glossary = glossary
        self.tokenize = tokenize
        self.side = side

    def expand(self, query: Query) -> None:
        found: list[str] = []
        for source, translation in self.glossary.matches(query.text):
            query.covered.update(self.tokenize(source))
            found.extend(self.tokenize(translation))
        query.extend_side(self.side, other_language(query.lang), plain_groups(found))


class TermBridgeSource(Protocol):
    """What the bridge needs of the index (``HybridIndex`` has both; its ``terms`` is replaced
    when another process rebuilds the index, so it is read at every call)."""

    terms: TermBridge
    query_embedder: Embedder


class TermBridgeExpander:
    """Nearest corpus terms of the other language for each token no earlier expander covered."""

    def __init__(
        self,
        index: TermBridgeSource,
        *,
        min_similarity: float,
        per_token: int,
        side: str = CROSSLINGUAL,
    ) -> None:
        self.index = index
        self.min_similarity = min_similarity
        self.per_token = per_token
        self.side = side

    def expand(self, query: Query) -> None:
        found = self.index.terms.translate(
            [t for t in query.tokens if t not in query.covered],
            self.index.query_embedder,
            min_similarity=self.min_similarity,
            per_token=self.per_token,
        )
        query.extend_side(self.side, other_language(query.lang), plain_groups(found))
