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
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

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
class LexicalEntry:
    """What BM25 needs of one chunk: its tokens, and the fields the filters look at."""

    chunk_id: str
    doc_id: str
    lang: str
    tokens: list[str]


class LexicalIndex:
    """BM25 over chunk tokens, persisted in one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._bm25 = None
        self._ids: list[str] = []
        self._doc_ids = np.array([], dtype=object)
        self._langs = np.array([], dtype=object)
        self._positions: dict[str, int] | None = None
        self._load()

    def _load(self) -> None:
        entries_path = self.directory / _ENTRIES
        if not entries_path.is_file():
            return
        bm25s = _bm25s()
        entries = json.loads(entries_path.read_text(encoding="utf-8"))
        self._ids = entries["ids"]
        self._doc_ids = np.array(entries["doc_ids"], dtype=object)
        self._langs = np.array(entries["langs"], dtype=object)
        if self._ids:
            self._bm25 = bm25s.BM25.load(str(self.directory), show_progress=False)

    def build(self, entries: Sequence[LexicalEntry]) -> None:
        """Replace the index with one over ``entries`` and save it."""
        bm25s = _bm25s()
        staging = self.directory.with_name(self.directory.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        bm25 = None
        if entries:
            bm25 = bm25s.BM25()
            bm25.index([list(e.tokens) for e in entries], show_progress=False)
            bm25.save(str(staging), show_progress=False)
        payload = {
            "ids": [e.chunk_id for e in entries],
            "doc_ids": [e.doc_id for e in entries],
            "langs": [e.lang for e in entries],
        }
        (staging / _ENTRIES).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(self.directory, ignore_errors=True)
        staging.rename(self.directory)
        self._bm25 = bm25
        self._positions = None
        self._ids = payload["ids"]
        self._doc_ids = np.array(payload["doc_ids"], dtype=object)
        self._langs = np.array(payload["langs"], dtype=object)
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
        if self._bm25 is None or not tokens or top_k <= 0:
            return []
        scores = np.asarray(self._bm25.get_scores(list(tokens)), dtype=np.float64)
        keep = scores > 0
        if langs:
            keep &= np.isin(self._langs, list(langs))
        if doc_ids:
            keep &= np.isin(self._doc_ids, list(doc_ids))
        candidates = np.flatnonzero(keep)
        if candidates.size == 0:
            return []
        best = candidates[np.argsort(-scores[candidates], kind="stable")[:top_k]]
        return [(self._ids[i], float(scores[i])) for i in best]

    def scores(self, tokens: Sequence[str], chunk_ids: Sequence[str]) -> dict[str, float]:
        """BM25 scores of ``tokens`` for the given chunks (0 where nothing matches)."""
        if self._bm25 is None or not tokens:
            return dict.fromkeys(chunk_ids, 0.0)
        scores = self._bm25.get_scores(list(tokens))
        if self._positions is None:
            self._positions = {cid: i for i, cid in enumerate(self._ids)}
        return {
            cid: float(scores[self._positions[cid]]) if cid in self._positions else 0.0
            for cid in chunk_ids
        }

    def ids(self) -> set[str]:
        return set(self._ids)

    def __len__(self) -> int:
        return len(self._ids)
