"""The embedding stage: slices in order, the cache, worker processes only for bulk writes."""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import pytest

from assistant.index.embed_stage import EmbedStage, EmbedWorkers, embed_all
from assistant.index.embedding_cache import CachedEmbedder, EmbeddingCache

DIMENSION = 6


class HashEmbedder:
    """Vectors from each text's hash; records the batches it was called with."""

    name = "hash-embedder"
    dimension = DIMENSION

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.fail_on = fail_on

    def embed(self, texts: list[str]) -> np.ndarray:
        if self.fail_on in texts:
            raise RuntimeError(f"cannot embed {self.fail_on!r}")
        self.calls.append(list(texts))
        return np.stack([vector(t) for t in texts]) if texts else np.empty((0, DIMENSION))


def vector(text: str) -> np.ndarray:
    digest = hashlib.sha256(text.encode()).digest()
    return np.frombuffer(digest[: 4 * DIMENSION], dtype=np.uint32).astype(np.float32) / 2**32


def recipe(fail_on: str | None = None) -> HashEmbedder:
    return HashEmbedder(fail_on)


@pytest.fixture
def cached(tmp_path):
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    yield CachedEmbedder(HashEmbedder(), cache)
    cache.close()


def _drain(stage: EmbedStage) -> np.ndarray:
    parts = [np.empty((0, DIMENSION), dtype=np.float32)]
    while stage.pending:
        parts.append(stage.take(wait=True))
    return np.concatenate(parts)


def test_vectors_come_back_in_order_in_the_sequential_slices(cached):
    texts = [f"text {i}" for i in range(11)]
    with EmbedStage(cached, slice_size=4) as stage:
        stage.add(texts[:3])
        stage.add(texts[3:9])  # slices cut across the calls, as across documents
        stage.add(texts[9:])
        stage.finish()
        got = _drain(stage)
    assert np.array_equal(got, np.stack([vector(t) for t in texts]))
    assert cached.inner.calls == [texts[0:4], texts[4:8], texts[8:11]]
    assert cached.misses == 11


def test_cached_texts_are_not_embedded_again(cached):
    cached.embed(["b", "d"])
    cached.inner.calls.clear()
    got = embed_all(cached, ["a", "b", "c", "d"], workers=None)
    assert np.array_equal(got, np.stack([vector(t) for t in "abcd"]))
    assert cached.inner.calls == [["a", "c"]]


def test_a_small_write_starts_no_worker(cached):
    workers = EmbedWorkers(functools.partial(recipe), 2)
    try:
        with EmbedStage(cached, slice_size=2, workers=workers, pool_after_chars=100) as stage:
            stage.add(["x", "y", "z"])
            assert stage.take(wait=False).shape == (0, DIMENSION)  # held back, not embedded
            stage.finish()
            got = _drain(stage)
        assert not workers.started
        assert np.array_equal(got, np.stack([vector(t) for t in "xyz"]))
        assert cached.inner.calls == [["x", "y"], ["z"]]
    finally:
        workers.close()


def test_a_bulk_write_embeds_in_worker_processes_with_the_same_vectors(cached):
    texts = [f"passage {i}" for i in range(40)]
    workers = EmbedWorkers(functools.partial(recipe), 2)
    try:
        with EmbedStage(cached, slice_size=5, workers=workers, pool_after_chars=60) as stage:
            stage.add(texts)
            stage.finish()
            got = _drain(stage)
        assert workers.started
    finally:
        workers.close()
    assert np.array_equal(got, np.stack([vector(t) for t in texts]))
    assert cached.inner.calls == []  # every slice, the held-back ones too, went to the workers
    assert cached.misses == 40
    assert np.array_equal(cached.embed(texts[:3]), got[:3])  # and their vectors were cached


def test_a_worker_error_reaches_the_writer(cached):
    workers = EmbedWorkers(functools.partial(recipe, "bad"), 2)
    try:
        with (
            pytest.raises(RuntimeError, match="cannot embed"),
            EmbedStage(cached, slice_size=2, workers=workers, pool_after_chars=0) as stage,
        ):
            stage.add(["ok", "fine", "bad", "good"])
            stage.finish()
            _drain(stage)
    finally:
        workers.close()


def test_an_embedder_without_a_worker_recipe_runs_in_process(cached):
    workers = EmbedWorkers(None, 2)
    assert not workers.usable
    got = embed_all(cached, ["p", "q", "r"], workers=workers)
    assert np.array_equal(got, np.stack([vector(t) for t in "pqr"])) and not workers.started
