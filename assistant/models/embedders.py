"""Sentence embedders behind one small interface, chosen by settings."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from assistant.config import EmbedderSettings


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; one implementation per backend."""

    name: str  # recorded in the index manifest; a different name refuses to open the index
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed a batch of texts; returns float32 array of shape (len(texts), dimension)."""
        ...


def build_embedder(settings: EmbedderSettings) -> Embedder:
    """The configured embedder; sentence-transformers only when asked for (optional extra)."""
    if settings.kind == "sentence-transformers":
        from assistant.models.st_embedder import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(settings.path, batch_size=settings.batch_size)
    from assistant.models.use_embedder import UniversalSentenceEncoder

    return UniversalSentenceEncoder(batch_size=settings.batch_size, threads=settings.threads)
