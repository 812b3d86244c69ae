"""Citation markers, sources panel and highlighting: escaped, highlighted, in zh and en."""

from __future__ import annotations

from assistant.answer.types import Citation
from assistant.chat.session import ChatSession, TurnRecord
from assistant.ui.citations import answer_plain_text, render_answer_html
from assistant.ui.highlight import find_span, highlight
from assistant.ui.messages import render_messages
from assistant.ui.sources_panel import render_sources
from tests.ui.conftest import make_answer, make_passage

EVIL = '<img src=x onerror="alert(1)"><script>alert(2)</script>${x}{{y}}$$z$$'


def test_markers_become_clickable_references_only_when_cited():
    html = render_answer_html("A [1] and [2] and [1, 3]。", turn=4, cited={1, 3})
    assert html.count("cite-link") == 3
    assert "cite-t4 cite-n1" in html and "cite-t4 cite-n3" in html
    assert '<span class="cite-ref cite-pending">[2]</span>' in html


def test_full_width_comma_markers_are_split():
    html = render_answer_html("会议[1，2]。", turn=0, cited={1, 2})
    assert "cite-n1" in html and "cite-n2" in html


def test_streaming_markers_are_not_clickable_yet():
    html = render_answer_html("so far [1]", turn=0, cited=None)
    assert "cite-link" not in html and "cite-pending" in html


def test_answer_text_is_escaped():
    html = render_answer_html(f"{EVIL} [1]", turn=0, cited={1})
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "${" not in html and "{{" not in html and "$$" not in html


def test_questions_are_escaped_in_the_chat():
    session = ChatSession(turns=[TurnRecord(question=EVIL, answer=make_answer(EVIL))])
    user = render_messages(session, "en")[0]["content"]
    assert "<" not in user and "${" not in user


def test_sources_panel_escapes_everything_from_documents():
    passage = make_passage(title=EVIL, symbol=EVIL, source=EVIL, paragraph=EVIL, text=EVIL)
    answer = make_answer(
        citations=[Citation(1, passage, supporting_sentences=["<script>alert(2)</script>"])]
    )
    session = ChatSession(turns=[TurnRecord(EVIL, answer)], selected_turn=0)
    panel = render_sources(session, "en")
    assert "<script" not in panel and "<img" not in panel and "${" not in panel
    assert "<mark>&lt;script&gt;alert(2)&lt;/script&gt;</mark>" in panel


def test_chinese_supporting_sentence_is_highlighted_despite_pdf_spacing():
    text = "委员会在 2018 年 4 月 19 日举行的\n第 330 次会议上审议该报告。其他内容。"
    sentence = "委员会在2018年4月19日举行的第330次会议上审议该报告。"
    marked = highlight(text, [sentence])
    assert marked.startswith("<mark>委员会在 2018 年")
    assert marked.endswith("</mark>其他内容。")


def test_english_supporting_sentence_is_highlighted():
    text = "The Committee met twice. It adopted the report on 19 April.\nOther text."
    marked = highlight(text, ["It adopted the report on 19 April."])
    assert "<mark>It adopted the report on 19 April.</mark>" in marked


def test_overlapping_and_missing_sentences():
    text = "Alpha beta. Beta gamma. Delta."
    assert find_span(text, "not there") is None
    assert find_span(text, "   ") is None
    marked = highlight(text, ["Alpha beta. Beta", "Beta gamma.", "absent"])
    assert marked == "<mark>Alpha beta. Beta gamma.</mark> Delta."


def test_panel_shows_symbol_paragraph_page_and_file():
    passage = make_passage(page=3, symbol="S/2018/208", paragraph="12(a)", source="x.pdf")
    answer = make_answer(citations=[Citation(1, passage, [passage.text[:10]])])
    session = ChatSession(turns=[TurnRecord("q", answer)], selected_turn=0)
    en = render_sources(session, "en")
    zh = render_sources(session, "zh")
    assert "S/2018/208" in en and "¶12(a)" in en and "p. 3" in en and "x.pdf" in en
    assert "第 3 页" in zh


def test_unsupported_sentences_are_flagged():
    answer = make_answer(unsupported_sentences=["An unverified claim."])
    session = ChatSession(turns=[TurnRecord("q", answer)], selected_turn=0)
    panel = render_sources(session, "en")
    assert "src-warning" in panel and "An unverified claim." in panel


def test_plain_text_for_the_clipboard_lists_sources():
    text = answer_plain_text(make_answer())
    assert text.splitlines()[-1] == "[1] 反恐委员会主席给安全理事会主席的信 — S/2018/435 ¶2"


def test_ocr_passages_are_marked_in_the_sources_panel():
    scanned = make_passage(page=2, source="scan.pdf", ocr_confidence=0.934)
    typed = make_passage(chunk_id="c2", page=1, source="typed.pdf")
    answer = make_answer(
        citations=[Citation(1, scanned, [scanned.text[:10]]), Citation(2, typed, [typed.text[:8]])]
    )
    session = ChatSession(turns=[TurnRecord("q", answer)], selected_turn=0)
    en = render_sources(session, "en")
    assert en.count('class="src-ocr"') == 1 and "OCR 93%" in en
    assert "OCR识别 93%" in render_sources(session, "zh")
