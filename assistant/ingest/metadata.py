"""Document-level metadata: title, UN document symbol and date, where recognisable.

The symbol is taken from page furniture (running headers/footers such as "S/2018/208" or
"A/73/866 9/15") in the *raw* text, because a report cites many other documents' symbols in
its body and only its own symbol is printed on every page. The cleaner removes that furniture,
so this module reads the text before cleaning.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

from assistant.ingest.cleaning import is_page_furniture
from assistant.ingest.paragraphs import NUMBERED_RE, is_heading
from assistant.text.numerals import MONTH_NAMES, MONTHS

SYMBOL_RE = re.compile(
    r"(?<![A-Za-z0-9/])(?:S/RES/\d{1,4}\s?\(\d{4}\)|A/RES/\d{2,3}/\d{1,4}"
    r"|[AS]/\d{2,4}/\d{1,5}(?:/(?:Add|Rev|Corr)\.\d{1,2})*"
    r"|A/\d{2,3}/PV\.\d{1,3})"
)
_ZH_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH = "|".join(MONTH_NAMES)
_EN_DATE_DMY = re.compile(rf"\b(\d{{1,2}}) ({_MONTH}) (\d{{4}})\b")
_EN_DATE_MDY = re.compile(rf"\b({_MONTH}) (\d{{1,2}}), (\d{{4}})\b")
_UNGDC_NAME = re.compile(r"^([A-Z]{3})_(\d{2})_(\d{4})$")

# Lines that head a UN document but do not name it.
_NOT_A_TITLE = re.compile(
    r"^(?:第[一二三四五六七八九十百]+届会议|议程项目|Distr\.|Original:|General Assembly|"
    r"Security Council|大会|安全理事会$|\w+-\w+ session|Agenda item|联合国|United Nations$)",
    re.IGNORECASE,
)
_MAX_TITLE_CHARS = 200
_MD_TITLE = re.compile(r"^#[ \t]+(?=\S)")  # a level-1 heading opening the text is its title
_HEAD_BLOCKS = 6
_COVER_LINES = 10
_COVER_LINE = re.compile(rf"^(?:United Nations|联\s*合\s*国)?\s*(?:{SYMBOL_RE.pattern})\s*$")

# Countries whose General Debate statements ship in corpus/en (ISO 3166-1 alpha-3).
COUNTRY_NAMES = {
    "AFG": "Afghanistan",
    "BFA": "Burkina Faso",
    "CHN": "China",
    "EGY": "Egypt",
    "FRA": "France",
    "GBR": "United Kingdom",
    "IND": "India",
    "KAZ": "Kazakhstan",
    "MYS": "Malaysia",
    "NGA": "Nigeria",
    "PAK": "Pakistan",
    "RUS": "Russian Federation",
    "SOM": "Somalia",
    "TCD": "Chad",
    "USA": "United States of America",
}


def extract_title(clean_text: str, path: Path) -> str:
    """The document's title: its first heading-like line, else the file name.

    General Debate statements (UNGDC files named like ``CHN_73_2018.txt``) have no heading,
    so their title is derived from the name.
    """
    if ungdc := ungdc_title(path.stem):
        return ungdc
    for block in clean_text.split("\n"):
        block = block.strip()
        if _MD_TITLE.match(block):
            return _MD_TITLE.sub("", block)[:_MAX_TITLE_CHARS]
        if not block or _NOT_A_TITLE.match(block):
            continue
        if NUMBERED_RE.match(block) or is_heading(block):
            break
        if len(block) <= _MAX_TITLE_CHARS:
            return block
        break
    return path.stem


def ungdc_title(stem: str) -> str | None:
    """ "General Debate statement: China, 73rd session (2018)" for ``CHN_73_2018``."""
    match = _UNGDC_NAME.match(stem)
    if not match:
        return None
    code, session, year = match.groups()
    country = COUNTRY_NAMES.get(code, code)
    return f"General Debate statement: {country}, {_ordinal(int(session))} session ({year})"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def find_symbol(raw_text: str) -> str | None:
    """The document's own UN symbol: the one most often printed in its page furniture.

    Symbols merely cited in the body ("(S/2017/375，附件)") do not count; one on a short line
    at the very top (the cover page header, "United Nations S/2018/208") does.
    """
    counts: Counter[str] = Counter()
    lines = [line.strip() for line in raw_text.splitlines() if line.strip()]
    for number, line in enumerate(lines):
        on_cover = number < _COVER_LINES and bool(_COVER_LINE.match(line))
        if on_cover or is_page_furniture(line):
            counts.update(SYMBOL_RE.findall(line))
    if not counts:
        return None
    return counts.most_common(1)[0][0]


def find_date(clean_text: str) -> str | None:
    """ISO date of the document from its head (title lines before the first paragraph).

    Dates in the body are events the document reports on, not its own date.
    """
    head: list[str] = []
    for block in clean_text.split("\n"):
        if not head and _MD_TITLE.match(block.strip()):
            continue  # the title line (Word "Title" style, a Markdown "# "): the head goes on
        if NUMBERED_RE.match(block.strip()) or is_heading(block.strip()):
            break
        if block.strip():
            head.append(block)
        if len(head) >= _HEAD_BLOCKS:
            break
    for block in head[:3]:
        if found := parse_date(block[:_MAX_TITLE_CHARS]):
            return found
    return None


def parse_date(text: str) -> str | None:
    """The first date in ``text`` ("2018年5月8日", "8 May 2018", "May 8, 2018") as ISO."""
    candidates: list[tuple[int, int, int, int]] = []  # (position, year, month, day)
    if m := _ZH_DATE.search(text):
        candidates.append((m.start(), int(m[1]), int(m[2]), int(m[3])))
    if m := _EN_DATE_DMY.search(text):
        candidates.append((m.start(), int(m[3]), _month(m[2]), int(m[1])))
    if m := _EN_DATE_MDY.search(text):
        candidates.append((m.start(), int(m[3]), _month(m[1]), int(m[2])))
    for _, year, month, day in sorted(candidates):
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            continue
    return None


def _month(name: str) -> int:
    return MONTHS[name.lower()]
