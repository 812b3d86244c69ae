"""Plain text and Markdown: one page per file, decoded from UTF-8, UTF-16 or a legacy encoding.

Chinese text saved as GB18030/GBK (still common from older Windows tools) is detected and
decoded; binary content under a text suffix is refused rather than indexed as noise.
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

import charset_normalizer

from assistant.ingest.loaders.base import LoadedFile, LoadError
from assistant.schema import Page

log = logging.getLogger(__name__)

# Legacy Chinese encodings are read as GB18030, their superset, so no character is lost.
_CHINESE_LEGACY = {"gb2312", "gbk", "gb18030", "hz", "hz_gb_2312", "cp936"}
# More control characters than this (tabs and newlines aside) means binary data, not text.
_MAX_CONTROL_SHARE = 0.02
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def load_text(path: Path) -> LoadedFile:
    """A ``.txt`` or ``.md`` file as one unnumbered page."""
    return LoadedFile([Page(text=decode_text(path, path.read_bytes()), number=None)])


def decode_text(path: Path, data: bytes) -> str:
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
