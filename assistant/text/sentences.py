"""Sentence boundaries for Chinese and English as character spans.

Spans (not strings) let the chunker cut ``Document.text`` exactly and keep citation offsets
valid. Chinese sentences end at 。！？； (plus closing quotes/brackets); English ones at . ! ?
followed by whitespace and a capital or digit, except after abbreviations common in UN texts
("e.g.", "No. 5", "Mr.", "U.N."). Line breaks always end a sentence: in cleaned text they only
separate paragraphs and headings.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.text.cjk import CJK

_CLOSERS = "”’」』）)》〉】\"'"
_ZH_END = re.compile(f"[。！？；]+[{_CLOSERS}]*|[!?]+[{_CLOSERS}]*(?=[{CJK}])")
_EN_END = re.compile(f"[.!?]+[{_CLOSERS}]*(?=\\s+[\"“‘'(\\[]?[A-Z0-9])")
# "12. The Committee", "A. Monitoring", "IV. Conclusions": a list marker, not a sentence.
_LINE_MARKER = re.compile(r"[ \t]*(?:\d{1,3}|[A-Z]|[IVXivx]{1,6})")
_NEWLINES = re.compile(r"\n+")

# Words that end with a full stop without ending a sentence.
_ABBREVIATIONS_TEXT = """
    mr mrs ms dr prof st no nos art arts para paras vol p pp e.g i.e etc cf vs al fig ch sect
    jan feb mar apr jun jul aug sep sept oct nov dec u.n u.s u.k h.e rev add corr ltd inc co
"""
_ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.+$")


def _is_abbreviation(text: str, dot_end: int) -> bool:
    """Whether the full stop ending at ``dot_end`` belongs to an abbreviation or initial."""
    match = _LAST_WORD.search(text, max(0, dot_end - 12), dot_end)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    if word in _ABBREVIATIONS:
        return True
    # Single initials ("A. Guterres") and dotted acronyms ("U.N.", "U.S.A.").
    return len(word) == 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def _is_line_marker(text: str, dot: int) -> bool:
    line_start = text.rfind("\n", 0, dot) + 1
    return bool(_LINE_MARKER.fullmatch(text, line_start, dot))


def _break_points(text: str) -> list[int]:
    """Offsets just after each sentence end, in increasing order."""
    points = {m.end() for m in _ZH_END.finditer(text)}
    for m in _EN_END.finditer(text):
        if text[m.start()] == "." and (
            _is_abbreviation(text, m.start() + 1) or _is_line_marker(text, m.start())
        ):
            continue
        points.add(m.end())
    for m in _NEWLINES.finditer(text):
        points.add(m.start())
        points.add(m.end())
    return sorted(points)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans ``(start, end)``, trimmed of surrounding whitespace.

    Spans are in order and do not overlap; the whitespace between sentences belongs to none.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for point in [*_break_points(text), len(text)]:
        if point <= start:
            continue
        span = _trim(text, start, point)
        if span:
            spans.append(span)
        start = point
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


# "1. ", "19. ", "(a) ", "a) ", "2、": the number of an item in a list or of a paragraph.
_LIST_MARKER = re.compile(r"^\s*(?:\(?(?:\d{1,3}|[a-z])\)|\d{1,3}(?:\.(?!\d)|、)|[a-z]\.(?=\s))\s*")


def list_marker_length(sentence: str) -> int:
    """Length of the list or paragraph number ``sentence`` starts with (0 when none).

    Such a number is the item's place, not a figure the sentence states: a numbered answer
    "1. 构想[1]" adds no figure "1" that its passage would have to hold.
    """
    match = _LIST_MARKER.match(sentence)
    return match.end() if match else 0


def without_list_marker(sentence: str) -> str:
    """``sentence`` without the list or paragraph number it starts with."""
    return sentence[list_marker_length(sentence) :]


_MIN_SENTENCE_CHARS = 2  # a lone bullet or digit left by the split is no sentence


@lru_cache(maxsize=4096)
def passage_sentences(text: str) -> tuple[str, ...]:
    """A passage's sentences, verbatim (trimmed): split per line, then by punctuation, so a
    heading or a list item on its own line is a sentence of its own. Cached: answering asks
    for the same passages' sentences at several steps."""
    sentences: list[str] = []
    for line in text.splitlines():
        for start, end in split_sentences(line):
            sentence = line[start:end].strip()
            if len(sentence) >= _MIN_SENTENCE_CHARS:
                sentences.append(sentence)
    return tuple(sentences)
