"""Real-model answers over the new inputs: a scanned page read by OCR, and a question in
Traditional Chinese (slow: they need the pulled model, as the other real-model tests do)."""

from __future__ import annotations

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from assistant.answer.pipeline import AnswerPipeline
from assistant.index.factory import open_index
from assistant.ingest.pipeline import ingest_paths
from assistant.retrieval.factory import build_retriever
from assistant.text.variants import is_traditional
from tests.conftest import make_settings
from tests.ingest.scans import ZH_SEED, scanned_pdf

pytestmark = pytest.mark.slow


COVER = (
    "Cover note. The annex that follows was received by facsimile from the Permanent Mission "
    "and scanned on arrival; the original is kept in the registry. Delegations that need a "
    "certified copy may ask the secretariat of the Committee, which will provide it within "
    "two working days. The annex has not been formally edited. It is circulated at the request "
    "of the Chair in the language of submission only, and translations will follow as they "
    "become available. Comments on the substance of the annex should be addressed to the "
    "Chair in writing before the end of the month, so that they can be taken into account "
    "when the Committee next reviews its programme of work and the reports before it."
)


def _typed_then_scanned(folder):
    """Page 1 typed (a cover note of its own), page 2 the scanned seed snippet."""
    typed = folder / "typed.pdf"
    pdf = canvas.Canvas(str(typed))
    text = pdf.beginText(72, 740)
    words = COVER.split()
    for start in range(0, len(words), 12):
        text.textLine(" ".join(words[start : start + 12]))
    pdf.drawText(text)
    pdf.showPage()
    pdf.save()
    scan = scanned_pdf(folder / "scan-only.pdf", [ZH_SEED])
    writer = PdfWriter()
    for source in (typed, scan):
        writer.add_page(PdfReader(source).pages[0])
    target = folder / "docs" / "faxed-letter.pdf"
    target.parent.mkdir()
    writer.write(target)
    typed.unlink()
    scan.unlink()
    return target


def test_question_about_a_scanned_page_is_answered_citing_that_page(
    tmp_path, use_embedder, real_model, prompts
) -> None:
    path = _typed_then_scanned(tmp_path)
    settings = make_settings(tmp_path / "index", corpus_dir=path.parent)
    index = open_index(settings, use_embedder)
    try:
        report = ingest_paths([path.parent], index, settings)
        assert report.added == ["faxed-letter.pdf"], report.failed
        assistant = AnswerPipeline(
            build_retriever(settings, index), real_model, use_embedder, prompts, settings
        )
        answer = assistant.ask("委员会在哪一次会议上审议了该报告？")
        assert not answer.refused, (answer.refusal_reason, answer.relevance, answer.raw_text)
        assert "330" in answer.text
        cited = [c.passage for c in answer.citations]
        assert cited and all(p.source == "faxed-letter.pdf" for p in cited)
        assert {p.page for p in cited} == {2} and all(p.ocr for p in cited)
    finally:
        index.close()


def test_traditional_question_is_answered_in_traditional(real_assistant) -> None:
    answer = real_assistant.ask("反恐委員會在哪一次會議上審議了聯合報告？")
    assert not answer.refused, answer.relevance
    assert answer.language == "zh" and is_traditional(answer.text), answer.text
    assert "330" in answer.text
    assert "000_b645ea8b0039a4ff.txt" in {c.passage.source for c in answer.citations}
    # The cited passage is shown as the document has it, in Simplified characters.
    assert all(not is_traditional(c.passage.text) for c in answer.citations)
