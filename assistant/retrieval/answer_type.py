"""Answer-type prior: among the fused candidates, prefer passages that hold what is asked for.

"At which meeting, and on what date, did the Committee consider the joint report?" matches a
dozen passages about the joint report word for word; the one that answers it is the one that
names a meeting (第330次会议) and a date. Classic question answering filters candidates by the
expected answer type; here it is a soft prior added to the fused score: for each typed part of
the question (``assistant.text.question``), a passage holding a figure of that type
(``assistant.text.figures``) gains the part's share of ``weight``, scaled by how rare that type
is among the candidates, so that a date — in nearly every UN paragraph — moves little and a
meeting number moves much. Untyped questions (descriptions, lists, names) are left as fused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from assistant.bounded_cache import BoundedCache
from assistant.retrieval.fusion import FusedHit
from assistant.text.figures import extract_figures
from assistant.text.question import QuestionPart, analyse_question

_KINDS_CACHE_SIZE = 4096


class AnswerTypePrior:
    """Re-orders the first ``pool`` fused hits by the answer types their passages hold."""

    def __init__(self, weight: float, pool: int) -> None:
        self.weight = weight
        self.pool = pool
        self._kinds: BoundedCache[str, frozenset[str]] = BoundedCache(_KINDS_CACHE_SIZE)

    def rerank(
        self, question: str, hits: Sequence[FusedHit], texts: Mapping[str, str]
    ) -> list[FusedHit]:
        """``hits`` with the prior added to the first ``pool`` scores, best first."""
        parts = [p for p in analyse_question(question).parts if p.typed]
        head, tail = list(hits[: self.pool]), list(hits[self.pool :])
        if not parts or self.weight <= 0 or len(head) < 2:
            return list(hits)
        held = {hit.item_id: self._figure_kinds(texts.get(hit.item_id, "")) for hit in head}
        rarity = {part.text: _rarity(part, list(held.values())) for part in parts}
        share = self.weight / len(parts)
        boosted = [
            replace(
                hit,
                score=hit.score
                + share * sum(rarity[p.text] for p in parts if _holds(held[hit.item_id], p)),
            )
            for hit in head
        ]
        boosted.sort(key=lambda hit: -hit.score)
        return boosted + tail

    def _figure_kinds(self, text: str) -> frozenset[str]:
        """The figure kinds in a passage, remembered: the same passages come back often."""
        return self._kinds.get_or_compute(
            text, lambda: frozenset(figure.kind for figure in extract_figures(text))
        )


def _holds(kinds: frozenset[str], part: QuestionPart) -> bool:
    return any(kind in kinds for kind in part.figure_kinds)


def _rarity(part: QuestionPart, held: Sequence[frozenset[str]]) -> float:
    """1 − the share of candidates holding the part's type: what holding it tells apart."""
    holding = sum(_holds(kinds, part) for kinds in held)
    return 1.0 - holding / len(held)
