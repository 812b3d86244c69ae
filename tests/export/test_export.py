"""Word and Markdown exports: read back with python-docx, the question, the answer, and each
source with its UN symbol, ¶, page, file and quoted supporting sentence; and the chat's export
files for the selected answer and the whole conversation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from assistant.answer.types import Citation
from assistant.chat.session import ChatSession
from assistant.export import ExportFormatError, write_export
from assistant.export.exchange import Exchange
from assistant.export.markdown import answer_markdown, sources_markdown
from assistant.ui.export_files import export_paths
from tests.ui.conftest import make_answer, make_passage

QUESTION = "反恐委员会在哪一次会议上审议了联合报告？"
SUPPORT = "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，"


def _english_answer():
    passage = make_passage(
        chunk_id="c2",
        doc_id="en/CHN_73_2018.txt",
        source="CHN_73_2018.txt",
        title="Statement by China",
        text="China supports multilateralism. It pledged 12 million dollars.",
        lang="en",
        symbol="A/73/PV.9",
        paragraph="4(a)",
        page=7,
    )
    citation = Citation(2, passage, ["It pledged 12 million dollars."])
    first = make_answer().citations[0]
    return make_answer(
        "How much did China pledge?",
        text="China pledged 12 million dollars [2], at the 330th meeting [1].",
        language="en",
        citations=[first, citation],
    )


def _docx_lines(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in Document(str(path)).paragraphs]


def test_word_export_holds_question_answer_and_footnoted_sources(tmp_path):
    answer = _english_answer()
    path = write_export(tmp_path / "answer.docx", [Exchange(answer.question, answer)])

    lines = _docx_lines(path)
    texts = [text for _style, text in lines]
    assert "How much did China pledge?" in texts
    body = next(p for p in Document(str(path)).paragraphs if p.text.startswith("China pledged"))
    assert body.text == "China pledged 12 million dollars 2, at the 330th meeting 1."
    superscripts = [run.text for run in body.runs if run.font.superscript]
    assert superscripts == ["2", "1"]
    notes = [text for style, text in lines if style == "Source Note"]
    assert notes == [
        "1 S/2018/435, ¶2 — 反恐委员会主席给安全理事会主席的信 (000_b645ea8b0039a4ff.txt, zh)",
        "2 A/73/PV.9, ¶4(a), p. 7 — Statement by China (CHN_73_2018.txt, en)",
    ]
    quotes = [text for style, text in lines if style == "Source Quote"]
    assert quotes == [f"“{SUPPORT}”", "“It pledged 12 million dollars.”"]


def test_word_export_of_a_conversation_numbers_the_questions(tmp_path):
    zh, en = make_answer(QUESTION), _english_answer()
    refused = make_answer("今天天气？", text="文件中没有这一信息。", citations=[], refused=True)
    exchanges = [Exchange(QUESTION, zh), Exchange(en.question, en), Exchange("今天天气？", refused)]
    lines = _docx_lines(write_export(tmp_path / "c.docx", exchanges))
    headings = [text for style, text in lines if style == "Heading 1"]
    assert headings == ["问题 1", "Question 2", "问题 3"]
    assert lines[-1] == ("Normal", "文件中没有这一信息。")  # a refusal: no sources heading


def test_markdown_export_and_the_sources_block(tmp_path):
    answer = _english_answer()
    block = sources_markdown(answer)
    assert block.startswith("**Sources**\n\n[1] S/2018/435, ¶2 — ")
    assert "[2] A/73/PV.9, ¶4(a), p. 7 — Statement by China (CHN_73_2018.txt, en)" in block
    assert "> “It pledged 12 million dollars.”" in block
    assert answer_markdown(answer).startswith(answer.text + "\n\n**Sources**")
    path = write_export(tmp_path / "a.md", [Exchange(answer.question, answer)])
    written = path.read_text(encoding="utf-8")
    assert "## Question\n\nHow much did China pledge?" in written and block in written


def test_text_from_a_document_cannot_become_markup():
    passage = make_passage(title="<script>alert(1)</script> [x](http://evil)")
    answer = make_answer(citations=[Citation(1, passage, ["a *b* <img src=x>"])])
    block = sources_markdown(answer)
    assert re.search(r"(?<!\\)<", block) is None  # every < is escaped
    assert r"\[x\](http://evil)" in block  # no link
    assert r"\<script\>" in block and r"a \*b\* \<img src=x\>" in block


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(ExportFormatError, match=r"\.docx \(Word\) or \.md"):
        write_export(tmp_path / "a.pdf", [])


def test_the_chat_exports_the_selected_answer_and_the_conversation(tmp_path):
    session = ChatSession()
    assert export_paths(session, tmp_path) == [None] * 4
    session.add(QUESTION, make_answer(QUESTION))
    en = _english_answer()
    session.add(en.question, en)
    session.selected_turn = 0
    answer_docx, answer_md, conversation_docx, conversation_md = export_paths(session, tmp_path)
    assert answer_docx.name == "answer.docx" and answer_docx.parent.parent == tmp_path
    answer_text = "\n".join(text for _s, text in _docx_lines(answer_docx))
    assert QUESTION in answer_text and "How much did China pledge?" not in answer_text
    conversation_text = conversation_md.read_text(encoding="utf-8")
    assert QUESTION in conversation_text and "How much did China pledge?" in conversation_text
    assert "A/73/PV.9" in "\n".join(text for _s, text in _docx_lines(conversation_docx))
    assert "S/2018/435" in answer_md.read_text(encoding="utf-8")


def test_a_document_without_a_symbol_is_named_by_its_file_once():
    passage = make_passage(symbol=None, page=3)
    answer = make_answer(citations=[Citation(1, passage, [SUPPORT])])
    block = sources_markdown(answer)
    assert "[1] 000\\_b645ea8b0039a4ff.txt" not in block
    assert (
        "[1] 000_b645ea8b0039a4ff.txt, ¶2, 第 3 页 — 反恐委员会主席给安全理事会主席的信 (zh)"
        in block
    )
