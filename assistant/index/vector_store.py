"""The dense side of the index: a Chroma collection used through llama-index's vector store.

Vectors are computed by our own embedder (batched, cached) and handed over precomputed, so
Chroma's own embedding function is never called (it would try to download a model). Chroma
holds only what a dense search needs: the vector, the chunk id and the two fields searches
filter on (``lang``, ``doc_id``). The text and the rest of a chunk's metadata live in the
catalog, which every search reads its passages from; stored in Chroma as well, they were
written twice and Chroma indexed the text for a full-text search nothing runs (2,447 vectors of
a UNGDC session: 2.4 s to insert with text and full metadata, 0.75 s without). The
collection uses cosine space; llama-index reports ``exp(-distance)`` as its similarity, which
is converted back to the cosine similarity ``1 - distance`` that answering thresholds on.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.config import ChromaSettings

logger = logging.getLogger(__name__)

_GET_PAGE = 5000  # ids per page when listing the whole collection


@dataclass(frozen=True)
class VectorRecord:
    """One chunk as written to Chroma: its vector and the fields searches filter on."""

    chunk_id: str
    doc_id: str
    lang: str
    embedding: np.ndarray


def _client(settings: ChromaSettings, index_dir: Path):
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    if settings.mode == "http":
        client_settings = ChromaClientSettings(anonymized_telemetry=False)
        headers = {}
        if settings.auth_token is not None:
            headers["Authorization"] = f"Bearer {settings.auth_token.get_secret_value()}"
        try:
            return chromadb.HttpClient(
                host=settings.host, port=settings.port, headers=headers, settings=client_settings
            )
        except ValueError as exc:  # chromadb's "Could not connect to a Chroma server"
            raise ConnectionError(
                f"cannot reach the Chroma server at {settings.host}:{settings.port} ({exc}); "
                "start it (`chroma run --path DIR --host HOST --port PORT`) or set chroma.mode"
            ) from exc
    path = index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(path), settings=ChromaClientSettings(anonymized_telemetry=False)
    )


def cosine_from_llama_similarity(similarity: float) -> float:
    """Undo llama-index's ``exp(-distance)``; Chroma's cosine distance is ``1 - cos``."""
    if similarity <= 0.0:
        return -1.0
    return 1.0 + math.log(similarity)


class ChromaVectorIndex:
    """Add, query and delete chunk vectors in one Chroma collection."""

    def __init__(self, settings: ChromaSettings, index_dir: Path) -> None:
        self._client_handle = _client(settings, index_dir)
        self._max_batch = int(self._client_handle.get_max_batch_size())
        self._search_ef = settings.search_ef
        self._attach(settings.collection)

    def _attach(self, name: str) -> None:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        # embedding_function=None: vectors always come precomputed from our embedder.
        self.collection = self._client_handle.get_or_create_collection(
            name, metadata={"hnsw:space": "cosine"}, embedding_function=None
        )
        hnsw = (self.collection.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search") != self._search_ef:
            try:
                self.collection.modify(configuration={"hnsw": {"ef_search": self._search_ef}})
            except Exception as exc:  # a read-only index folder: search as it was built
                logger.warning("could not set chroma.search_ef on %s: %s", name, exc)
        self.store = ChromaVectorStore(chroma_collection=self.collection)

    def add(self, records: Sequence[VectorRecord]) -> None:
        """Write records; ids already present are ignored by Chroma, so delete first to replace."""
        from llama_index.core.schema import BaseNode, NodeRelationship, RelatedNodeInfo, TextNode

        if not records:
            return
        nodes: list[BaseNode] = [
            TextNode(
                id_=record.chunk_id,
                embedding=np.asarray(record.embedding, dtype=np.float32).tolist(),
                metadata={"lang": record.lang, "doc_id": record.doc_id},
                # The source relationship makes llama-index store doc_id as the node's
                # ref_doc_id, which is what ``delete_document`` filters on.
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=record.doc_id)},
            )
            for record in records
        ]
        # One insert per call where Chroma allows it (its cost is mostly per call); its limit
        # on records per insert is the client's (a few thousand).
        step = max(1, self._max_batch)
        for start in range(0, len(nodes), step):
            self.store.add(nodes[start : start + step])

    def query(
        self,
        embedding: np.ndarray,
        top_k: int,
        *,
        langs: Sequence[str] | None = None,
        doc_ids: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """The ``top_k`` nearest chunks as (chunk_id, cosine similarity), best first."""
        from llama_index.core.vector_stores.types import (
            FilterOperator,
            MetadataFilter,
            MetadataFilters,
            VectorStoreQuery,
        )

        if top_k <= 0:
            return []
        filters: list[MetadataFilter | MetadataFilters] = []
        if langs:
            filters.append(
                MetadataFilter(key="lang", value=list(langs), operator=FilterOperator.IN)
            )
        if doc_ids:
            filters.append(
                MetadataFilter(key="doc_id", value=list(doc_ids), operator=FilterOperator.IN)
            )
        query = VectorStoreQuery(
            query_embedding=[float(x) for x in embedding],
            similarity_top_k=top_k,
            filters=MetadataFilters(filters=filters) if filters else None,
        )
        result = self.store.query(query)
        ids = result.ids or []
        sims = result.similarities or []
        return [(i, cosine_from_llama_similarity(s)) for i, s in zip(ids, sims, strict=True)]

    def embeddings(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (ids not in the collection are absent)."""
        if not chunk_ids:
            return {}
        got = self.collection.get(ids=list(chunk_ids), include=["embeddings"])
        return {
            cid: np.asarray(vec, dtype=np.float32)
            for cid, vec in zip(got["ids"], got["embeddings"], strict=True)
        }

    def delete_document(self, doc_id: str) -> None:
        self.store.delete(ref_doc_id=doc_id)

    def delete_ids(self, chunk_ids: Sequence[str]) -> None:
        if chunk_ids:
            self.collection.delete(ids=list(chunk_ids))

    def ids(self) -> set[str]:
        """Every chunk id in the collection (for ``index check``)."""
        found: set[str] = set()
        offset = 0
        while True:
            page = self.collection.get(include=[], limit=_GET_PAGE, offset=offset)["ids"]
            found.update(page)
            if len(page) < _GET_PAGE:
                return found
            offset += _GET_PAGE

    def count(self) -> int:
        return self.collection.count()

    def reset(self) -> None:
        """Drop and recreate the collection (``ingest --rebuild``)."""
        name = self.collection.name
        self._client_handle.delete_collection(name)
        self._attach(name)
