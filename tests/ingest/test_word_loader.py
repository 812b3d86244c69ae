"""Word ``.docx`` files made with python-docx: numbering, headings, tables, footnotes, metadata."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document

from assistant.config import ChunkSettings
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document_loading import load_document
from assistant.ingest.loaders import LoadError, load_file
from assistant.ingest.loaders.word_numbering import format_number
from tests.ingest.word_files import (
    EN_PARAGRAPH,
    FOOTNOTE_TEXT,
    ZH_PARAGRAPH,
    add_numbering,
    number_paragraph,
    un_report_docx,
)


@pytest.fixture
def report(tmp_path: Path):
    path = un_report_docx(tmp_path / "report.docx")
    doc = load_document(path, tmp_path)
    return doc, chunk_document(doc, ChunkSettings())


def test_word_numbered_paragraphs_become_paragraph_numbers(report) -> None:
    _doc, chunks = report
    by_paragraph = {c.paragraph: c.text for c in chunks if c.paragraph}
    assert set(by_paragraph) == {"1", "2", "3"}
    assert ZH_PARAGRAPH in by_paragraph["1"] and "1. " + ZH_PARAGRAPH in by_paragraph["1"]
    assert EN_PARAGRAPH in by_paragraph["2"]
    assert "(a) Assess the implementation" in by_paragraph["2"]
    assert "(b) Report back in 2019." in by_paragraph["2"]
    assert by_paragraph["3"].startswith("3. The Committee adopted")


def test_table_rows_are_text_in_place(report) -> None:
    _doc, chunks = report
    table = next(c for c in chunks if "| State | Visits | Year |" in c.text)
    assert "| Mali | 3 | 2018 |" in table.text


def test_footnotes_are_kept_apart_from_body_passages(report) -> None:
    _doc, chunks = report
    notes = [c for c in chunks if FOOTNOTE_TEXT in c.text]
    assert len(notes) == 1 and notes[0].paragraph is None
    assert notes[0].text.startswith("# Footnotes")
    body = [c for c in chunks if c is not notes[0]]
    assert body and all("Madrid Guiding Principles" not in c.text for c in body)


def test_symbol_title_date_and_languages(report) -> None:
    doc, chunks = report
    assert doc.symbol == "S/2018/208"  # from the core properties
    assert doc.title == "Joint report of the Counter-Terrorism Committee"  # the Title style
    assert doc.date == "2018-05-08"  # printed in the first lines
    langs = {c.paragraph: c.lang for c in chunks if c.paragraph}
    assert langs["1"] == "zh" and langs["2"] == "en"
    assert doc.page_starts == [] and all(c.page is None for c in chunks)


def test_symbol_from_the_first_lines_when_properties_lack_it(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("A/73/866")
    document.add_paragraph("关于如何评估联合国反恐工作的备选办法")
    document.add_paragraph("委员会审议了秘书长的报告，并决定在下届会议上继续审议。")
    path = tmp_path / "plain.docx"
    document.save(str(path))
    doc = load_document(path, tmp_path)
    assert doc.symbol == "A/73/866"
    assert doc.title == "关于如何评估联合国反恐工作的备选办法"
    assert "A/73/866" not in doc.text  # page furniture, not body text


def test_headings_close_the_numbered_paragraph_above(tmp_path: Path) -> None:
    document = Document()
    add_numbering(document, 7, [("decimal", "%1.")])
    number_paragraph(document.add_paragraph("First numbered paragraph of the report."), 7)
    document.add_heading("Recommendations", level=2)
    document.add_paragraph("An unnumbered closing remark after the heading.")
    path = tmp_path / "headings.docx"
    document.save(str(path))
    chunks = chunk_document(load_document(path, tmp_path), ChunkSettings())
    closing = next(c for c in chunks if "closing remark" in c.text)
    assert closing.paragraph is None and "## Recommendations" in closing.text


def test_list_styles_of_the_default_template_are_numbered(tmp_path: Path) -> None:
    """ "List Number" carries its numbering in the style, not the paragraph."""
    document = Document()
    for text in ("One item of the list.", "Another item.", "A third item."):
        document.add_paragraph(text, style="List Number")
    path = tmp_path / "styled.docx"
    document.save(str(path))
    text = load_file(path).pages[0].text
    assert text.splitlines() == ["1. One item of the list.", "2. Another item.", "3. A third item."]


def test_sub_item_counters_restart_under_each_parent(tmp_path: Path) -> None:
    document = Document()
    add_numbering(document, 9, [("decimal", "%1."), ("lowerLetter", "(%2)")])
    for text, level in [("A", 0), ("a1", 1), ("a2", 1), ("B", 0), ("b1", 1)]:
        number_paragraph(document.add_paragraph(text), 9, level)
    path = tmp_path / "levels.docx"
    document.save(str(path))
    lines = load_file(path).pages[0].text.splitlines()
    assert lines == ["1. A", "(a) a1", "(b) a2", "2. B", "(a) b1"]


@pytest.mark.parametrize(
    ("n", "fmt", "expected"),
    [(12, "decimal", "12"), (2, "lowerLetter", "b"), (27, "lowerLetter", "aa"),
     (4, "lowerRoman", "iv"), (9, "upperRoman", "IX"), (3, "upperLetter", "C"),
     (12, "chineseCounting", "十二")],
)  # fmt: skip
def test_number_formats(n: int, fmt: str, expected: str) -> None:
    assert format_number(n, fmt) == expected


def test_corrupt_docx_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("word/document.xml", b"\x00\xffnot xml at all")
    with pytest.raises(LoadError, match="corrupt or unreadable Word file") as info:
        load_file(path)
    assert info.value.path == path


def test_legacy_doc_says_to_save_as_docx(tmp_path: Path) -> None:
    path = tmp_path / "old.doc"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 512)  # OLE2 header
    with pytest.raises(LoadError, match=r"save it as \.docx"):
        load_file(path)
