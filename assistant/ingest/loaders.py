"""Read a file into pages of raw text: PDF (page by page), plain text and Markdown.

Every way a file can fail to load ends in a ``LoadError`` that names the file and says what to
do, so that a batch ingest can report it and go on with the other files.
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

import charset_normalizer
from pypdf import PdfReader

from assistant.schema import Page

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".pdf", ".txt", ".md"})

# Legacy Chinese encodings are read as GB18030, their superset, so no character is lost.
_CHINESE_LEGACY = {"gb2312", "gbk", "gb18030", "hz", "hz_gb_2312", "cp936"}
# More control characters than this (tabs and newlines aside) means binary data, not text.
_MAX_CONTROL_SHARE = 0.02
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class LoadError(Exception):
    """A file that cannot be ingested; ``str()`` says which file, why, and what to do."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def load_pages(path: Path) -> list[Page]:
    """The raw text of ``path``: one ``Page`` per PDF page, or one page for a text file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise LoadError(path, f"unsupported file type '{suffix or path.name}'; use {supported}")
    if not path.is_file():
        raise LoadError(path, "file not found")
    if suffix == ".pdf":
        return _load_pdf(path)
    return [Page(text=_decode_text(path, path.read_bytes()), number=None)]


def _load_pdf(path: Path) -> list[Page]:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not _open_with_empty_password(reader):
            raise LoadError(
                path, "encrypted PDF; remove the password first (e.g. `qpdf --decrypt`)"
            )
        pages = [
            Page(text=page.extract_text() or "", number=number)
            for number, page in enumerate(reader.pages, start=1)
        ]
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files; report, don't crash
        raise LoadError(path, f"corrupt or unreadable PDF ({exc}); re-export or repair it") from exc
    pages = [page for page in pages if page.text.strip()]
    if not pages:
        raise LoadError(
            path, "no extractable text (a scanned PDF?); run OCR on it first, e.g. ocrmypdf"
        )
    return pages


def _open_with_empty_password(reader: PdfReader) -> bool:
    """Many PDFs are encrypted only against editing and open with an empty password."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # pypdf raises several types for unsupported or wrong encryption
        return False


def _decode_text(path: Path, data: bytes) -> str:
    """Decode a text file: UTF-8 first, then the detected encoding (GB18030 for Chinese)."""
    if not data.strip():
        raise LoadError(path, "empty file")
    if data.startswith(_UTF16_BOMS):
        text = data.decode("utf-16")
    elif b"\x00" in data:
        raise LoadError(path, "binary content (NUL bytes), not text; is the suffix wrong?")
    else:
        text = _decode_legacy(path, data)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise LoadError(path, "binary content (control characters), not text")
    if not text.strip():
        raise LoadError(path, "empty file")
    return text


def _decode_legacy(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None or best.encoding is None:
        raise LoadError(path, "unknown text encoding; save the file as UTF-8")
    # Short GBK text reads as Korean (cp949) just as cleanly, and the detector then picks
    # Korean; a Chinese reading that is as clean wins, because Chinese is what this corpus holds.
    chinese = any(m.encoding.lower() in _CHINESE_LEGACY and m.chaos <= best.chaos for m in matches)
    encoding = "gb18030" if chinese else best.encoding
    log.info("%s is not UTF-8; decoding it as %s", path.name, encoding)
    return data.decode(encoding, errors="replace")


def _control_share(text: str) -> float:
    controls = sum(
        1 for ch in text if ch not in "\n\r\t\f" and unicodedata.category(ch) in ("Cc", "Cs")
    )
    return controls / max(len(text), 1)
