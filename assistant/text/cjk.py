"""Character classes for mixed Chinese/English text, and the size unit used for chunking.

Kept in one place so that the cleaner, the sentence splitter, the tokenizer, the chunker, the
answer checks and the evaluation all agree on what counts as a Chinese character. Decisions about
whole texts (is this Chinese?) are in ``script``; this module only classifies and counts.
"""

from __future__ import annotations

import re

# Han ideographs (basic, extension A, compatibility, extensions B-F).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
# CJK symbols and punctuation (。、「」《》…) and full-width forms (，：；！？（）).
CJK_PUNCT = "\u3000-\u303f\uff00-\uffef"
# Anything that sits in Chinese running text without spaces around it.
CJK = HAN + CJK_PUNCT

HAN_RE = re.compile(f"[{HAN}]")
LATIN_RE = re.compile("[A-Za-z]")
CJK_RE = re.compile(f"[{CJK}]")

UNIT_RE = re.compile(f"[{HAN}]|[A-Za-z0-9]+")  # one match per chunking unit


def is_han(ch: str) -> bool:
    """Whether ``ch`` (one character) is a Han ideograph: Chinese writing, no punctuation.

    The test for "does a Chinese word end here" (no space before a citation marker after 报告).
    """
    return bool(ch) and HAN_RE.fullmatch(ch) is not None


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` (one character) sits in Chinese running text with no spaces around it.

    Han ideographs plus CJK and full-width punctuation (。，「」（）): the test for whether a space
    next to a character belongs there, and for what a tokenizer counts one token each.
    """
    return bool(ch) and CJK_RE.fullmatch(ch) is not None


def has_han(text: str) -> bool:
    """Whether ``text`` contains any Han ideograph: a cheap guard before Chinese-only work."""
    return HAN_RE.search(text) is not None


def text_units(text: str) -> int:
    """Size of ``text`` in chunking units: one Han character or one Latin word/number each.

    Characters under-count English and words under-count Chinese; this unit treats both fairly
    (see ``ChunkSettings``).
    """
    return len(UNIT_RE.findall(text))


def han_ratio(text: str) -> float:
    """Share of Han characters among Han characters and Latin letters (0.0 when neither)."""
    han = len(HAN_RE.findall(text))
    latin = len(LATIN_RE.findall(text))
    total = han + latin
    return han / total if total else 0.0


def display_width(text: str) -> int:
    """Printed width in columns: CJK characters take two, everything else one.

    Used to judge whether a PDF line reached the right margin, which is what tells a wrapped
    line from a short heading.
    """
    return len(text) + len(CJK_RE.findall(text))  # one regex scan, not one match a character
