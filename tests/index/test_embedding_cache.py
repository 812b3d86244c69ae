"""The embedding cache: a text is embedded once per embedder, across index instances."""

from __future__ import annotations

import numpy as np

from assistant.index.embedding_cache import CachedEmbedder, EmbeddingCache
from tests.index.conftest import EN_CLIMATE, ZH_MEETING, FakeEmbedder


class CountingEmbedder(FakeEmbedder):
    def __init__(self, name: str = "counting") -> None:
        super().__init__(name=name)
        self.seen: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row, len(text) % self.dimension] = 1.0
        return out


def test_second_call_hits_the_cache(tmp_path):
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache(tmp_path / "cache.sqlite"))
    first = cached.embed([ZH_MEETING, EN_CLIMATE])
    second = cached.embed([EN_CLIMATE, "new", ZH_MEETING])
    assert inner.seen == [ZH_MEETING, EN_CLIMATE, "new"]
    assert cached.misses == 3
    assert np.array_equal(second[0], first[1]) and np.array_equal(second[2], first[0])


def test_cache_survives_reopening_and_separates_embedders(tmp_path):
    path = tmp_path / "cache.sqlite"
    CachedEmbedder(CountingEmbedder(), EmbeddingCache(path)).embed([ZH_MEETING])
    again = CountingEmbedder()
    CachedEmbedder(again, EmbeddingCache(path)).embed([ZH_MEETING])
    assert again.seen == []
    other = CountingEmbedder(name="another-model")
    CachedEmbedder(other, EmbeddingCache(path)).embed([ZH_MEETING])
    assert other.seen == [ZH_MEETING]
