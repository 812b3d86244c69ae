"""From a file to a Document: cleaning, pages, language and metadata; title/symbol/date."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from assistant.config import PROJECT_ROOT, ChunkSettings
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document_loading import document_id, join_pages, load_document
from assistant.ingest.loaders import LoadError
from assistant.ingest.metadata import extract_title, find_date, find_symbol, parse_date, ungdc_title
from assistant.schema import Page

CORPUS = PROJECT_ROOT / "corpus"


def test_seed_letter_with_its_symbol_date_and_title() -> None:
    path = CORPUS / "zh" / "001_1e92452d4c4f6fdf.txt"
    doc = load_document(path, CORPUS)
    assert doc.doc_id == "zh/001_1e92452d4c4f6fdf.txt"
    assert doc.source == "001_1e92452d4c4f6fdf.txt"
    assert doc.lang == "zh"
    assert doc.symbol == "S/2018/208"  # from the page furniture, not the cited S/2017/375
    assert doc.date == "2018-03-09"
    assert doc.title == (
        "2018年3月9日安全理事会关于反恐怖主义的第1373(2001)号决议所设委员会主席给安全理事会主席的信"
    )
    assert doc.content_hash == load_document(path, CORPUS).content_hash  # stable across loads
    assert doc.content_hash != hashlib.sha256(b"").hexdigest()
    assert doc.page_starts == []


def test_seed_report_without_furniture_takes_its_symbol_from_the_sidecar() -> None:
    path = CORPUS / "zh" / "002_8cdbc4ed2a739b7c.txt"
    assert find_symbol(path.read_text(encoding="utf-8")) is None  # only cited symbols in its text
    doc = load_document(path, CORPUS)
    assert doc.symbol == "A/73/866"  # curated in corpus/documents.yaml
    assert doc.date is None  # dates in the body are events, not the report's date
    assert (
        doc.title
        == "关于如何评估联合国系统在执行《联合国全球反恐战略》方面取得的影响和进展的备选办法"
    )


def test_general_debate_statement() -> None:
    doc = load_document(CORPUS / "en" / "CHN_73_2018.txt", CORPUS)
    assert doc.lang == "en"
    assert doc.title == "General Debate statement: China, 73rd session (2018)"
    assert doc.doc_id == "en/CHN_73_2018.txt"


def test_pdf_document_keeps_page_starts_and_chunks_know_their_page(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    pdf = canvas.Canvas(str(path))
    for number, text in enumerate(
        [
            "1. The Committee considered the joint report at its 330th meeting.",
            "2. The Committee recommended that the report be circulated.",
        ],
        start=1,
    ):
        pdf.drawString(72, 780, "S/2018/208")
        pdf.drawString(72, 740, text)
        pdf.drawString(72, 40, f"{number}/2 18-03734 (E)")
        pdf.showPage()
    pdf.save()

    doc = load_document(path, tmp_path)
    assert doc.doc_id == "report.pdf"
    assert doc.symbol == "S/2018/208"
    assert [page for _, page in doc.page_starts] == [1, 2]
    assert "18-03734" not in doc.text and "S/2018/208" not in doc.text
    chunks = chunk_document(doc, ChunkSettings())
    assert [(c.paragraph, c.page) for c in chunks] == [("1", 1), ("2", 2)]


def test_chinese_pdf_lines_are_rejoined_per_paragraph(tmp_path: Path) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # reportlab's built-in CJK font
    pages = [
        [
            "S/2018/208",
            "一. 导言",
            "1. 安全理事会关于反恐怖主义的第 1373(2001)号决议所设委员会(反恐委员会)",
            "的首要目标是确保全面执行安全理事会第 1373(2001)号决议。反恐委员会还奉命",
            "与会员国对话讨论各国为执行安理会第 1624(2005)和 2178(2014)号决议所作的努",
            "力。委员会还应承担安理会其他随后相关决议和主席声明规定的额外工作。",
            "2. 反恐委员会及其执行局的工作以安全理事会第 1373(2001)、1624(2005)、1963",
            "(2010)号决议为指导。",
        ],
        [
            "18-03734 (C) 2/15",
            "3. 反恐委员会将继续采取具有战略性和透明的工作方法，并在其执行局和秘书",
            "处的支持下，将继续酌情精简其工作方法，以实现下述优先目标。",
        ],
    ]
    path = tmp_path / "programme.pdf"
    pdf = canvas.Canvas(str(path))
    for lines in pages:
        pdf.setFont("STSong-Light", 11)
        for number, line in enumerate(lines):
            pdf.drawString(60, 780 - 18 * number, line)
        pdf.showPage()
    pdf.save()

    doc = load_document(path, tmp_path)
    assert doc.lang == "zh" and doc.symbol == "S/2018/208"
    assert doc.text.split("\n\n") == [
        "一. 导言",
        "1. 安全理事会关于反恐怖主义的第1373(2001)号决议所设委员会(反恐委员会)的首要目标是"
        "确保全面执行安全理事会第1373(2001)号决议。反恐委员会还奉命与会员国对话讨论各国为"
        "执行安理会第1624(2005)和2178(2014)号决议所作的努力。委员会还应承担安理会其他随后"
        "相关决议和主席声明规定的额外工作。",
        "2. 反恐委员会及其执行局的工作以安全理事会第1373(2001)、1624(2005)、1963(2010)号"
        "决议为指导。",
        "3. 反恐委员会将继续采取具有战略性和透明的工作方法，并在其执行局和秘书处的支持下，"
        "将继续酌情精简其工作方法，以实现下述优先目标。",
    ]
    chunks = chunk_document(doc, ChunkSettings())
    assert [(c.paragraph, c.page) for c in chunks] == [("1", 1), ("2", 1), ("3", 2)]


def test_file_of_only_furniture_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "cover.txt"
    path.write_text("S/2018/208\n\n9/15 18-03734 (C)\nhttps://undocs.org/ch/S/2018/208\n")
    with pytest.raises(LoadError, match="no text left after cleaning"):
        load_document(path, tmp_path)


def test_join_pages_records_offsets_of_numbered_pages() -> None:
    text, starts = join_pages([Page("第一页。", 1), Page("S/2018/208", 2), Page("第三页。", 3)])
    assert text == "第一页。\n\n第三页。"
    assert starts == [(0, 1), (6, 3)]
    assert text[6:] == "第三页。"


def test_document_id_is_relative_posix_or_the_name(tmp_path: Path) -> None:
    nested = tmp_path / "zh" / "a.txt"
    assert document_id(nested, tmp_path) == "zh/a.txt"
    assert document_id(nested, tmp_path / "elsewhere") == "a.txt"


def test_find_symbol_prefers_page_furniture_over_citations() -> None:
    raw = (
        "United Nations S/2018/208\n"
        "Security Council Distr.: General\n"
        + "The Committee recalls S/2017/375 and S/2017/375 and S/2017/375.\n" * 3
        + "S/2018/208 2/15\n18-03734 2/15\n"
    )
    assert find_symbol(raw) == "S/2018/208"
    assert find_symbol("第 1373(2001)号决议 (S/2017/375，附件)") is None


def test_extract_title_skips_session_lines(tmp_path: Path) -> None:
    text = "第七十三届会议\n\n议程项目120\n\n关于评估的备选办法\n\n秘书长的报告\n\n一. 引言"
    assert extract_title(text, tmp_path / "x.txt") == "关于评估的备选办法"
    assert extract_title("1. Numbered from the start.", tmp_path / "notes.md") == "notes"


def test_ungdc_title() -> None:
    assert (
        ungdc_title("GBR_73_2018")
        == "General Debate statement: United Kingdom, 73rd session (2018)"
    )
    assert ungdc_title("XYZ_71_2016") == "General Debate statement: XYZ, 71st session (2016)"
    assert ungdc_title("000_b645ea8b0039a4ff") is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2018年5月8日安全理事会", "2018-05-08"),
        ("2018 年 3 月 9 日", "2018-03-09"),
        ("Letter dated 8 May 2018 from the Chair", "2018-05-08"),
        ("New York, May 8, 2018", "2018-05-08"),
        ("2018年13月40日", None),
        ("no date here", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_find_date_reads_only_the_head() -> None:
    assert find_date("2010年11月2日安全理事会主席的信\n\n1. 2009年6月临时审查。") == "2010-11-02"
    assert find_date("报告\n\n一. 引言\n\n1. 于 2018 年 6 月 26 日通过。") is None
