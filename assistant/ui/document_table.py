"""The documents tab's table and the document pickers, read from the index."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from assistant.index.catalog import DocumentInfo
from assistant.ui.labels import lang_name, t
from assistant.ui.services import DocumentIndex

log = logging.getLogger(__name__)


def list_documents(index: DocumentIndex) -> list[DocumentInfo]:
    """The indexed documents, or none (logged) when the index cannot be read."""
    try:
        return list(index.documents())
    except Exception:
        log.exception("Cannot list the indexed documents")
        return []


def document_headers(ui_lang: str) -> list[str]:
    keys = ("col_lang", "col_symbol", "col_title", "col_source", "col_chunks")
    return [t(key, ui_lang) for key in keys]


def document_rows(documents: Sequence[DocumentInfo], ui_lang: str) -> list[list[object]]:
    """One row per document, Chinese first then English, each by symbol and file name."""
    ordered = sorted(documents, key=lambda d: (d.lang, d.symbol or "~", d.source))
    return [
        [lang_name(d.lang, ui_lang), d.symbol or "", d.title, d.source, d.chunk_count]
        for d in ordered
    ]
