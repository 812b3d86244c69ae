"""The lexical side of the index: BM25 (``bm25s``) over ``lexical_tokens`` of every chunk.

Chinese keyword search is the strongest single signal for Chinese questions (issue 10), and
exact terms such as "S/2018/208" or "2395" are where dense vectors are weakest. ``bm25s`` has no
incremental add, so the index is rebuilt from the catalog's stored tokens whenever an ingest
changed anything; with tokens cached that takes well under a second for this corpus. It is saved
next to the Chroma data (``index_dir/bm25``) and swapped in atomically.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

_ENTRIES = "entries.json"


def _bm25s() -> ModuleType:
    import bm25s

    # bm25s sets its logger to DEBUG when imported, which floods the application log with
    # "Building index from tokens"; its warnings still come through.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


@dataclass(frozen=True)
class TermGroup:
    """Alternatives for one source term; BM25 counts the best of them, times ``weight``."""

    alternatives: tuple[str, ...]
    weight: float = 1.0
    source: str = ""


@dataclass(frozen=True)
class LexicalEntry:
    """What BM25 needs of one chunk: its tokens, and the fields the filters look at."""

    chunk_id: str
    doc_id: str
    lang: str
    tokens: list[str]


@dataclass(frozen=True)
class _State:
    """One built index; replaced as a whole, so a search never sees half of a rebuild."""

    bm25: Any
    ids: list[str]
    doc_ids: np.ndarray
    langs: np.ndarray
    positions: dict[str, int]

    @classmethod
    def of(cls, bm25: Any, ids: list[str], doc_ids: list[str], langs: list[str]) -> _State:
        return cls(
            bm25,
            ids,
            np.array(doc_ids, dtype=object),
            np.array(langs, dtype=object),
            {cid: i for i, cid in enumerate(ids)},
        )


_EMPTY = _State.of(None, [], [], [])


class LexicalIndex:
    """BM25 over chunk tokens, persisted in one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._state = self._load()

    def _load(self) -> _State:
        entries_path = self.directory / _ENTRIES
        if not entries_path.is_file():
            return _EMPTY
        entries = json.loads(entries_path.read_text(encoding="utf-8"))
        bm25 = None
        if entries["ids"]:
            bm25 = _bm25s().BM25.load(str(self.directory), show_progress=False)
        return _State.of(bm25, entries["ids"], entries["doc_ids"], entries["langs"])

    def build(self, entries: Sequence[LexicalEntry]) -> None:
        """Replace the index with one over ``entries`` and save it."""
        # One staging folder per process: two processes sharing an index folder never build
        # into each other's files.
        staging = self.directory.with_name(f"{self.directory.name}.new-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        bm25 = None
        payload = {
            "ids": [e.chunk_id for e in entries],
            "doc_ids": [e.doc_id for e in entries],
            "langs": [e.lang for e in entries],
        }
        try:
            if entries:
                bm25 = _bm25s().BM25()
                bm25.index([list(e.tokens) for e in entries], show_progress=False)
                bm25.save(str(staging), show_progress=False)
            (staging / _ENTRIES).write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
        except BaseException:
            # A full disk: the index in place stays as it was, and the half-written copy
            # must not keep holding the space the repair will need.
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(self.directory, ignore_errors=True)
        staging.rename(self.directory)
        self._state = _State.of(bm25, payload["ids"], payload["doc_ids"], payload["langs"])
        logger.debug("BM25 rebuilt over %d chunks", len(entries))

    def search(
        self,
        tokens: Sequence[str],
        top_k: int,
        *,
        langs: Sequence[str] | None = None,
        doc_ids: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """The ``top_k`` best chunks as (chunk_id, BM25 score), best first; zero scores dropped."""
        return self.top(self.score_groups([TermGroup((t,)) for t in tokens]), top_k, langs, doc_ids)

    def scores(self, tokens: Sequence[str], chunk_ids: Sequence[str]) -> dict[str, float]:
        """BM25 scores of ``tokens`` for the given chunks (0 where nothing matches)."""
        return self.pick(self.score_groups([TermGroup((t,)) for t in tokens]), chunk_ids)

    def score_groups(self, groups: Sequence[TermGroup]) -> np.ndarray | None:
        """Every chunk's score for a grouped query: the sum over groups of ``weight`` times the
        BM25 score of the group's best alternative; ``None`` when nothing can be scored.

        An alternative of several words ("maternity leave") scores as the sum of its words, as
        a plain query of them would: one translation whose words all count. Groups of one
        alternative with weight 1 are scored together in one call, which is plain BM25 over
        their words (a repeated token counts again, as in a plain query).
        """
        state = self._state
        if state.bm25 is None or not groups:
            return None
        plain = [
            word
            for g in groups
            if len(g.alternatives) == 1 and g.weight == 1
            for word in g.alternatives[0].split()
        ]
        total = np.zeros(len(state.ids), dtype=np.float64)
        if plain:
            total += self._bm25(state, plain)
        for group in groups:
            if len(group.alternatives) == 1 and group.weight == 1:
                continue
            best = np.zeros(len(state.ids), dtype=np.float64)
            for term in group.alternatives:
                np.maximum(best, self._bm25(state, term.split()), out=best)
            total += group.weight * best
        return total

    @staticmethod
    def _bm25(state: _State, tokens: list[str]) -> np.ndarray:
        known = [t for t in tokens if t in state.bm25.vocab_dict]
        if not known:
            return np.zeros(len(state.ids), dtype=np.float64)
        return np.asarray(state.bm25.get_scores(known), dtype=np.float64)

    def top(
        self,
        scores: np.ndarray | None,
        top_k: int,
        langs: Sequence[str] | None = None,
        doc_ids: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """The ``top_k`` best chunks of ``scores`` (from ``score_groups``), zero scores dropped."""
        state = self._state
        if scores is None or top_k <= 0 or len(scores) != len(state.ids):
            return []
        keep = scores > 0
        if langs:
            keep &= np.isin(state.langs, list(langs))
        if doc_ids:
            keep &= np.isin(state.doc_ids, list(doc_ids))
        candidates = np.flatnonzero(keep)
        if candidates.size == 0:
            return []
        best = candidates[np.argsort(-scores[candidates], kind="stable")[:top_k]]
        return [(state.ids[i], float(scores[i])) for i in best]

    def pick(self, scores: np.ndarray | None, chunk_ids: Sequence[str]) -> dict[str, float]:
        """The given chunks' entries of ``scores`` (0 for unknown chunks or no scores)."""
        state = self._state
        if scores is None or len(scores) != len(state.ids):
            return dict.fromkeys(chunk_ids, 0.0)
        return {
            cid: float(scores[state.positions[cid]]) if cid in state.positions else 0.0
            for cid in chunk_ids
        }

    def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """How many chunks contain each term; terms the index does not know are absent."""
        state = self._state
        if state.bm25 is None:
            return {}
        vocab, indptr = state.bm25.vocab_dict, state.bm25.scores["indptr"]
        return {t: int(indptr[vocab[t] + 1] - indptr[vocab[t]]) for t in terms if t in vocab}

    def ids(self) -> set[str]:
        return set(self._state.ids)

    def __len__(self) -> int:
        return len(self._state.ids)
