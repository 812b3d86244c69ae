"""The embedders: USE (real) and the optional sentence-transformers one (errors only)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from assistant.config import EmbedderSettings
from assistant.models.embedders import build_embedder
from assistant.models.st_embedder import EmbedderUnavailableError, SentenceTransformerEmbedder
from tests.index.conftest import EN_CLIMATE, EN_SCHOOLS, ZH_MEETING, ZH_RESOLUTION


def test_use_vectors_are_normalised_and_in_caller_order(use_embedder):
    texts = [ZH_RESOLUTION, "short", EN_SCHOOLS, ZH_MEETING, EN_CLIMATE]
    vectors = use_embedder.embed(texts)
    assert vectors.shape == (5, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # Length sorting inside embed() must not reorder the rows.
    one_by_one = np.stack([use_embedder.embed([t])[0] for t in texts])
    assert np.allclose(vectors, one_by_one, atol=1e-4)


def test_use_empty_batch(use_embedder):
    assert use_embedder.embed([]).shape == (0, 512)


def test_use_is_cross_lingual(use_embedder):
    zh_climate = "气候变化是我们这个时代的决定性问题，任何国家都无法单独应对。"
    en, zh, other = use_embedder.embed([EN_CLIMATE, zh_climate, ZH_RESOLUTION])
    assert float(en @ zh) > float(en @ other) + 0.2


def test_sentence_transformers_needs_a_path():
    with pytest.raises(EmbedderUnavailableError, match=r"embedder\.path"):
        build_embedder(EmbedderSettings(kind="sentence-transformers"))


def test_sentence_transformers_missing_directory(tmp_path):
    with pytest.raises(EmbedderUnavailableError, match="not found"):
        SentenceTransformerEmbedder(tmp_path / "no-such-model")


def test_sentence_transformers_missing_package(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import now fails
    with pytest.raises(EmbedderUnavailableError, match=r"\.\[transformers\]"):
        SentenceTransformerEmbedder(tmp_path)
