"""Loading PDF, TXT and Markdown files, and the errors for files that cannot be ingested."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from assistant.ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_pages

ENGLISH_PAGES = [
    [
        "12. The Committee will continue to review the information provided",
        "by the Executive Directorate on resolution 2395 (2017).",
    ],
    ["13. The Committee will hold an open briefing on the Madrid Guiding Principles."],
]
CHINESE_LINE = "委员会在2018年4月19日举行的第330次会议上审议该报告。"


def write_pdf(path: Path, pages: list[list[str]], font: str = "Helvetica") -> Path:
    """A real PDF with one text line per entry, one page per list, made with reportlab."""
    if font == "STSong-Light":
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # built in: CJK without files
    pdf = canvas.Canvas(str(path))
    for lines in pages:
        pdf.setFont(font, 11)
        for number, line in enumerate(lines):
            pdf.drawString(72, 760 - 16 * number, line)
        pdf.drawString(72, 40, f"{len(lines)}/2 18-03734 (C)")  # page furniture
        pdf.showPage()
    pdf.save()
    return path


def test_supported_suffixes() -> None:
    assert {".pdf", ".docx", ".html", ".htm", ".txt", ".md"} == SUPPORTED_SUFFIXES


def test_pdf_pages_are_numbered_from_one(tmp_path: Path) -> None:
    pages = load_pages(write_pdf(tmp_path / "report.pdf", ENGLISH_PAGES))
    assert [page.number for page in pages] == [1, 2]
    assert "resolution 2395 (2017)" in pages[0].text
    assert "Madrid Guiding Principles" in pages[1].text


def test_chinese_pdf_text_is_extracted(tmp_path: Path) -> None:
    pages = load_pages(write_pdf(tmp_path / "zh.pdf", [[CHINESE_LINE]], font="STSong-Light"))
    assert CHINESE_LINE in pages[0].text


def test_corrupt_pdf_raises_load_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n\x8f\x02garbage that is not a PDF body\x00\xff" * 20)
    with pytest.raises(LoadError) as info:
        load_pages(path)
    assert info.value.path == path
    assert "corrupt" in str(info.value) and "broken.pdf" in str(info.value)


def test_encrypted_pdf_raises_load_error(tmp_path: Path) -> None:
    plain = write_pdf(tmp_path / "plain.pdf", ENGLISH_PAGES)
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(LoadError, match="encrypted PDF"):
        load_pages(locked)


def test_pdf_without_text_raises_load_error(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 200, 200)  # drawing only, like a scanned page without OCR
    pdf.showPage()
    pdf.save()
    with pytest.raises(LoadError, match="no extractable text"):
        load_pages(path)


def test_utf8_text_file_is_one_unnumbered_page(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# 标题\n\n反恐委员会将审议。", encoding="utf-8")
    pages = load_pages(path)
    assert len(pages) == 1 and pages[0].number is None
    assert pages[0].text == "# 标题\n\n反恐委员会将审议。"


def test_gb18030_chinese_text_is_decoded(tmp_path: Path) -> None:
    text = (
        "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，"
        "建议将该文件作为安全理事会文件分发。"
    )
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("gb18030"))
    assert load_pages(path)[0].text == text


def test_utf16_text_with_bom_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Report of the Secretary-General".encode("utf-16"))
    assert load_pages(path)[0].text == "Report of the Secretary-General"


def test_binary_file_named_txt_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(LoadError, match="binary"):
        load_pages(path)


def test_control_characters_mean_binary(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"abc\x01\x02\x03\x04\x05\x06def\x07\x08" * 50)
    with pytest.raises(LoadError, match="binary"):
        load_pages(path)


@pytest.mark.parametrize("content", [b"", b"  \n\n \t"])
def test_empty_file_is_rejected(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError, match="empty file"):
        load_pages(path)


def test_unsupported_type_names_the_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "report.odt"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(
        LoadError, match=r"unsupported file type '\.odt'.*\.docx.*\.md, \.pdf, \.txt"
    ):
        load_pages(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="file not found"):
        load_pages(tmp_path / "gone.txt")
