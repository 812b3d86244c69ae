"""An optional embedder: any sentence-transformers model directory the user has on disk.

``sentence-transformers`` (and torch) are an optional extra (``pip install .[transformers]``),
so they are imported only when this embedder is chosen, and only from a local directory: the
assistant never downloads a model at run time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


class EmbedderUnavailableError(RuntimeError):
    """The configured embedder cannot be built; the message says what to install or set."""


class SentenceTransformerEmbedder:
    """A local sentence-transformers model; vectors are L2-normalised like USE's."""

    def __init__(self, model_dir: Path | None, batch_size: int = 64) -> None:
        if model_dir is None:
            raise EmbedderUnavailableError(
                "embedder.kind is 'sentence-transformers' but embedder.path is not set; "
                "point it at a local model directory (ASSISTANT_EMBEDDER__PATH=/path/to/model)."
            )
        model_dir = Path(model_dir).expanduser()
        if not model_dir.is_dir():
            raise EmbedderUnavailableError(
                f"sentence-transformers model directory not found: {model_dir}"
            )
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailableError(
                "the sentence-transformers embedder needs the optional extra: "
                "pip install '.[transformers]'"
            ) from exc
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self.batch_size = batch_size
        self.name = f"sentence-transformers:{model_dir.name}"
        self.dimension = int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
