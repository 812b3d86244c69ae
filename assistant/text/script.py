"""Which script a text is written in: Chinese ("zh") or English ("en"), by counting characters.

A count, not a statistical detector: questions, answer sentences and evidence spans are short and
full of symbols ("A/73/866", "CTED", "第2178(2014)号决议"), on which langdetect flips. The count
is Han characters against Latin letters (``han_ratio``); digits and punctuation are ignored, so
a bare figure ("30%") has no Chinese in it and reads as English.

Two rules, for two questions:

- ``is_chinese_text`` (``ZH_HAN_SHARE``): is this text Chinese? Retrieval, the citation check,
  language detection and the evaluation all ask this one.
- ``joins_without_spaces`` (``SPACELESS_HAN_SHARE``): may the pieces of this text (wrapped PDF
  lines, excerpted sentences) be joined with no space? A stricter rule, because dropping a
  space by mistake does more harm than keeping one.

``lang.detect_language`` builds on the first for texts that may be in other languages too.
"""

from __future__ import annotations

from typing import Literal

from assistant.text.cjk import han_ratio

Script = Literal["zh", "en"]

# Above this share of Han characters (among Han characters and Latin letters) a text is Chinese.
# One Han character carries about as much as a short English word, so a Chinese sentence that
# quotes English names and symbols ("CTED的执行主任是谁？": 7 Han, 4 letters) stays far above it,
# and an English sentence quoting a Chinese name ("What does 反恐执行局 stand for in English?":
# 5 Han, 23 letters) stays below it.
ZH_HAN_SHARE = 0.2

# Above this share of Han characters, the spaces between a text's pieces can go. Stricter than
# ``ZH_HAN_SHARE``: a space kept in Chinese text is cosmetic (``tidy_spacing`` and every reader
# ignore it), but a space dropped from English glues words and figures together ("States,the",
# "2178 (2014)" → "2178(2014)"), and that breaks search tokens and exact-match checks.
SPACELESS_HAN_SHARE = 0.3


def is_chinese_text(text: str) -> bool:
    """Whether ``text`` is Chinese: its Han share is above ``ZH_HAN_SHARE``.

    Empty text and text without letters (figures, symbols) are not Chinese.
    """
    return han_ratio(text) > ZH_HAN_SHARE


def script_language(text: str) -> Script:
    """ "zh" when ``text`` is Chinese (``is_chinese_text``), else "en"."""
    return "zh" if is_chinese_text(text) else "en"


def joins_without_spaces(text: str) -> bool:
    """Whether the pieces of ``text`` join with no space: its Han share is above
    ``SPACELESS_HAN_SHARE``.

    Chinese leaves no space at a line break or between sentences; English needs one. Asked of
    the whole paragraph or passage, not of each join, because the characters at a join (a digit,
    a bracket) do not tell which language is running.
    """
    return han_ratio(text) > SPACELESS_HAN_SHARE
