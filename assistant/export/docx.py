"""Answers as a Word document (python-docx): each question, its answer with the ``[n]`` markers
as superscript note numbers, and the answer's notes: where each source is (UN symbol, ¶, page,
file and title) and the sentence that supports it, quoted.

The notes follow each answer, numbered as its markers are, so an exchange copied out of the
document keeps its references. (python-docx cannot write Word's own footnotes part; notes
after the answer read the same on paper and survive copy and paste.)
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from assistant.export.exchange import Exchange, label, location, origin

_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]")
_NOTE_STYLE = "Source Note"
_QUOTE_STYLE = "Source Quote"
_EAST_ASIAN_FONT = "SimSun"


def write_docx(path: Path, exchanges: list[Exchange], title: str | None = None) -> None:
    document = Document()
    _styles(document)
    lang = exchanges[0].answer.language if exchanges else "en"
    document.add_heading(title or label("conversation", lang), level=0)
    numbered = len(exchanges) > 1
    for number, exchange in enumerate(exchanges, start=1):
        _exchange(document, exchange, number if numbered else None)
    document.core_properties.title = title or label("conversation", lang)
    document.save(str(path))


def _styles(document) -> None:
    """A note style and a quote style, and an East Asian font so Chinese shows everywhere."""
    normal = document.styles["Normal"]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _EAST_ASIAN_FONT)
    note = document.styles.add_style(_NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(9)
    quote = document.styles.add_style(_QUOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    quote.base_style = note
    quote.font.italic = True
    quote.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    quote.paragraph_format.left_indent = Pt(18)


def _exchange(document, exchange: Exchange, number: int | None) -> None:
    answer = exchange.answer
    lang = answer.language
    heading = label("question", lang) + (f" {number}" if number is not None else "")
    document.add_heading(heading, level=1)
    document.add_paragraph(exchange.question)
    document.add_heading(label("answer", lang), level=2)
    for block in answer.text.strip().split("\n"):
        if block.strip():
            _with_note_numbers(document.add_paragraph(), block)
    if answer.refused or not answer.citations:
        return
    document.add_heading(label("sources", lang), level=3)
    for citation in sorted(answer.citations, key=lambda c: c.number):
        note = document.add_paragraph(style=_NOTE_STYLE)
        note.add_run(f"{citation.number}").font.superscript = True
        note.add_run(" ")
        note.add_run(location(citation, lang)).bold = True
        note.add_run(f" — {origin(citation)}")
        for sentence in citation.supporting_sentences:
            document.add_paragraph(f"“{' '.join(sentence.split())}”", style=_QUOTE_STYLE)


def _with_note_numbers(paragraph: Paragraph, text: str) -> None:
    """``text`` with each ``[n]`` marker written as a superscript note number."""
    last = 0
    for match in _MARKER.finditer(text):
        if match.start() > last:
            paragraph.add_run(text[last : match.start()])
        numbers = ",".join(re.findall(r"\d+", match.group(1)))
        paragraph.add_run(numbers).font.superscript = True
        last = match.end()
    if last < len(text):
        paragraph.add_run(text[last:])
