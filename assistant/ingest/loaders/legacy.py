"""Formats recognised only to say what to do with them: Word 97-2003 ``.doc``.

No registry package reads ``.doc`` without a desktop suite (LibreOffice, antiword), so such a
file is reported by name with the one-step fix instead of being skipped as an unknown type.
"""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.loaders.base import LoadedFile, LoadError


def load_legacy_word(path: Path) -> LoadedFile:
    raise LoadError(
        path,
        "legacy Word 97-2003 file (.doc) cannot be read; open it in Word or LibreOffice and "
        "save it as .docx (LibreOffice: `soffice --headless --convert-to docx FILE.doc`)",
    )
