"""Word's own list numbering, replayed: the "12." that Word prints but the text does not hold.

UN documents number their paragraphs with Word lists, so a paragraph's text is "The Committee
…" while the page shows "12. The Committee …". A paragraph belongs to a list through ``numPr``
(``numId`` and level ``ilvl``) in its own properties or in its style; ``numbering.xml`` maps the
``numId`` to an abstract definition whose levels give the format (decimal, lowerLetter,
lowerRoman …), the start value and the label pattern (``%1.``, ``(%2)``). Counting the list's
paragraphs per ``numId`` and level, with deeper levels restarting under a new parent item,
gives each paragraph the label Word shows, which the paragraph detector then reads as ¶12 or
¶12(a).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from docx.oxml.ns import qn

_PLACEHOLDER = re.compile(r"%([1-9])")
_ROMAN = [
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
]  # fmt: skip
_MAX_LEVELS = 9
BULLET = "•"


@dataclass(frozen=True)
class Level:
    """One level of a list definition."""

    fmt: str = "decimal"
    start: int = 1
    text: str = "%1."


class ListNumbering:
    """Labels for numbered paragraphs, in document order; one instance per document."""

    def __init__(self, numbering_element: Any | None) -> None:
        self._levels: dict[str, dict[int, Level]] = {}  # numId -> ilvl -> Level
        if numbering_element is not None:
            self._read(numbering_element)
        self._counters: dict[str, list[int | None]] = {}

    def label(self, num_id: str, ilvl: int) -> str | None:
        """The next label of list ``num_id`` at level ``ilvl`` ("12.", "(a)", "•"); ``None``
        for ``numId`` 0 (numbering switched off) or an unknown list."""
        levels = self._levels.get(num_id)
        if num_id == "0" or levels is None:
            return None
        ilvl = max(0, min(ilvl, _MAX_LEVELS - 1))
        counters = self._counters.setdefault(num_id, [None] * _MAX_LEVELS)
        level = levels.get(ilvl, Level())
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            counters[deeper] = None  # a new parent item restarts its sub-items
        if level.fmt == "bullet":
            return BULLET
        if level.fmt == "none":
            return None

        def value(match: re.Match[str]) -> str:
            n = int(match.group(1)) - 1
            count = counters[n] if counters[n] is not None else levels.get(n, Level()).start
            return format_number(count or 0, levels.get(n, Level()).fmt)

        return _PLACEHOLDER.sub(value, level.text).strip() or None

    def _read(self, numbering: Any) -> None:
        abstract: dict[str, dict[int, Level]] = {}
        for node in numbering.findall(qn("w:abstractNum")):
            abstract[node.get(qn("w:abstractNumId"))] = _levels(node)
        for num in numbering.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            levels = dict(abstract.get(ref.get(qn("w:val")), {}))
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = int(override.get(qn("w:ilvl"), "0"))
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    base = levels.get(ilvl, Level())
                    levels[ilvl] = Level(base.fmt, int(start.get(qn("w:val"), "1")), base.text)
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:
                    levels[ilvl] = _level(lvl)
            self._levels[num.get(qn("w:numId"))] = levels


def format_number(n: int, fmt: str) -> str:
    """``n`` as Word writes it in the format ``fmt`` (unknown formats as decimal)."""
    if fmt in ("lowerLetter", "upperLetter"):
        letter = _letters(n)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "chineseCounting" or fmt == "chineseCountingThousand":
        return _chinese(n)
    return str(n)


def paragraph_numbering(paragraph: Any) -> tuple[str, int] | None:
    """``(numId, ilvl)`` of a python-docx paragraph, from its properties or its style chain."""
    ppr = paragraph._p.pPr
    num_pr = ppr.numPr if ppr is not None else None
    num_id = ilvl = None
    if num_pr is not None:
        num_id = num_pr.numId.val if num_pr.numId is not None else None
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else None
    style = paragraph.style
    depth = 0
    while num_id is None and style is not None and depth < 10:
        style_ppr = style.element.pPr
        style_num = style_ppr.numPr if style_ppr is not None else None
        if style_num is not None and style_num.numId is not None:
            num_id = style_num.numId.val
            if ilvl is None and style_num.ilvl is not None:
                ilvl = style_num.ilvl.val
        style = style.base_style
        depth += 1
    if num_id is None:
        return None
    return str(num_id), int(ilvl or 0)


def _levels(abstract_num: Any) -> dict[int, Level]:
    return {
        int(lvl.get(qn("w:ilvl"), "0")): _level(lvl) for lvl in abstract_num.findall(qn("w:lvl"))
    }


def _level(lvl: Any) -> Level:
    def val(tag: str, default: str) -> str:
        node = lvl.find(qn(tag))
        return node.get(qn("w:val"), default) if node is not None else default

    return Level(val("w:numFmt", "decimal"), int(val("w:start", "1")), val("w:lvlText", "%1."))


def _letters(n: int) -> str:
    """Word repeats the letter past z: a … z, aa … zz."""
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    if n <= 0:
        return str(n)
    out = ""
    for value, numeral in _ROMAN:
        while n >= value:
            out += numeral
            n -= value
    return out


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return digits[ones]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
