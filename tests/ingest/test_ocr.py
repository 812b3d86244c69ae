"""Scanned PDFs made in the test: OCR accuracy (character error rate), page numbers, mixed
PDFs page by page, the OCR flag and confidence on passages, and the setting that turns it off."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from assistant.config import ChunkSettings, IngestSettings
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document_loading import load_document
from assistant.ingest.loaders import LoadError, load_file
from assistant.ingest.loaders.ocr import OcrLine, mean_confidence, reading_order_text
from assistant.ingest.loaders.pdf import needs_ocr
from tests.ingest.scans import EN_SEED, ZH_SEED, character_error_rate, scanned_pdf

# Measured at 150 dpi, 12 pt Noto Sans CJK SC: 0.007 (Chinese; 0.014 before the detector's
# input was limited to 960 pixels, the misses full-width brackets read as "（"), 0.0 (English).
# The bound is the acceptance threshold.
MAX_CER_ZH = 0.05
MAX_CER_EN = 0.05


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Path:
    return scanned_pdf(tmp_path_factory.mktemp("scan") / "scan.pdf", [ZH_SEED, EN_SEED])


@pytest.fixture(scope="module")
def scan_pages(scan: Path):
    return load_file(scan).pages


def test_chinese_seed_is_recognised_within_the_error_bound(scan_pages) -> None:
    cer = character_error_rate(scan_pages[0].text, "".join(ZH_SEED))
    print(f"CER zh at 150 dpi: {cer:.4f}")
    assert cer <= MAX_CER_ZH

    # With full-width forms folded on both sides (as the tokenizer does), what is left is
    # misreadings.
    def fold(text: str) -> str:
        return unicodedata.normalize("NFKC", text)

    assert character_error_rate(fold(scan_pages[0].text), fold("".join(ZH_SEED))) <= cer


def test_english_seed_is_recognised_within_the_error_bound(scan_pages) -> None:
    cer = character_error_rate(scan_pages[1].text, " ".join(EN_SEED))
    print(f"CER en at 150 dpi: {cer:.4f}")
    assert cer <= MAX_CER_EN


def test_ocr_pages_keep_numbers_and_confidence(scan_pages) -> None:
    assert [p.number for p in scan_pages] == [1, 2]
    assert all(p.ocr_confidence is not None and 0.8 < p.ocr_confidence <= 1 for p in scan_pages)
    assert scan_pages[0].text.splitlines()[3].startswith("委员会在2018年4月19日")  # reading order


def test_passages_from_ocr_carry_the_flag_and_confidence(scan: Path) -> None:
    doc = load_document(scan, scan.parent)
    chunks = chunk_document(doc, ChunkSettings())
    meeting = next(c for c in chunks if "第330次会议" in c.text)
    assert meeting.page == 1 and meeting.ocr_confidence == min(doc.ocr_pages.values())
    metadata = meeting.metadata(doc)
    assert 0.8 < metadata["ocr_confidence"] <= 1 and metadata["page"] == 1


def test_mixed_pdf_is_read_page_by_page(tmp_path: Path) -> None:
    """Page 1 typed (text layer), page 2 a scan: only page 2 goes through OCR."""
    typed = tmp_path / "typed.pdf"
    pdf = canvas.Canvas(str(typed))
    pdf.drawString(72, 720, "The Committee adopted the report of the Executive Directorate.")
    pdf.showPage()
    pdf.save()
    scanned = scanned_pdf(tmp_path / "scanned.pdf", [EN_SEED])
    writer = PdfWriter()
    for source in (typed, scanned):
        for page in PdfReader(source).pages:
            writer.add_page(page)
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)

    pages = load_file(mixed).pages
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].ocr_confidence is None and "Executive Directorate" in pages[0].text
    assert pages[1].ocr_confidence is not None and "330th meeting" in pages[1].text


def test_ocr_can_be_turned_off(scan: Path) -> None:
    with pytest.raises(LoadError, match=r"turn on OCR \(ingest\.ocr\)"):
        load_file(scan, IngestSettings(ocr=False))


def test_blank_scan_is_a_clear_error(tmp_path: Path) -> None:
    path = scanned_pdf(tmp_path / "blank.pdf", [[]])
    with pytest.raises(LoadError, match="OCR found no text"):
        load_file(path)


@pytest.mark.parametrize(
    ("layer", "scan"),
    [
        ("", True),
        ("3", True),
        ("\ufffd\ufffd\x01\x02\ue000\ue001 " * 10, True),
        ("The Committee adopted the report without a vote.", False),
        ("委员会在2018年4月19日举行的委员会第330次会议上审议该报告", False),
    ],
)
def test_thin_or_garbled_text_layers_need_ocr(layer: str, scan: bool) -> None:
    assert needs_ocr(layer, IngestSettings()) is scan


def test_boxes_are_put_in_reading_order() -> None:
    boxes = [
        OcrLine("第二行", 0.9, 100, 60, 300, 90),
        OcrLine("right", 0.8, 320, 12, 400, 38),
        OcrLine("第一行", 1.0, 100, 10, 300, 40),
    ]
    assert reading_order_text(boxes) == "第一行 right\n第二行"
    assert mean_confidence(boxes) == pytest.approx((0.9 * 3 + 0.8 * 5 + 1.0 * 3) / 11)
    assert mean_confidence([]) is None


def test_a_chunk_running_onto_a_scanned_page_is_flagged(tmp_path: Path) -> None:
    typed = tmp_path / "typed.pdf"
    pdf = canvas.Canvas(str(typed))
    pdf.drawString(72, 720, "Cover note: the annex that follows was received by fax.")
    pdf.showPage()
    pdf.save()
    writer = PdfWriter()
    for source in (typed, scanned_pdf(tmp_path / "scanned.pdf", [EN_SEED])):
        writer.add_page(PdfReader(source).pages[0])
    mixed = tmp_path / "docs" / "mixed.pdf"
    mixed.parent.mkdir()
    writer.write(mixed)
    doc = load_document(mixed, mixed.parent)
    chunks = chunk_document(doc, ChunkSettings())
    both = next(c for c in chunks if "Cover note" in c.text and "330th" in c.text)
    assert both.page == 1 and both.ocr_confidence == doc.ocr_pages[2]
