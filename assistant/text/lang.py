"""Language of a text: "zh", "en" or "other".

langdetect is probabilistic; seeding its factory makes the same text always get the same answer,
which keeps chunk metadata and evaluation runs reproducible. Cheap checks run first: the script
count (``script.is_chinese_text``), because langdetect is unreliable on short or mixed
Chinese/English text (a Chinese paragraph full of resolution numbers, a one-line question); and
English function words, because plainly English text needs no statistical model (langdetect
costs milliseconds a call). Where only Chinese or English can occur, use ``script`` alone.
"""

from __future__ import annotations

import re
from typing import Literal

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from assistant.text.script import is_chinese_text

Language = Literal["zh", "en", "other"]

DetectorFactory.seed = 0

_ENGLISH_WORDS_TEXT = """
    the of and to in is are was were what which who whom how why when where does did do a an
    on for with by at from that this it be has have
"""
_ENGLISH_WORDS = frozenset(_ENGLISH_WORDS_TEXT.split())
# Words that are function words in English and in no other common Latin-script language.
_ENGLISH_ONLY_TEXT = """
    the of and to is are was were that this with which have has been their they would
"""
_ENGLISH_ONLY = frozenset(_ENGLISH_ONLY_TEXT.split())
_ENGLISH_SHARE = 0.15
_WORD_RE = re.compile(r"[A-Za-z]+")
# langdetect reads every character; a few hundred are plenty to tell languages apart and keep
# per-chunk detection cheap.
_SAMPLE_CHARS = 600


def detect_language(text: str) -> Language:
    """Detect the language of ``text`` deterministically."""
    if is_chinese_text(text):
        return "zh"
    words = _WORD_RE.findall(text)
    if not words:
        return "other"
    if len(words) <= 6 and any(w.lower() in _ENGLISH_WORDS for w in words):
        return "en"  # short questions: langdetect guesses wildly on a handful of words
    if sum(w.lower() in _ENGLISH_ONLY for w in words) >= _ENGLISH_SHARE * len(words):
        return "en"  # plainly English running text: no need for the (slow) statistical model
    try:
        guesses = detect_langs(text[:_SAMPLE_CHARS])
    except LangDetectException:
        return "other"
    best = guesses[0].lang
    if best == "en":
        return "en"
    if best.startswith("zh"):
        return "zh"
    return "other"
