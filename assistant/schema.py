"""Plain data passed between the pipeline stages.

Kept free of any backend types so that ingestion, indexing, answering and evaluation can each be
tested alone with hand-made values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Language = Literal["zh", "en", "other"]


@dataclass(frozen=True)
class Page:
    """Text of one page (PDF) or of a whole file (TXT/MD, page number ``None``).

    ``ocr_confidence`` is set when the text was recognised from a scan (mean per character).
    ``paragraph_lines``: every line is a whole paragraph (Word, HTML), so the cleaner has no
    wrapped lines to rejoin.
    """

    text: str
    number: int | None = None
    ocr_confidence: float | None = None
    paragraph_lines: bool = False


@dataclass
class Document:
    """A cleaned source document, ready to be chunked."""

    doc_id: str  # stable: path relative to the ingested root, e.g. "zh/000_b645ea8b0039a4ff.txt"
    source: str  # file name as the user knows it, e.g. "000_b645ea8b0039a4ff.txt"
    path: str  # absolute path at ingest time
    text: str  # cleaned full text
    lang: Language
    title: str
    symbol: str | None = None  # UN document symbol, e.g. "S/2018/208"
    date: str | None = None  # ISO date when recognisable
    content_hash: str = ""  # sha256 of the raw file bytes
    page_starts: list[tuple[int, int]] = field(default_factory=list)  # (char offset, page no.)
    ocr_pages: dict[int, float] = field(default_factory=dict)  # page no. -> OCR confidence


@dataclass
class Chunk:
    """A passage of a document as stored in the index."""

    chunk_id: str  # sha256-derived from doc_id + text, stable across runs
    doc_id: str
    index: int  # position within the document
    text: str
    start: int  # character span in Document.text
    end: int
    lang: Language
    page: int | None = None
    paragraph: str | None = None  # numbered paragraph, e.g. "12" or "12(a)"
    ocr_confidence: float | None = None  # set when the chunk's page was read by OCR

    def metadata(self, document: Document) -> dict[str, str | int | float]:
        """Flat metadata for the vector store (Chroma accepts only scalars)."""
        meta: dict[str, str | int | float] = {
            "doc_id": self.doc_id,
            "source": document.source,
            "title": document.title,
            "doc_lang": document.lang,
            "lang": self.lang,
            "chunk_index": self.index,
            "start": self.start,
            "end": self.end,
            "content_hash": document.content_hash,
        }
        if document.symbol:
            meta["symbol"] = document.symbol
        if document.date:
            meta["date"] = document.date
        if self.page is not None:
            meta["page"] = self.page
        if self.paragraph:
            meta["paragraph"] = self.paragraph
        if self.ocr_confidence is not None:
            meta["ocr_confidence"] = round(self.ocr_confidence, 4)
        return meta


@dataclass
class Passage:
    """A retrieved chunk with its scores, as handed to answering and evaluation."""

    chunk_id: str
    doc_id: str
    source: str
    title: str
    text: str
    lang: Language
    score: float  # fused score, higher is better
    symbol: str | None = None
    paragraph: str | None = None
    page: int | None = None
    dense_score: float | None = None  # cosine similarity, when the dense side found it
    lexical_score: float | None = None  # BM25 score, when the lexical side found it
    chunk_index: int = 0
    ocr_confidence: float | None = None  # the text came from OCR, with this mean confidence

    @property
    def ocr(self) -> bool:
        return self.ocr_confidence is not None

    @property
    def label(self) -> str:
        """How a citation names this passage: "A/73/866 ¶12", "S/2018/208 p. 3" or the file."""
        name = self.symbol or self.source
        parts = [name]
        if self.paragraph:
            parts.append(f"¶{self.paragraph}")
        if self.page is not None:
            parts.append(f"p. {self.page}")
        return " ".join(parts)
