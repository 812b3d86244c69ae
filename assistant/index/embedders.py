"""Sentence embedders behind one small interface, chosen by settings."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors; one implementation per backend."""

    name: str  # recorded in the index manifest; a different name refuses to open the index
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed a batch of texts; returns float32 array of shape (len(texts), dimension)."""
        ...
