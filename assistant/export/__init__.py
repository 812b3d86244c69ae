"""Answers as documents a delegate can paste into a brief: Word (``docx``) and Markdown
(``markdown``), each with its sources (UN symbol, ¶, page, file) and the quoted sentence that
supports each citation. ``write_export`` picks the format from the file name; the chat's export
buttons and ``assistant ask --export`` both call it."""

from __future__ import annotations

from pathlib import Path

from assistant.export.exchange import Exchange

FORMATS = (".docx", ".md")


class ExportFormatError(ValueError):
    """The file name does not end in a format the export writes."""


def write_export(path: Path, exchanges: list[Exchange], title: str | None = None) -> Path:
    """Write ``exchanges`` to ``path`` as Word or Markdown (by its suffix); returns ``path``."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from assistant.export.docx import write_docx

        write_docx(path, exchanges, title)
    elif suffix == ".md":
        from assistant.export.markdown import conversation_markdown

        path.write_text(conversation_markdown(exchanges, title), encoding="utf-8")
    else:
        raise ExportFormatError(
            f"cannot export to {path.name!r}: name the file .docx (Word) or .md (Markdown)"
        )
    return path
