"""The pipeline a user would write from llama-index's starter docs, on our embedder and LLM.

``SimpleDirectoryReader(corpus)`` → default ``SentenceSplitter`` → ``VectorStoreIndex`` over a
Chroma collection of its own → ``as_query_engine()`` with every default: top-k 2, "compact"
synthesis and ``DEFAULT_TEXT_QA_PROMPT`` (our LLM wrapper is a completion model, so that is the
prompt llama-index picks). The same embedder and the same loaded LLM as ours are plugged in
through thin adapters, so the comparison isolates what the pipelines do, not the models.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.base.llms.types import (
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.llms.custom import CustomLLM
from pydantic import PrivateAttr

from assistant.answer.refusal import is_model_refusal
from assistant.answer.types import Answer, Turn
from assistant.models.backends.base import ChatMessage, ChatModel, GenerationParams
from assistant.models.embedders import Embedder
from assistant.schema import Passage
from assistant.text.script import script_language

NAIVE_COLLECTION = "naive_starter"
METRIC_TOP_K = 5  # retrieval is scored at hit@5 for both pipelines
# The default QA prompt speaks of "the context", so the naive model declines in those words;
# they are added to the project's refusal phrases so that its refusals count as refusals.
CONTEXT_REFUSAL_PHRASES: tuple[str, ...] = (
    "context does not",
    "context information does not",
    "not mentioned in the context",
    "not provided in the context",
    "no information in the context",
    "上下文中没有",
    "上下文没有",
    "上下文信息中没有",
    "上下文未提及",
    "没有提到",
)


class EmbedderAdapter(BaseEmbedding):
    """Our ``Embedder`` as a llama-index embedding model."""

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.name, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed(list(texts)).tolist()


class ChatModelAdapter(CustomLLM):
    """Our ``ChatModel`` as a llama-index completion LLM: the prompt goes as one user message."""

    context_window: int = 4096
    num_output: int = 256
    model_name: str = "local"
    _model: Any = PrivateAttr()
    _params: Any = PrivateAttr()

    def __init__(self, model: ChatModel, params: GenerationParams, context_window: int) -> None:
        super().__init__(
            context_window=context_window, num_output=params.max_tokens, model_name=model.name
        )
        self._model = model
        self._params = params

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.num_output,
            model_name=self.model_name,
            is_chat_model=False,
        )

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        text = "".join(self._model.stream([ChatMessage("user", prompt)], self._params))
        return CompletionResponse(text=text)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            text = ""
            for delta in self._model.stream([ChatMessage("user", prompt)], self._params):
                text += delta
                yield CompletionResponse(text=text, delta=delta)

        return gen()


def build_naive_index(
    corpus_dir: Path, chroma_dir: Path, embedder: Embedder, chunk_size: int | None = None
) -> Any:
    """The starter-docs index: read, split (defaults unless ``chunk_size``), embed, store."""
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    splitter = (
        SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_size // 8)
        if chunk_size
        else SentenceSplitter()
    )
    documents = SimpleDirectoryReader(str(corpus_dir), recursive=True).load_data()
    client = chromadb.PersistentClient(
        path=str(chroma_dir), settings=ChromaClientSettings(anonymized_telemetry=False)
    )
    collection = client.get_or_create_collection(NAIVE_COLLECTION)
    store = ChromaVectorStore(chroma_collection=collection)
    return VectorStoreIndex.from_documents(
        documents,
        storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=EmbedderAdapter(embedder),
        transformations=[splitter],
    )


def _passage(node: Any) -> Passage:
    text = node.node.get_content()
    name = node.node.metadata.get("file_name", node.node.node_id)
    return Passage(
        chunk_id=node.node.node_id,
        doc_id=name,
        source=name,
        title=name,
        text=text,
        lang=script_language(text),
        score=float(node.score or 0.0),
    )


class NaiveAsker:
    """Asks the starter query engine; an ``ask`` the evaluation runner can score like ours.

    The engine has no conversation memory (the starter docs' query engine is stateless), so
    a follow-up is asked alone. Passages for hit@k come from a top-5 retriever over the same
    index, timed apart from the answer; the model itself only sees the engine's top 2.
    """

    def __init__(self, index: Any, llm: ChatModelAdapter, refusal_phrases: Sequence[str]) -> None:
        self.engine = index.as_query_engine(llm=llm, streaming=True)
        self.retriever = index.as_retriever(similarity_top_k=METRIC_TOP_K)
        self.phrases = [*refusal_phrases, *CONTEXT_REFUSAL_PHRASES]
        self.model_name = llm.model_name

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        started = time.perf_counter()
        response = self.engine.query(question)
        first = None
        pieces = []
        for delta in response.response_gen:
            if first is None and delta:
                first = time.perf_counter() - started
            pieces.append(delta)
        total = time.perf_counter() - started
        text = "".join(pieces).strip()
        retrieve_started = time.perf_counter()
        nodes = self.retriever.retrieve(question)
        retrieve = time.perf_counter() - retrieve_started
        return Answer(
            question=question,
            text=text,
            language=script_language(question),
            refused=is_model_refusal(text, self.phrases),
            passages=[_passage(n) for n in nodes],
            timings={
                "ttft": first if first is not None else total,
                "first_text": first if first is not None else total,
                "total": total,
                "retrieve": retrieve,
                "generate": total,
            },
            model=self.model_name,
            raw_text=text,
        )
