"""Hand-made documents for index tests that must not depend on the ingestion code."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from assistant.schema import Chunk, Document

ZH_MEETING = (
    "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，"
    "建议将该文件作为安全理事会文件分发。"
)
ZH_RESOLUTION = (
    "安全理事会第2395(2017)号决议第18段请反恐怖主义委员会执行局与反恐怖主义办公室提交联合报告。"
)
EN_CLIMATE = "Climate change is the defining issue of our time, and no country can face it alone."
EN_SCHOOLS = (
    "More than 520 schools have closed, depriving nearly 56,000 students of their education."
)


def make_document(doc_id: str, lang: str, paragraphs: list[str]) -> tuple[Document, list[Chunk]]:
    """A document whose chunks are its paragraphs, numbered 1, 2, ... like a UN report."""
    text = "\n\n".join(paragraphs)
    doc = Document(
        doc_id=doc_id,
        source=doc_id.rsplit("/", 1)[-1],
        path=f"/nowhere/{doc_id}",
        text=text,
        lang=lang,  # type: ignore[arg-type]
        title=paragraphs[0][:30],
        symbol="S/2018/000",
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    chunks, start = [], 0
    for i, para in enumerate(paragraphs):
        chunk_id = hashlib.sha256(f"{doc_id}\0{para}".encode()).hexdigest()[:32]
        end = start + len(para)
        chunks.append(Chunk(chunk_id, doc_id, i, para, start, end, doc.lang, paragraph=str(i + 1)))
        start += len(para) + 2
    return doc, chunks


class FakeEmbedder:
    """A deterministic stand-in with another name, for mismatch tests only."""

    def __init__(self, name: str = "fake-embedder", dimension: int = 8) -> None:
        self.name = name
        self.dimension = dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        out[:, 0] = 1.0
        return out


@pytest.fixture
def small_index(tmp_path, use_embedder, settings_for, catalog_mode):
    """A fresh index holding one Chinese and one English document (real USE, real Chroma),
    once with each catalog engine (SQLite, PostgreSQL)."""
    from assistant.index.factory import open_index

    settings = catalog_mode(settings_for(tmp_path / "index"))
    index = open_index(settings, use_embedder)
    with index.batch():
        index.add_document(*make_document("zh/report.txt", "zh", [ZH_MEETING, ZH_RESOLUTION]))
        index.add_document(*make_document("en/speech.txt", "en", [EN_CLIMATE, EN_SCHOOLS]))
    yield index
    index.close()
