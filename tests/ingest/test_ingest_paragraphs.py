"""Numbered paragraph detection in Chinese and English UN documents."""

from __future__ import annotations

from assistant.ingest.paragraphs import paragraph_blocks, paragraph_spans, starts_block

# Cleaned text of zh/000_b645ea8b0039a4ff.txt, paragraphs 5-7 (a footnote inside the list).
ZH = (
    "A. 执行局和反恐怖主义办公室的任务\n\n"
    "5. 反恐怖主义委员会执行局是安全理事会第1535(2004)号决议设立的一个特别政治任务。\n\n"
    "6. 2017年6月15日,大会设立了反恐怖主义办公室,报告确定办公室的五个主要职能如下:\n\n"
    "(a) 在整个联合国系统领导大会交付秘书长的反恐怖主义任务;\n\n"
    "(b) 加强38个反恐执行工作队实体的协调一致性;\n\n"
    "反恐执行工作队实体完整名单见www.un.org/counterterrorism/ctitf/en/structure。\n\n"
    "(c) 加强联合国向会员国交付反恐怖主义能力建设援助；\n\n"
    "7. 在大会第七十二届会议一般性辩论期间，许多会员国欢迎设立反恐怖主义办公室。\n\n"
    "二. 执行局和反恐怖主义办公室任务及合作概览\n\n"
    "优先协作区域和地区"
)

EN = (
    "I. Introduction\n\n"
    "1. The present report is submitted pursuant to resolution 72/284.\n\n"
    "2. The Committee will:\n\n"
    "(a) Continue to monitor implementation;\n\n"
    "(i) through country visits;\n\n"
    "(ii) through desk reviews;\n\n"
    "(b) Promote technical assistance;\n\n"
    "(h) Review the survey;\n\n"
    "(i) Report annually.\n\n"
    "Annex\n\n"
    "(a) A list item outside any numbered paragraph."
)


def test_chinese_paragraphs_and_sub_items() -> None:
    found = [b.label for b in paragraph_blocks(ZH)]
    assert found == [None, "5", "6", "6(a)", "6(b)", "6(b)", "6(c)", "7", None, None]


def test_english_paragraphs_nested_items_and_annex() -> None:
    found = [b.label for b in paragraph_blocks(EN)]
    assert found == [
        None,
        "1",
        "2",
        "2(a)",
        "2(a)(i)",
        "2(a)(ii)",
        "2(b)",
        "2(h)",
        "2(i)",  # after (h), "(i)" is the next letter, not a roman numeral
        None,
        None,  # a sub-item with no numbered paragraph above it has no label
    ]


def test_block_kinds() -> None:
    kinds = [b.kind for b in paragraph_blocks(ZH)]
    assert kinds[:4] == ["heading", "numbered", "numbered", "subitem"]
    assert kinds[5] == "text"
    assert kinds[-2:] == ["heading", "text"]


def test_block_offsets_point_into_the_text() -> None:
    for block in paragraph_blocks(ZH):
        line = ZH[block.start : block.end]
        assert line and line == line.strip() and "\n" not in line


def test_paragraph_spans_cover_whole_numbered_paragraphs() -> None:
    spans = paragraph_spans(ZH)
    by_label = {label: ZH[start:end] for start, end, label in spans if label}
    six = by_label["6"]
    assert six.startswith("6. 2017年6月15日") and six.endswith("交付反恐怖主义能力建设援助；")
    assert "structure。" in six  # the footnote inside the list stays with its paragraph
    assert by_label["6(b)"].startswith("(b) 加强38个") and by_label["6(b)"].endswith("structure。")
    assert by_label["7"].startswith("7. ")
    assert [label for _, _, label in spans] == [
        None, "5", "6", "6(a)", "6(b)", "6(c)", "7", None, None,
    ]  # fmt: skip


def test_numbered_paragraph_needs_a_marker_at_line_start() -> None:
    text = "12个反恐执行工作队工作组是: 1.与反恐有关的边境管理和执法工作组\n\n2018. Not a paragraph"
    assert [b.label for b in paragraph_blocks(text)] == [None, None]


def test_paragraph_number_without_space_before_chinese() -> None:
    assert paragraph_blocks("12.反恐委员会将审议。")[0].label == "12"


def test_starts_block() -> None:
    for line in [
        "12. 反恐",
        "(a) 继续",
        "一. 引言",
        "A. 监测",
        "附件",
        "Annex",
        "• 项目",
        "¹ 可查阅",
        "第 5 段：把情报",
    ]:
        assert starts_block(line), line
    for line in [
        "(2014)、2195(2014)",
        "2018年工作方案",
        "设委员会主席给安全理事会主席的信",
        "people-centred",
    ]:
        assert not starts_block(line), line
