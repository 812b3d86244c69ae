"""Abbreviations mined from the corpus's own parentheses, in Chinese and English."""

from __future__ import annotations

from assistant.index.aliases import Alias, AliasExpander, mine_aliases

ZH = (
    "反恐执行局还与国际刑事警察组织(国际刑警组织)和联合国教育、科学及文化组织(教科文组织)合作，"
    "并与国际原子能机构(原子能机构)交流。主席\n埃尔图鲁尔·阿帕坎(签名)，见第1373(2001)号决议(见附件)。"
)
EN = (
    "We work with the United Nations Assistance Mission in Afghanistan (UNAMA) and the World "
    "Trade\nOrganization (WTO) towards the Sustainable Development Goals (SDGs) by 2030 "
    "(see annex)."
)


def test_mines_chinese_abbreviations_and_skips_other_parentheses():
    aliases = mine_aliases([ZH])
    assert aliases == [
        Alias("国际刑事警察组织", "国际刑警组织"),
        Alias("教育、科学及文化组织", "教科文组织"),
    ]  # 原子能机构 is a tail of 国际原子能机构: BM25's sub-word tokens already match it


def test_mines_english_acronyms_from_initials():
    aliases = mine_aliases([EN])
    assert aliases == [
        Alias("United Nations Assistance Mission in Afghanistan", "UNAMA"),
        Alias("World Trade Organization", "WTO"),
        Alias("Sustainable Development Goals", "SDGs"),
    ]


def test_expander_finds_the_other_form_and_refreshes_on_a_new_corpus():
    expander = AliasExpander()
    expander.update("v1", lambda: [ZH, EN])
    assert expander.other_forms("国际刑警组织在哪里？") == ["国际刑事警察组织"]
    assert expander.other_forms("What did the world trade organization say?") == ["WTO"]
    assert expander.other_forms("WTOs and NOWTO") == []  # whole words only
    expander.update("v1", lambda: [])  # same corpus: nothing re-mined
    assert expander.other_forms("UNAMA") == ["United Nations Assistance Mission in Afghanistan"]
    expander.update("v2", lambda: [])
    assert expander.other_forms("UNAMA") == []
