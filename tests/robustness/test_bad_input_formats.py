"""Bad input per new format (Word, HTML, scanned PDF, legacy .doc): each file is reported by
name with its reason, the rest of the batch is ingested, and the index stays intact. Good
files of each format, Traditional Chinese included, go in and are found."""

from __future__ import annotations

import zipfile
from pathlib import Path

from assistant.ingest.pipeline import ingest_paths
from tests.ingest.scans import EN_SEED, require_cjk_font, scanned_pdf
from tests.ingest.word_files import un_report_docx
from tests.robustness.support import index_state


def _corrupt_docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", b"\x00garbage\xff" * 40)
        package.writestr("word/document.xml", bytes(range(256)) * 4)
    return path


def _binary_html(path: Path) -> Path:
    path.write_bytes(b"\x00\x01\x02\x89PNG" + bytes(range(256)) * 16)
    return path


def _legacy_doc(path: Path) -> Path:
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 1024)
    return path


BAD = {
    "corrupt.docx": (_corrupt_docx, "corrupt or unreadable Word file"),
    "binary.html": (_binary_html, "binary content"),
    "blank-scan.pdf": (lambda p: scanned_pdf(p, [[]]), "OCR found no text"),
    "old.doc": (_legacy_doc, "save it as .docx"),
}


def test_bad_files_of_every_format_are_reported_and_the_batch_goes_on(
    small_corpus_index, tmp_path
) -> None:
    require_cjk_font()
    settings, index, retriever = small_corpus_index
    before = index_state(index)
    folder = tmp_path / "mixed-batch"
    folder.mkdir()
    for name, (build, _reason) in BAD.items():
        build(folder / name)
    un_report_docx(folder / "good.docx")
    scanned_pdf(folder / "good-scan.pdf", [EN_SEED])
    (folder / "good.html").write_text(
        "<html><head><title>Zanzibar note</title></head><body><nav>Home · Menu</nav><article>"
        "<p>The Zanzibar working group adopted its quinquennial review of fisheries quotas "
        "after a long debate among the delegations present.</p></article></body></html>",
        "utf-8",
    )
    (folder / "traditional.txt").write_text(
        "反恐怖主義委員會執行局與會員國合作，評估了喀拉拉邦海岸警衛隊的執行情況。", "utf-8"
    )

    report = ingest_paths([folder], index, settings)
    try:
        reasons = {Path(path).name: reason for path, reason in report.failed}
        assert set(reasons) == set(BAD), report.failed
        for name, (_build, reason) in BAD.items():
            assert reason in reasons[name], reasons[name]
            assert name in reasons[name]  # the message names the file
            assert not reasons[name].startswith("unexpected error")
        assert sorted(report.added) == sorted(
            f"mixed-batch/{n}"
            for n in ("good.docx", "good-scan.pdf", "good.html", "traditional.txt")
        )
        assert index.check().ok

        scan_hit = retriever.search("330th meeting circulate joint report", 3, langs=["en"])
        assert scan_hit[0].doc_id == "mixed-batch/good-scan.pdf"
        assert scan_hit[0].page == 1 and scan_hit[0].ocr_confidence is not None
        # A Simplified question finds a passage written in Traditional, shown as written.
        found = retriever.search("喀拉拉邦海岸警卫队的执行情况", 3, langs=["zh"], mode="lexical")
        assert found[0].doc_id == "mixed-batch/traditional.txt"
        assert "海岸警衛隊" in found[0].text
        word = retriever.search("Committee adopted the report without a vote", 3, langs=["en"])
        assert word[0].doc_id == "mixed-batch/good.docx" and word[0].paragraph == "3"
        assert word[0].symbol == "S/2018/208"

        # Nothing changed on disk: a second run reads no file again (no OCR) and adds nothing.
        again = ingest_paths([folder], index, settings)
        assert len(again.unchanged) == 4 and not (again.added or again.updated)
        assert {Path(p).name for p, _ in again.failed} == set(BAD)
    finally:
        for doc_id in report.added:
            index.delete_document(doc_id)
    assert index_state(index) == before
