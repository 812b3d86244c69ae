"""Cleaning of PDF-extracted text, before/after, on snippets copied from the shipped seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.ingest.cleaning import (
    clean_text,
    drop_page_furniture,
    drop_url_lines,
    is_page_furniture,
    normalise_characters,
    remove_footnote_markers,
    strip_markdown_residue,
    tidy_spacing,
)

SEEDS = sorted((PROJECT_ROOT / "corpus").glob("*/*.txt"))

# zh/001_1e92452d4c4f6fdf.txt, start of the letter: hard-wrapped lines with a blank line after
# each, spaces around digits, a resolution number broken before its year ("2185 \n\n(2014)").
LETTER_001 = (
    "   2018 年 3 月 9 日安全理事会关于反恐怖主义的第 1373(2001)号决议所\n\n"
    "设委员会主席给安全理事会主席的信 \n\n"
    " 谨随函附上安全理事会第 1373(2001)号决议第 6段所设委员会(反恐委员会)\n\n"
    "及其执行局 2018年 1月 1日至 12月 31日期间的工作方案(见附件和附文)。 \n\n"
    " 反恐委员会和执行局将根据安全理事会第 1373(2001)、1535(2004)、1566(2004)、\n\n"
    "1624(2005)、1805(2008)、1963(2010)、2129(2013)、2133(2014)、2178(2014)、2185 \n\n"
    "(2014)、2195(2014)、2220(2015)、2242(2015)、2253(2015)、2309(2016)、2322(2016)、\n\n"
    "2331(2016)、2341(2017)、2354(2017)、2368(2017)、2370(2017)、2388(2017)、2395 \n\n"
    "(2017)和 2396(2017)号决议的相关规定和所有其他相关决议及安理会主席声明开\n\n"
    "展活动。 "
)

# zh/001: paragraph 38 interrupted by a block of hyperlink targets, then the page furniture
# "S/2018/208 … 9/15 18-03734 (C)" and the heading of the appendix.
URL_BLOCK_001 = (
    "37. 反恐委员会根据反恐执行局提供的关于其参与反恐执行工作队框架内活动\n\n"
    "的定期通报和信息，将继续讨论与执行《联合国全球反恐战略》有关的问题，同\n\n"
    "时铭记大会第 70/291号决议及其即将进行的审查。 \n\n"
    "38. 反恐委员会在反恐执行局的支持下，将通过其访问、评估以及对正在出现的\n\n"
    "问题、趋势、动态的分析工作，支持会员国和联合国实体根据国际法采取措施，\n\n"
    "https://undocs.org/ch/S/RES/2322(2016)\n"
    "https://undocs.org/ch/S/RES/2331(2016)\n"
    "https://undocs.org/ch/S/2017/375\n"
    "https://undocs.org/ch/S/RES/2354(2017)\n"
    " 消除滋生恐怖主义和助长恐怖主义的暴力极端主义的条件，同时遵照《联合国全\n\n"
    "球反恐战略》，与反恐怖主义办公室协调并获得其支持。 \n\n"
    " G. 在反恐背景下促进尊重人权 \n\n"
    "https://undocs.org/ch/S/RES/1373(2001)\n"
    "https://undocs.org/ch/S/RES/2178(2014)\n\n\n"
    " S/2018/208 \n\n \n\n"
    "9/15 18-03734 (C) \n\n \n\n"
    "附文 \n\n"
    "  反恐怖主义委员会执行局 2018年工作方案 \n\n"
    " 一. 导言 \n\n"
    "1. 反恐怖主义委员会执行局 2018年 1月 1日至 12月 31日期间的工作方案是\n\n"
    "根据安全理事会关于反恐怖主义的第 1373(2001)号决议所设委员会(反恐委员会)\n\n"
    "关于振兴委员会工作的报告(S/2004/124，附件)的相关规定拟定的，同时参考了反\n\n"
    "恐委员会同期工作方案。 "
)

# zh/002_8cdbc4ed2a739b7c.txt: one paragraph per line; paragraph 21 is cut by a footnote.
FOOTNOTE_002 = (
    "21. 联合国反恐怖主义中心作为反恐办公室的一部分，正在执行39个项目。2018年，反恐中心"
    "扩大了现有领域的工作，并调整了其工作方法和办法，\n\n"
    "¹ 可查阅：www.un.org/en/africa/osaa/pdf/events/2018/20180601/"
    "DAKAR_CALL_EN_Final_Version.pdf。\n\n"
    "以满足会员国的需要。反恐中心继续采取将不同项目合并成更大的全球多年期方案的办法，"
    "以增强影响和可持续性。\n\n"
    "22. 例如，反恐办公室与反恐怖主义委员会执行局一道，制定并发起了一项新的全球旗舰举措。"
)

# en/CHN_73_2018.txt: one paragraph per line, cut by a page break ("A\n \npeople-centred").
PAGE_CUT_CHN = (
    "The contemporary international order, which began with the founding of the United "
    "Nations, is based on the purposes and principles of the Charter of the United Nations "
    "and is enhanced by the vision and practice of multilateralism. It has brought about "
    "general peace and rapid development over the past 70 years or more. A\n \n"
    "people-centred philosophy has gained wide acceptance, and a broad consensus has formed "
    "on the need for interdependence and win-win cooperation.\n"
    "Yet it is also true that the international  order today faces problems and needs steady "
    "reform and improvement. The world is changing.\n"
)


def paragraphs(text: str) -> list[str]:
    return clean_text(text).split("\n\n")


def test_letter_lines_are_joined_without_spaces_and_digit_spaces_removed() -> None:
    out = paragraphs(LETTER_001)
    assert out[0] == (
        "2018年3月9日安全理事会关于反恐怖主义的第1373(2001)号决议所设委员会主席给安全理事会主席的信"
    )
    assert out[1] == (
        "谨随函附上安全理事会第1373(2001)号决议第6段所设委员会(反恐委员会)及其执行局"
        "2018年1月1日至12月31日期间的工作方案(见附件和附文)。"
    )
    assert out[2].startswith("反恐委员会和执行局将根据安全理事会第1373(2001)、1535(2004)、")
    assert "2178(2014)、2185(2014)、2195(2014)" in out[2]
    assert "2388(2017)、2395(2017)和2396(2017)号决议" in out[2]
    assert out[2].endswith("主席声明开展活动。")
    assert len(out) == 3


def test_url_block_inside_a_paragraph_is_dropped_and_the_paragraph_rejoined() -> None:
    out = paragraphs(URL_BLOCK_001)
    assert not any("undocs.org" in p for p in out)
    assert out[1] == (
        "38. 反恐委员会在反恐执行局的支持下，将通过其访问、评估以及对正在出现的问题、趋势、"
        "动态的分析工作，支持会员国和联合国实体根据国际法采取措施，消除滋生恐怖主义和助长"
        "恐怖主义的暴力极端主义的条件，同时遵照《联合国全球反恐战略》，与反恐怖主义办公室"
        "协调并获得其支持。"
    )


def test_page_furniture_is_dropped_and_headings_kept_as_blocks() -> None:
    out = paragraphs(URL_BLOCK_001)
    assert not any("S/2018/208" in p or "18-03734" in p or "9/15" in p for p in out)
    assert out[0].startswith("37. ") and out[0].endswith("即将进行的审查。")
    assert out[2:6] == [
        "G. 在反恐背景下促进尊重人权",
        "附文",
        "反恐怖主义委员会执行局2018年工作方案",
        "一. 导言",
    ]
    assert out[6].startswith("1. 反恐怖主义委员会执行局2018年1月1日至12月31日期间")
    assert out[6].endswith("同时参考了反恐委员会同期工作方案。")


@pytest.mark.parametrize(
    "line",
    [
        "S/2018/208",
        " S/2018/208 ",
        "9/15 18-03734 (C) ",
        "18-03734",
        "A/73/866 3/19",
        "9/15",
        "*1803734*",
        "12",
    ],
)
def test_page_furniture_lines(line: str) -> None:
    assert is_page_furniture(line)


@pytest.mark.parametrize(
    "line",
    ["(S/2017/375，附件)", "see A/73/866 for details", "2018年工作方案", "12. The Committee"],
)
def test_text_lines_are_not_furniture(line: str) -> None:
    assert not is_page_furniture(line)
    assert drop_page_furniture([line]) == [line]


def test_url_only_lines_dropped_but_urls_in_sentences_kept() -> None:
    lines = [
        "https://undocs.org/ch/S/RES/2395(2017)",
        "www.un.org/x",
        "见 <https://www.un.org/en/>。",
    ]
    assert drop_url_lines(lines) == ["见 <https://www.un.org/en/>。"]


def test_footnote_cutting_a_paragraph_moves_after_it_without_its_marker() -> None:
    out = paragraphs(FOOTNOTE_002)
    assert out[0].endswith(
        "调整了其工作方法和办法，以满足会员国的需要。反恐中心继续采取将不同项目合并成更大的全球多年期方案的办法，以增强影响和可持续性。"
    )
    assert out[1].startswith("可查阅：www.un.org/en/africa/")
    assert out[2].startswith("22. ")


def test_inline_footnote_markers_removed() -> None:
    # zh/000_b645ea8b0039a4ff.txt, paragraphs 4 and 5.
    text = (
        "4. 秘书长强调,应加强参加 12 个工作组¹ 的 38 个反恐执行工作队/《联合国全球反恐协调契约》"
        "实体² 间的协调一致性。\n\n"
        "5. 反恐怖主义委员会执行局负责协助会员国执行各项决议、决定和主席声明。³ 在第 2395(2017)号"
        "决议中,安理会特别指出。"
    )
    out = paragraphs(text)
    assert out[0] == (
        "4. 秘书长强调,应加强参加12个工作组的38个反恐执行工作队/《联合国全球反恐协调契约》"
        "实体间的协调一致性。"
    )
    assert (
        out[1] == "5. 反恐怖主义委员会执行局负责协助会员国执行各项决议、决定和主席声明。"
        "在第2395(2017)号决议中,安理会特别指出。"
    )


def test_footnote_markers_in_english_keep_the_space() -> None:
    assert remove_footnote_markers("global growth.¹ Then we") == "global growth. Then we"


def test_english_paragraph_cut_by_page_break_is_rejoined_with_a_space() -> None:
    out = paragraphs(PAGE_CUT_CHN)
    assert len(out) == 2
    assert "70 years or more. A people-centred philosophy" in out[0]
    assert out[1] == (
        "Yet it is also true that the international order today faces problems and needs "
        "steady reform and improvement. The world is changing."
    )


def test_english_hard_wrapped_lines_joined_with_spaces_and_hyphen_kept() -> None:
    text = (
        "12. The Committee will continue to review the information provided by the Executive\n"
        "Directorate on the implementation of resolutions 1373 (2001) and 1624 (2005), and on\n"
        "the people-centred approach, including the joint report prepared under resolution 2395\n"
        "(2017), with a view to strengthening the long-\n"
        "term impact of the work.\n"
        "13. The Committee will hold an open briefing on the Madrid Guiding Principles as\n"
        "updated in 2018 and will consider further ways to engage with civil society and the\n"
        "private sector.\n"
    )
    out = paragraphs(text)
    assert out[0] == (
        "12. The Committee will continue to review the information provided by the Executive "
        "Directorate on the implementation of resolutions 1373 (2001) and 1624 (2005), and on "
        "the people-centred approach, including the joint report prepared under resolution 2395 "
        "(2017), with a view to strengthening the long-term impact of the work."
    )
    assert out[1].startswith("13. The Committee will hold") and out[1].endswith("private sector.")


def test_real_paragraph_breaks_are_kept() -> None:
    # zh/000_b645ea8b0039a4ff.txt, Markdown residue from conversion included.
    text = (
        "一. 引言\n\n"
        "A. 安全理事会第 2395(2017)号决议的要求\n\n"
        "16. 为了加强和进一步深化这种有效合作，执行局和反恐怖主义办公室确定了以下实际步骤：\n\n"
        "(a) 执行局和反恐怖主义办公室将进行密切协商；\n\n"
        "- (b) 执行局将向大会联合介绍第 [2395\\(2017\\)](#)号决议的执行情况；\n\n"
        "附件\n\n"
        "反恐怖主义委员会执行局的联合报告"
    )
    assert paragraphs(text) == [
        "一. 引言",
        "A. 安全理事会第2395(2017)号决议的要求",
        "16. 为了加强和进一步深化这种有效合作，执行局和反恐怖主义办公室确定了以下实际步骤：",
        "(a) 执行局和反恐怖主义办公室将进行密切协商；",
        "(b) 执行局将向大会联合介绍第2395(2017)号决议的执行情况；",
        "附件",
        "反恐怖主义委员会执行局的联合报告",
    ]


def test_signature_lines_stay_apart() -> None:
    # zh/003_77356fa80aad0891.txt: short lines without punctuation are not a paragraph.
    text = (
        " 委员会恳请将本信及报告提交安全理事会成员注意，并作为安理会文件印\n\n发。 \n\n"
        "安全理事会关于反恐怖主义的 \n\n第 1373(2001)号决议 \n\n所设委员会 \n\n主席 \n\n"
        "埃尔图鲁尔·阿帕坎(签名) "
    )
    assert paragraphs(text) == [
        "委员会恳请将本信及报告提交安全理事会成员注意，并作为安理会文件印发。",
        "安全理事会关于反恐怖主义的",
        "第1373(2001)号决议",
        "所设委员会",
        "主席",
        "埃尔图鲁尔·阿帕坎(签名)",
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("第 2395(2017)号", "第2395(2017)号"),
        ("2018 年 3 月 30 日", "2018年3月30日"),
        ("安全理事会第 2396 (2017) 号决议要求", "安全理事会第2396(2017)号决议要求"),
        ("达到 59 国(包括对两个国家", "达到59国(包括对两个国家"),
        ("向 90 000 多人提供", "向90 000多人提供"),  # digit groups keep their space
        ("(a) 继续侧重于监测", "(a) 继续侧重于监测"),  # a list marker keeps its space
        ("12. 反恐委员会", "12. 反恐委员会"),
        ("以支持民间社会, 加强协调", "以支持民间社会,加强协调"),
        ("the  Security   Council", "the Security Council"),
        ("resolution 2395 (2017)", "resolution 2395 (2017)"),  # English style untouched
    ],
)
def test_tidy_spacing(before: str, after: str) -> None:
    assert tidy_spacing(before) == after


def test_normalise_characters() -> None:
    text = "a\u00a0b\u3000c\r\nd\fe\uf0b7 项目\u200b"
    assert normalise_characters(text) == "a b c\nd\ne• 项目"


def test_strip_markdown_residue() -> None:
    assert strip_markdown_residue("第 [2395\\(2017\\)](#)号") == "第 2395(2017)号"
    assert strip_markdown_residue("提高**双边反恐支持的透明度**，") == "提高双边反恐支持的透明度，"
    assert strip_markdown_residue("- (a) 执行局") == "(a) 执行局"


def test_symbol_font_bullets_become_separate_items() -> None:
    # zh/004_64ff64efe628bbb7.txt: bullets in the Symbol font's private-use code point.
    text = (
        " 委员会和反恐执行局支持开展国际合作，除其他外，进行了下列活动： \n\n"
        "\uf0b7 2017 年 3 月 27 日，委员会举行了一次非正式公开通报会，介绍受影响\n\n"
        "的西欧国家对第 2178(2014)号决议的执行情况。 \n\n"
        "\uf0b7 2017 年 5 月 17 日，委员会举行了一次公开通报会，介绍防止恐怖分子\n\n"
        "获取武器问题。 "
    )
    assert paragraphs(text) == [
        "委员会和反恐执行局支持开展国际合作，除其他外，进行了下列活动：",
        "• 2017年3月27日，委员会举行了一次非正式公开通报会，介绍受影响的西欧国家"
        "对第2178(2014)号决议的执行情况。",
        "• 2017年5月17日，委员会举行了一次公开通报会，介绍防止恐怖分子获取武器问题。",
    ]


def test_clean_english_text_is_left_alone() -> None:
    text = (
        "I would like to congratulate the President.\n\n"
        "The United Nations is the primary platform for advocating for multilateralism.\n\n"
        "Thank you."
    )
    assert clean_text(text) == text


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_cleaning_is_idempotent_on_every_seed(path: Path) -> None:
    once = clean_text(path.read_text(encoding="utf-8"))
    assert clean_text(once) == once


@pytest.mark.parametrize("path", [p for p in SEEDS if p.parent.name == "zh"], ids=lambda p: p.name)
def test_chinese_seeds_lose_their_artefacts(path: Path) -> None:
    out = clean_text(path.read_text(encoding="utf-8"))
    assert "undocs.org" not in out
    assert "18-03734" not in out
    assert not any(ch in out for ch in "¹²³⁴\uf0b7")
    assert "第 " not in out and " 年 " not in out and " 号决议" not in out
