"""What every loader returns, and the one error a file that cannot be loaded raises.

A loader turns one file into pages of raw text plus whatever metadata the file format itself
states (a Word file's properties, a web page's ``<title>``). Cleaning, paragraph detection,
language detection and the ``documents.yaml`` sidecar come after, the same for every format
(``assistant.ingest.document_loading``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.schema import Page


class LoadError(Exception):
    """A file that cannot be ingested; ``str()`` says which file, why, and what to do."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass
class LoadedFile:
    """Raw pages of one file and the metadata its format carries (``None``: not stated).

    ``date`` is a publication date the file states (a web page's metadata) and wins over a
    date found in the text; ``created`` (a Word file's creation time) is used only when the
    text shows none. ``furniture`` is text the file prints around its body (Word headers and
    footers): read for the UN symbol, never indexed.
    """

    pages: list[Page]
    title: str | None = None
    symbol: str | None = None
    date: str | None = None
    created: str | None = None
    furniture: list[str] = field(default_factory=list)
