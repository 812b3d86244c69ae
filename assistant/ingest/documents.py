"""Turn one file into a cleaned ``Document``: the ingestion steps before chunking.

load pages → clean each page → join pages (keeping where each starts) → detect language
→ title, symbol and date (curated ``documents.yaml`` first) → content hash
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.ingest.cleaning import clean_text
from assistant.ingest.loaders import LoadError, load_pages
from assistant.ingest.metadata import extract_title, find_date, find_symbol
from assistant.ingest.sidecar import overrides_for
from assistant.schema import Document, Page
from assistant.text.lang import detect_language

PAGE_SEPARATOR = "\n\n"  # a page break is a paragraph break in the cleaned text


def load_document(path: Path, root: Path) -> Document:
    """Load, clean and describe the file at ``path``; ``doc_id`` is its path under ``root``.

    Raises ``LoadError`` for unsupported, unreadable, empty or text-less files.
    """
    path = Path(path).resolve()
    pages = load_pages(path)
    text, page_starts = join_pages(pages)
    if not text:
        raise LoadError(path, "no text left after cleaning (only headers, page numbers or links)")
    raw_text = "\n".join(page.text for page in pages)
    curated = overrides_for(path, root)
    digest = hashlib.sha256(path.read_bytes())
    digest.update(repr(sorted(curated.items())).encode())  # a curated edit re-ingests the file
    return Document(
        doc_id=document_id(path, root),
        source=path.name,
        path=str(path),
        text=text,
        lang=detect_language(text),
        title=curated.get("title") or extract_title(text, path),
        symbol=curated.get("symbol") or find_symbol(raw_text),
        date=curated.get("date") or find_date(text),
        content_hash=digest.hexdigest(),
        page_starts=page_starts,
    )


def join_pages(pages: list[Page]) -> tuple[str, list[tuple[int, int]]]:
    """Clean each page and join them; returns the text and ``(offset, page number)`` pairs.

    Offsets are recorded only for numbered (PDF) pages, so text files get an empty list.
    """
    parts: list[str] = []
    page_starts: list[tuple[int, int]] = []
    offset = 0
    for page in pages:
        cleaned = clean_text(page.text)
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
