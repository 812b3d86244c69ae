"""Cross-lingual keyword search: query terms translated through the embedder's shared space.

BM25 cannot match an English question against a Chinese passage, and the multilingual embedder
alone ranks such passages poorly (issue 10). But USE places single words of both languages in
one space well: "meeting" → 会议 (cosine 0.91), "report" → 报告 (0.92), 谈判 → "negotiations"
(0.84). So the index embeds its own BM25 vocabulary once per term (cached), and a query term is
translated into the corpus's terms of the other language whose vectors are nearest to it. The
translations then run as a separate BM25 query, so that they compete only with each other and
are not crowded out by same-language matches. Numbers and UN symbols need no bridge: they are
the same tokens in both languages.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from assistant.index.staged_file import staged_file
from assistant.models.blas import single_threaded
from assistant.models.embedders import Embedder
from assistant.text.cjk import HAN

logger = logging.getLogger(__name__)

_HAN_TERM = re.compile(f"[{HAN}]{{2,}}")  # single characters are too ambiguous to translate
_LATIN_TERM = re.compile(r"[a-z][a-z'’\-]{2,}")  # words of 3+ letters; numbers need no bridge
_TERMS = "terms.json"
_VECTORS = "vectors.npy"
_TOKEN_CACHE_SIZE = 4096


def term_language(term: str) -> str | None:
    """ "zh" or "en" for a translatable term, ``None`` for numbers, symbols and fragments."""
    if _HAN_TERM.fullmatch(term):
        return "zh"
    if _LATIN_TERM.fullmatch(term):
        return "en"
    return None


class TermBridge:
    """Vectors of the corpus vocabulary, persisted in ``index_dir/terms``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # (terms, vectors, rows) by language, replaced as one so that a translation running
        # during a rebuild never pairs one build's terms with another's vectors; rows give
        # and each term's row in its matrix.
        self._lexicon: dict[str, tuple[list[str], np.ndarray, dict[str, int]]] = {}
        self._token_vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        terms_path = self.directory / _TERMS
        if not terms_path.is_file():
            return
        terms = json.loads(terms_path.read_text(encoding="utf-8"))
        vectors = np.load(self.directory / _VECTORS).astype(np.float32)
        self._set(terms["zh"], terms["en"], vectors)

    def _set(self, zh: list[str], en: list[str], vectors: np.ndarray) -> None:
        self._lexicon = {
            lang: (terms, matrix, {term: row for row, term in enumerate(terms)})
            for lang, terms, matrix in (
                ("zh", zh, vectors[: len(zh)]),
                ("en", en, vectors[len(zh) :]),
            )
        }

    def build(self, vocabulary: Iterable[str], embedder: Embedder) -> None:
        """Embed every translatable term of ``vocabulary`` (the embedder should be cached)."""
        unique = sorted(set(vocabulary))
        zh = [t for t in unique if term_language(t) == "zh"]
        en = [t for t in unique if term_language(t) == "en"]
        vectors = embedder.embed(zh + en) if zh or en else np.empty((0, embedder.dimension))
        self.directory.mkdir(parents=True, exist_ok=True)
        stored = vectors.astype(np.float16)
        # Both files written before either replaces the old one; the vectors replace first.
        with (
            staged_file(self.directory / _TERMS) as terms_tmp,
            staged_file(self.directory / _VECTORS) as vectors_tmp,
        ):
            np.save(vectors_tmp, stored)
            terms_tmp.write_text(json.dumps({"zh": zh, "en": en}, ensure_ascii=False), "utf-8")
        # The stored (half-precision) vectors, as every other process loads them: a process
        # that built the bridge translates exactly as one that read it from disk.
        self._set(zh, en, stored.astype(np.float32))
        logger.debug("term bridge: %d Chinese and %d English terms", len(zh), len(en))

    def translate(
        self,
        tokens: Sequence[str],
        embedder: Embedder,
        *,
        min_similarity: float,
        per_token: int,
    ) -> list[str]:
        """Terms of the other language nearest to each of ``tokens`` (at most ``per_token``)."""
        wanted = [t for t in dict.fromkeys(tokens) if term_language(t)]
        if not wanted or per_token <= 0:
            return []
        vectors = dict(zip(wanted, self._embed_tokens(wanted, embedder), strict=True))
        lexicon = self._lexicon
        out: list[str] = []
        for source, target in (("zh", "en"), ("en", "zh")):
            group = [t for t in wanted if term_language(t) == source]
            terms, matrix, _ = lexicon.get(target, ([], None, {}))
            if not group or matrix is None or not len(matrix):
                continue
            with single_threaded():  # one product per language pair; see assistant.models.blas
                sims = np.stack([vectors[t] for t in group]) @ matrix.T
            k = min(per_token, sims.shape[1])
            best = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            for row, columns in enumerate(best):
                scores = sims[row]
                ranked = sorted(columns.tolist(), key=lambda c: -float(scores[c]))
                out.extend(terms[c] for c in ranked if scores[c] >= min_similarity)
        return out

    def similarities(
        self, token: str, terms: Iterable[str], embedder: Embedder
    ) -> dict[str, float]:
        """Cosine of ``token`` with each of ``terms`` that the corpus vocabulary holds (terms
        of the other language, say: which of a word's dictionary senses the embedder puts
        nearest to it). The token is embedded (cached); the terms' vectors are the index's."""
        lexicon = self._lexicon
        wanted: list[tuple[str, np.ndarray, int]] = []
        for term in dict.fromkeys(terms):
            _, matrix, rows = lexicon.get(term_language(term) or "", ([], None, {}))
            if matrix is not None and term in rows:
                wanted.append((term, matrix, rows[term]))
        if not wanted:
            return {}
        vector = self._embed_tokens([token], embedder)[0]
        return {term: float(matrix[row] @ vector) for term, matrix, row in wanted}

    def _embed_tokens(self, tokens: list[str], embedder: Embedder) -> list[np.ndarray]:
        with self._lock:
            missing = [t for t in tokens if t not in self._token_vectors]
        if missing:
            fresh = embedder.embed(missing)
            with self._lock:
                if len(self._token_vectors) > _TOKEN_CACHE_SIZE:
                    self._token_vectors.clear()
                self._token_vectors.update(zip(missing, fresh, strict=True))
        with self._lock:
            return [self._token_vectors[t] for t in tokens]

    def __len__(self) -> int:
        return sum(len(terms) for terms, _, _ in self._lexicon.values())
