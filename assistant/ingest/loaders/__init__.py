"""Read a file into pages of raw text: one loader per format, chosen by the file's suffix.

PDF (page by page; scanned pages through OCR), Word ``.docx``, saved web pages, plain text and
Markdown. A legacy ``.doc`` is recognised only to say how to convert it. Every way a file can
fail to load ends in a ``LoadError`` that names the file and says what to do, so that a batch
ingest can report it and go on with the other files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.config import IngestSettings
from assistant.ingest.loaders.base import LoadedFile, LoadError
from assistant.ingest.loaders.legacy import load_legacy_word
from assistant.ingest.loaders.pdf import load_pdf
from assistant.ingest.loaders.text import load_text
from assistant.ingest.loaders.web import load_html
from assistant.ingest.loaders.word import load_word
from assistant.schema import Page

__all__ = [
    "RECOGNISED_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "LoadError",
    "LoadedFile",
    "load_file",
    "load_pages",
]

Loader = Callable[[Path, IngestSettings], LoadedFile]

_LOADERS: dict[str, Loader] = {
    ".pdf": load_pdf,
    ".docx": lambda path, _options: load_word(path),
    ".html": lambda path, _options: load_html(path),
    ".htm": lambda path, _options: load_html(path),
    ".txt": lambda path, _options: load_text(path),
    ".md": lambda path, _options: load_text(path),
}
# Known formats that cannot be read: reported with advice instead of skipped as unknown.
_REFUSED: dict[str, Loader] = {".doc": lambda path, _options: load_legacy_word(path)}

SUPPORTED_SUFFIXES = frozenset(_LOADERS)
RECOGNISED_SUFFIXES = SUPPORTED_SUFFIXES | frozenset(_REFUSED)


def load_file(path: Path, options: IngestSettings | None = None) -> LoadedFile:
    """Pages and format metadata of ``path``; raises ``LoadError`` when it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix) or _REFUSED.get(suffix)
    if loader is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise LoadError(path, f"unsupported file type '{suffix or path.name}'; use {supported}")
    if not path.is_file():
        raise LoadError(path, "file not found")
    return loader(path, options or IngestSettings())


def load_pages(path: Path, options: IngestSettings | None = None) -> list[Page]:
    """The raw text of ``path``: one ``Page`` per PDF page, or one page for other files."""
    return load_file(path, options).pages
