"""Word ``.docx`` files (``python-docx``): paragraphs, headings, list numbers, tables, notes.

Written as the plain text the cleaner and the paragraph detector already read:

- paragraphs in document order, one per line, with Word's list label put back in front
  ("12. …", "(a) …"; see ``word_numbering``), so a numbered paragraph is cited as ¶12;
- headings (styles "Title", "Heading 1-9") as Markdown headings ("## Introduction"), which
  close the paragraph above them as "一. 引言" does in a PDF;
- tables row by row, "| cell | cell |", in the place they stand;
- footnotes and endnotes after the body under their own heading, so that no body passage
  carries a note's text;
- header and footer text as page furniture: read for the UN symbol, not indexed.

The symbol, title and date come from the file's core properties where they are stated.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from assistant.ingest.loaders.base import LoadedFile, LoadError
from assistant.ingest.loaders.word_numbering import ListNumbering, paragraph_numbering
from assistant.ingest.metadata import SYMBOL_RE
from assistant.schema import Page

_NOTES_HEADINGS = {"footnotes": "# Footnotes", "endnotes": "# Endnotes"}
_SKIPPED_NOTE_TYPES = {"separator", "continuationSeparator", "continuationNotice"}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def load_word(path: Path) -> LoadedFile:
    """The body of a ``.docx`` as one page, its notes as a second; properties as metadata."""
    document = _open(path)
    try:
        body = _body_lines(document)
        notes = _notes(document)
        furniture = _furniture(document)
        properties = document.core_properties
        title, symbol, created = _properties(properties)
    except Exception as exc:  # damaged parts inside a well-formed zip
        raise LoadError(path, f"corrupt Word file ({exc}); open and re-save it in Word") from exc
    pages = [Page("\n".join(body), paragraph_lines=True)]
    if notes:
        pages.append(Page("\n".join(notes), paragraph_lines=True))
    if not any(page.text.strip() for page in pages):
        raise LoadError(path, "the Word file holds no text")
    return LoadedFile(pages, title=title, symbol=symbol, created=created, furniture=furniture)


def _open(path: Path) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise LoadError(
            path, f"corrupt or unreadable Word file, not a .docx package ({exc}); re-save it"
        ) from exc
    except Exception as exc:  # missing parts, broken XML: python-docx raises many types
        raise LoadError(path, f"corrupt or unreadable Word file ({exc}); re-save it") from exc


def _body_lines(document: Any) -> list[str]:
    from docx.table import Table

    numbering = ListNumbering(_numbering_element(document))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(table_rows(block))
        elif line := _paragraph_line(block, numbering):
            lines.append(line)
    return lines


def _paragraph_line(paragraph: Any, numbering: ListNumbering) -> str | None:
    text = " ".join(paragraph.text.split())
    if not text:
        return None
    found = paragraph_numbering(paragraph)
    label = numbering.label(*found) if found else None
    if label:
        text = f"{label} {text}"
    level = heading_level(paragraph.style.name if paragraph.style is not None else "")
    return f"{'#' * level} {text}" if level else text


def heading_level(style_name: str) -> int:
    """1 for "Title" and "Heading 1", 2 for "Heading 2" … ; 0 for body styles."""
    name = style_name.strip().lower()
    if name == "title":
        return 1
    if name.startswith("heading "):
        number = name.removeprefix("heading ").strip()
        return min(int(number), 6) if number.isdigit() else 0
    return 0


def table_rows(table: Any) -> list[str]:
    """Each row as "| a | b |"; a merged cell is written once, nested paragraphs joined."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def _numbering_element(document: Any) -> Any | None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = document.part
    for rel in part.rels.values():
        if rel.reltype == RT.NUMBERING and not rel.is_external:
            return rel.target_part.element
    return None


def _notes(document: Any) -> list[str]:
    """Footnote and endnote paragraphs, each group under its heading, numbered by note id."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    lines: list[str] = []
    for kind, reltype in (("footnotes", RT.FOOTNOTES), ("endnotes", RT.ENDNOTES)):
        for rel in document.part.rels.values():
            if rel.reltype != reltype or rel.is_external:
                continue
            root = etree.fromstring(rel.target_part.blob)
            notes = []
            for note in root:
                if note.get(f"{_W}type") in _SKIPPED_NOTE_TYPES:
                    continue
                text = " ".join(_note_text(note).split())
                if text:
                    notes.append(f"[{note.get(f'{_W}id')}] {text}")
            if notes:
                lines += [_NOTES_HEADINGS[kind], *notes]
    return lines


def _note_text(note: Any) -> str:
    paragraphs = note.findall(f"{_W}p")
    return " ".join("".join(t.text or "" for t in p.iter(f"{_W}t")) for p in paragraphs)


def _furniture(document: Any) -> list[str]:
    lines: list[str] = []
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.footer):
            if part.is_linked_to_previous:
                continue
            lines.extend(p.text.strip() for p in part.paragraphs if p.text.strip())
    return lines


def _properties(properties: Any) -> tuple[str | None, str | None, str | None]:
    """(title, symbol, creation date) from the core properties; a symbol may sit in any text
    field."""
    fields = [
        properties.title,
        properties.subject,
        properties.keywords,
        properties.identifier,
        properties.category,
    ]
    symbol = next((m.group() for f in fields if f and (m := SYMBOL_RE.search(f))), None)
    title = (properties.title or "").strip() or None
    if title and SYMBOL_RE.fullmatch(title):
        title = None  # the title field holds the symbol, as UN templates often do
    created = properties.created
    return title, symbol, created.date().isoformat() if created else None
