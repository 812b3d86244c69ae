"""Real ``.docx`` files made with python-docx for the loader tests, footnotes included.

python-docx writes paragraphs, list styles, tables and core properties but not footnotes, so
``add_footnotes`` adds the footnotes part the way Word stores it: ``word/footnotes.xml``, its
relationship and content type, and a ``w:footnoteReference`` run in the body paragraph.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def number_paragraph(paragraph, num_id: int, ilvl: int = 0) -> None:
    """Put ``paragraph`` in Word list ``num_id`` at level ``ilvl`` (its own ``w:numPr``)."""
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    level = OxmlElement("w:ilvl")
    level.set(qn("w:val"), str(ilvl))
    num = OxmlElement("w:numId")
    num.set(qn("w:val"), str(num_id))
    num_pr.append(level)
    num_pr.append(num)
    ppr.append(num_pr)


def add_numbering(document, num_id: int, levels: list[tuple[str, str]]) -> None:
    """A list definition: one ``(numFmt, lvlText)`` per level, e.g. ("decimal", "%1.")."""
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(100 + num_id))
    for ilvl, (fmt, text) in enumerate(levels):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, value in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text)):
            node = OxmlElement(tag)
            node.set(qn("w:val"), value)
            lvl.append(node)
        abstract.append(lvl)
    numbering.insert(0, abstract)  # abstractNum elements come before num elements
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(100 + num_id))
    num.append(ref)
    numbering.append(num)


def add_footnote_reference(paragraph, note_id: int) -> None:
    run = paragraph.add_run()
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(note_id))
    run._r.append(ref)


def add_footnotes(path: Path, notes: dict[int, str]) -> None:
    """Rewrite the saved package at ``path`` with a footnotes part holding ``notes``."""
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
        "</w:footnote>"
        for n, text in notes.items()
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W_NS}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        f"</w:footnote>{body}</w:footnotes>"
    )
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    rels = parts["word/_rels/document.xml.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdNotes1" Type="{_FOOTNOTES_REL}" Target="footnotes.xml"/>'
        "</Relationships>",
    )
    types = parts["[Content_Types].xml"].decode()
    types = re.sub(
        "</Types>",
        f'<Override PartName="/word/footnotes.xml" ContentType="{_FOOTNOTES_TYPE}"/></Types>',
        types,
    )
    parts["word/_rels/document.xml.rels"] = rels.encode()
    parts["[Content_Types].xml"] = types.encode()
    parts["word/footnotes.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


FOOTNOTE_TEXT = "See the Madrid Guiding Principles, S/2015/939, annex II."
ZH_PARAGRAPH = "委员会在2018年4月19日举行的第330次会议上审议了该联合报告。"
EN_PARAGRAPH = "The Committee will continue to review the information provided by the Directorate."


def un_report_docx(path: Path) -> Path:
    """A small UN-style report: title, heading, Word-numbered paragraphs 1-3 with sub-items
    (a)-(b), a table and a footnote; the symbol in the core properties."""
    document = Document()
    add_numbering(document, 41, [("decimal", "%1."), ("lowerLetter", "(%2)")])
    document.core_properties.title = "S/2018/208"
    document.core_properties.subject = "Joint report on resolution 2395 (2017)"
    document.add_paragraph("Joint report of the Counter-Terrorism Committee", style="Title")
    document.add_paragraph("8 May 2018")
    document.add_heading("Introduction", level=1)
    first = document.add_paragraph(ZH_PARAGRAPH)
    number_paragraph(first, 41)
    add_footnote_reference(first, 1)
    second = document.add_paragraph(EN_PARAGRAPH)
    number_paragraph(second, 41)
    for text in ("Assess the implementation of resolution 2396 (2017);", "Report back in 2019."):
        number_paragraph(document.add_paragraph(text), 41, ilvl=1)
    table = document.add_table(rows=2, cols=3)
    rows = [("State", "Visits", "Year"), ("Mali", "3", "2018")]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    third = document.add_paragraph("The Committee adopted the report without a vote.")
    number_paragraph(third, 41)
    document.save(str(path))
    add_footnotes(path, {1: FOOTNOTE_TEXT})
    return path
