"""Rejoin the lines of PDF-extracted text into paragraphs.

PDF text arrives either hard-wrapped at the right margin (a Chinese paragraph broken every
~37 characters, with a blank line after every line in the seeds) or one paragraph per line but
cut wherever a page ended. Blank lines say little: the seeds put one after every line, and in
one-paragraph-per-line text they mark page breaks; they count as paragraph breaks only in
wrapped text that uses them sparingly (hard-wrapped Markdown). So joining two lines rests on:

- the next line opening a block (numbered paragraph, sub-item, heading, bullet, footnote): break;
- an unfinished line followed by one starting in lower case (English going on): join;
- the line ending a sentence (。！？；： . ! ? : ;): break, unless in wrapped text the line is
  full and has no trailing space while other lines do (the sentence just happened to end at
  the margin; extractors that leave a trailing space do so where the paragraph really ended);
- a heading line with a trailing space is complete: break;
- otherwise join if the line is "full" (reaches ~70% of the page's usual width when the text
  is wrapped, or is long when it is not): a short unfinished line is a heading, a title or a
  signature line and stands alone.

Footnote lines that interrupt an unfinished paragraph are moved after it, so that the
paragraph reads on. Chinese lines are joined without a space, English lines with one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.paragraphs import FOOTNOTE_RE, is_heading, starts_block
from assistant.text.cjk import display_width, is_cjk
from assistant.text.script import joins_without_spaces

_TERMINAL = set("。！？；：.!?;:…")
_CLOSERS = "”’」』）)》〉】\"' ⁰¹²³⁴⁵⁶⁷⁸⁹"
_MARKER_ONLY_RE = re.compile(r"^(?:\d{1,3}[.．]|[(（][a-z]{1,2}[)）]|[•·▪■◦‣●○])$")
# A line this wide is never a heading, even where text is not wrapped (paragraph per line).
_LONG_LINE = 120
_MAX_WRAP_WIDTH = 200  # wider "margins" mean one paragraph per line, not wrapped text
_MIN_WRAP_WIDTH = 40  # narrower ones mean a list of short lines (signatures, headings)
_FULL_SHARE = 0.7  # first lines are indented, so a little short of the margin


@dataclass(frozen=True)
class Line:
    """A non-blank line and the layout hints the joiner needs."""

    text: str  # stripped
    trailing_space: bool
    blank_before: bool
    footnote: bool


@dataclass(frozen=True)
class _Layout:
    wrapped: bool
    full_width: float  # width from which a line counts as full
    blank_is_break: bool
    marks_ends: bool  # trailing spaces mark paragraph ends (absent: every sentence end may)


def to_lines(raw_lines: list[str]) -> list[Line]:
    """Turn raw lines (blank ones included) into ``Line`` records, dropping the blank ones."""
    lines: list[Line] = []
    blank = False
    for raw in raw_lines:
        text = raw.strip()
        if not text:
            blank = True
            continue
        lines.append(
            Line(
                text=text,
                trailing_space=raw != raw.rstrip(),
                blank_before=blank,
                footnote=bool(FOOTNOTE_RE.match(text)),
            )
        )
        blank = False
    return lines


def reflow(lines: list[Line]) -> list[str]:
    """Join ``lines`` into paragraphs; footnotes become paragraphs of their own."""
    layout = _measure(lines)
    paragraphs: list[str] = []
    current: list[Line] = []
    deferred: list[str] = []

    def flush() -> None:
        if current:
            paragraphs.append(_join(current))
            current.clear()
        paragraphs.extend(deferred)
        deferred.clear()

    for line in lines:
        if line.footnote:
            if current and not _ends_sentence(current[-1].text):
                deferred.append(line.text)
            else:
                flush()
                paragraphs.append(line.text)
            continue
        if current and _continues(current[-1], line, layout):
            current.append(line)
        else:
            flush()
            current.append(line)
    flush()
    return paragraphs


def _measure(lines: list[Line]) -> _Layout:
    """Tell wrapped text (lines up to a margin) from one-paragraph-per-line text."""
    body = [line for line in lines if not line.footnote]
    widths = sorted(display_width(line.text) for line in body)
    if len(widths) < 2:
        return _Layout(wrapped=False, full_width=_LONG_LINE, blank_is_break=False, marks_ends=False)
    # The margin: the 90th percentile ignores a few over-long lines, where there are enough.
    margin = widths[int(0.9 * (len(widths) - 1))] if len(widths) >= 10 else widths[-1]
    wrapped = _MIN_WRAP_WIDTH <= margin <= _MAX_WRAP_WIDTH
    blanks = sum(line.blank_before for line in body[1:]) / (len(body) - 1)
    return _Layout(
        wrapped=wrapped,
        full_width=_FULL_SHARE * margin if wrapped else _LONG_LINE,
        blank_is_break=blanks < 0.5,
        marks_ends=any(line.trailing_space for line in body),
    )


def _continues(prev: Line, line: Line, layout: _Layout) -> bool:
    """Whether ``line`` continues the paragraph whose last line is ``prev``."""
    if _MARKER_ONLY_RE.match(prev.text):
        return True
    if starts_block(line.text):
        return False
    unfinished = not _ends_sentence(prev.text) and not is_heading(prev.text)
    if unfinished and line.text[0].islower():
        return True  # an English sentence going on after a page break
    full = display_width(prev.text) >= layout.full_width
    if not layout.wrapped:
        # One paragraph per line: only a long unfinished line was cut by a page break.
        return full and unfinished
    if line.blank_before and layout.blank_is_break:
        return False
    if is_heading(prev.text) and prev.trailing_space:
        return False  # a one-line heading; a wrapped one has no space at its break
    if _ends_sentence(prev.text):
        return full and layout.marks_ends and not prev.trailing_space
    return full


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _join(lines: list[Line]) -> str:
    chinese = joins_without_spaces(" ".join(line.text for line in lines))
    out = lines[0].text
    for line in lines[1:]:
        out += _glue(out, line.text, chinese) + line.text
    return out


def _glue(left: str, right: str, chinese: bool) -> str:
    """What goes between two joined lines: nothing in Chinese text, a space in English."""
    a, b = left[-1], right[0]
    if is_cjk(a) or is_cjk(b):
        return ""
    if chinese and not (a.isascii() and a.isalpha() and b.isascii() and b.isalpha()):
        return ""
    if a == "-" and len(left) > 1 and left[-2].isalpha() and b.islower():
        return ""
    return " "
