"""Turn one file into a cleaned ``Document``: the ingestion steps before chunking.

load pages (the loader for the file's format) → clean each page → join pages (keeping where
each starts) → detect language → title, symbol and date (curated ``documents.yaml`` first,
then what the file format states, then what the text shows) → content hash

Every format goes through the same steps after loading, so a Word file, a web page and an
OCR'd scan are cleaned, split and described exactly as a PDF is.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.config import IngestSettings
from assistant.ingest.cleaning import clean_text
from assistant.ingest.loaders import LoadError, load_file
from assistant.ingest.metadata import extract_title, find_date, find_symbol
from assistant.ingest.sidecar import overrides_for
from assistant.schema import Document, Page
from assistant.text.lang import detect_language

PAGE_SEPARATOR = "\n\n"  # a page break is a paragraph break in the cleaned text


def load_document(path: Path, root: Path, options: IngestSettings | None = None) -> Document:
    """Load, clean and describe the file at ``path``; ``doc_id`` is its path under ``root``.

    Raises ``LoadError`` for unsupported, unreadable, empty or text-less files.
    """
    path = Path(path).resolve()
    loaded = load_file(path, options)
    pages = loaded.pages
    text, page_starts = join_pages(pages)
    if not text:
        raise LoadError(path, "no text left after cleaning (only headers, page numbers or links)")
    raw_text = "\n".join([*loaded.furniture, *(page.text for page in pages)])
    curated = overrides_for(path, root)
    return Document(
        doc_id=document_id(path, root),
        source=path.name,
        path=str(path),
        text=text,
        lang=detect_language(text),
        title=curated.get("title") or loaded.title or extract_title(text, path),
        symbol=curated.get("symbol") or loaded.symbol or find_symbol(raw_text),
        # A stated date (web page metadata) first, then the one printed at the head of the
        # text; a Word file's creation date only when neither exists.
        date=curated.get("date") or loaded.date or find_date(text) or loaded.created,
        content_hash=content_hash(path, root),
        page_starts=page_starts,
        ocr_pages={
            page.number: page.ocr_confidence
            for page in pages
            if page.number is not None and page.ocr_confidence is not None
        },
    )


def content_hash(path: Path, root: Path) -> str:
    """sha256 of the file's bytes and its curated metadata: a curated edit re-ingests the file.

    Known before loading, so an unchanged file (a scan that would need OCR) is not read again.
    """
    digest = hashlib.sha256(Path(path).read_bytes())
    digest.update(repr(sorted(overrides_for(Path(path).resolve(), root).items())).encode())
    return digest.hexdigest()


def join_pages(pages: list[Page]) -> tuple[str, list[tuple[int, int]]]:
    """Clean each page and join them; returns the text and ``(offset, page number)`` pairs.

    Offsets are recorded only for numbered (PDF) pages, so text files get an empty list.
    """
    parts: list[str] = []
    page_starts: list[tuple[int, int]] = []
    offset = 0
    for page in pages:
        cleaned = clean_text(page.text, page.paragraph_lines)
        if not cleaned:
            continue
        if parts:
            offset += len(PAGE_SEPARATOR)
        if page.number is not None:
            page_starts.append((offset, page.number))
        parts.append(cleaned)
        offset += len(cleaned)
    return PAGE_SEPARATOR.join(parts), page_starts


def document_id(path: Path, root: Path) -> str:
    """The path of ``path`` relative to ``root`` in POSIX form, or the bare file name."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).name
