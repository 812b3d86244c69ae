"""Typed figures in Chinese and English text: dates, meetings, resolutions, amounts, counts.

UN documents state the same fact in two scripts: "2018年4月19日" / "19 April 2018",
"第330次会议" / "330th meeting", "第71/291号决议" / "resolution 71/291", "7亿美元" /
"US$ 700 million", "两个" / "two". Each parser here reads one kind of figure into a canonical
value that is the same in both languages, so that

- the answer pipeline can extract the figures of the asked type from an evidence sentence and
  render them in the question's language (``render``), and
- a figure in a reply can be compared with the evidence's by value, across languages
  (``figure_atoms``), with Chinese numerals read as numbers.

Canonical values: dates ``2018-04-19``, months ``2018-04``, day-months ``--12-31``, years
``2018``, meetings ``330``, resolutions ``71/291`` (the year in brackets dropped), document
symbols as written (``S/2018/208``), paragraphs ``83``, amounts ``700000000 USD``, percentages
``30``, fractions ``2/3`` and plain numbers (counts) ``39`` or ``25000``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from assistant.text.numerals import (
    CN_BIG_UNITS,
    CN_DIGITS,
    CN_NUMERAL_PATTERN,
    EN_NUMBER_WORDS,
    EN_SCALES,
    MONTH_NAMES,
    MONTHS,
    chinese_numeral_value,
    format_number,
)

FigureKind = Literal[
    "date",
    "month_year",
    "day_month",
    "year",
    "meeting",
    "resolution",
    "symbol",
    "paragraph",
    "amount",
    "percent",
    "fraction",
    "number",
]

_ARABIC = r"\d+(?:[.,]\d+)*"
_NUM = rf"(?:{_ARABIC}|{CN_NUMERAL_PATTERN})"

_MONTH_RE = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

_EN_WORD_RE = "|".join(sorted(EN_NUMBER_WORDS, key=len, reverse=True))
_FRACTION_WORDS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}

# Currencies: (pattern before or after the number, canonical code, English name, Chinese name).
_CURRENCIES = (
    ("USD", r"(?:US\s?\$|\$|USD)", r"(?:US dollars|dollars|USD)", "美元", "US$"),
    ("EUR", r"(?:€|EUR)", r"(?:euros?|EUR)", "欧元", "€"),
    ("INR", r"(?:Rs\.?|INR)", r"(?:rupees|INR)", "卢比", "rupees"),
    ("CNY", r"(?:RMB|CNY)", r"(?:yuan|renminbi)", "元人民币", "yuan"),
)
_CURRENCY_BY_CODE = {c[0]: c for c in _CURRENCIES}


@dataclass(frozen=True)
class Figure:
    """One figure found in a text: its kind, canonical value and where it was written."""

    kind: FigureKind
    value: str
    start: int
    end: int
    surface: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


def number_value(text: str) -> float | None:
    """An Arabic ("1,373", "2.5"), Chinese ("三十", "7亿", "2.5万") or English ("two") number."""
    text = re.sub(r"[,\s\u00a0\u2009\u202f]", "", text)
    scale = 1
    if text and text[-1] in CN_BIG_UNITS and len(text) > 1 and re.fullmatch(r"[\d.]+.", text):
        scale, text = CN_BIG_UNITS[text[-1]], text[:-1]
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text) * scale
    if text.lower() in EN_NUMBER_WORDS:
        return float(EN_NUMBER_WORDS[text.lower()])
    value = chinese_numeral_value(text)
    return None if value is None else float(value)


def _value(text: str) -> str | None:
    number = number_value(text)
    return None if number is None else format_number(number)


# --- patterns, in priority order: a span taken by an earlier kind is not read again ---------

_ZH_YEAR = rf"(\d{{4}}|[{''.join(CN_DIGITS)}]{{4}})"
_DATE_ZH = re.compile(rf"{_ZH_YEAR}\s*年\s*({_NUM})\s*月\s*({_NUM})\s*[日号]")
_MONTH_YEAR_ZH = re.compile(rf"{_ZH_YEAR}\s*年\s*({_NUM})\s*月(?!\s*(?:{_NUM})\s*[日号])")
_DAY_MONTH_ZH = re.compile(rf"(?<![\d年])({_NUM})\s*月\s*({_NUM})\s*[日号]")
_YEAR_ZH = re.compile(rf"{_ZH_YEAR}\s*年(?!\s*(?:{_NUM})\s*月)")
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_DATE_EN = re.compile(rf"\b{_DAY}\s+(?:of\s+)?({_MONTH_RE}),?\s+(\d{{4}})\b", re.I)
_DATE_EN_US = re.compile(rf"\b({_MONTH_RE})\s+{_DAY},?\s+(\d{{4}})\b", re.I)
_MONTH_YEAR_EN = re.compile(rf"\b({_MONTH_RE}),?\s+(?:of\s+)?(\d{{4}})\b", re.I)
_DAY_MONTH_EN = re.compile(rf"\b{_DAY}\s+(?:of\s+)?({_MONTH_RE})(?![\w])", re.I)
_YEAR_EN = re.compile(r"(?<![\d/.,-])((?:19|20)\d{2})(?![\d/]|\s*年)")

_MEETING_ZH = re.compile(rf"第\s*({_NUM})\s*次(?:全体|正式|特别)?会议")
_MEETING_EN = re.compile(
    r"\b(\d+)(?:st|nd|rd|th)\s+(?:plenary\s+|formal\s+|special\s+)?meeting", re.I
)
_RES_NUMBER = r"(\d+(?:/\d+)?)(?:\s*[（(]\s*(\d{4})\s*[)）])?"
_RESOLUTION_ZH = re.compile(rf"第\s*{_RES_NUMBER}\s*号决议")
_RESOLUTION_EN = re.compile(rf"\bresolutions?\s+{_RES_NUMBER}", re.I)
_RES_SYMBOL = re.compile(r"\b(?:S|A|E)/RES/(\d+(?:/\d+)?)(?:\s*\((\d{4})\))?")
_SYMBOL = re.compile(r"\b(?:S|A|E|ST|CTC)/(?:[A-Z]+/)*\d+(?:/[A-Za-z0-9.]+)*(?<![.])")
_PARAGRAPH_ZH = re.compile(rf"第\s*({_NUM})\s*段")
_PARAGRAPH_EN = re.compile(r"\b(?:paragraphs?|para\.?)\s+(\d+)", re.I)

_AMOUNT_PATTERNS: list[tuple[str, re.Pattern[str]]] = []
for _code, _before, _after, _zh, _sign in _CURRENCIES:
    _AMOUNT_PATTERNS.append(
        (
            _code,
            re.compile(rf"{_before}\s?({_ARABIC})(?:\s*(thousand|million|billion|trillion))?\b"),
        )
    )
    _AMOUNT_PATTERNS.append(
        (
            _code,
            re.compile(
                rf"(?<![\d.])({_ARABIC})(?:\s*(thousand|million|billion|trillion))?\s+{_after}\b",
                re.I,
            ),
        )
    )
    _AMOUNT_PATTERNS.append(
        (_code, re.compile(rf"({_ARABIC}\s*[万亿]?|{CN_NUMERAL_PATTERN})\s*{_zh}"))
    )

_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|％|per\s?cent\b|percent\b)", re.I)
_PERCENT_ZH = re.compile(rf"百分之\s*({_NUM}(?:点{_NUM})?)")
_FRACTION_ZH = re.compile(rf"({_NUM})\s*分之\s*({_NUM})")
_FRACTION_EN = re.compile(r"\b(one|two|three|a)[- ](half|halves|thirds?|quarters?)\b", re.I)
_SCALED_EN = re.compile(
    rf"(?<![\d.,])({_ARABIC}|{_EN_WORD_RE})\s*(thousand|million|billion|trillion)\b", re.I
)
_NUMBER_ZH = re.compile(rf"(?<![\d.,/])(\d+(?:\.\d+)?\s*[万亿]|{CN_NUMERAL_PATTERN})")
# Thousands grouped by commas ("1,700") or, as UN Chinese documents write them, by spaces
# ("1 700", also no-break and thin spaces).
_NUMBER_ARABIC = re.compile(
    r"(?<![\d.,/A-Za-z-])(\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?!\d)"
    r"|\d+(?:\.\d+)?)(?![\d/]|,\d{3})"
)
_NUMBER_EN_WORD = re.compile(
    rf"\b({_EN_WORD_RE})(?:[- ](one|two|three|four|five|six|seven|eight|nine))?\b", re.I
)


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _year(text: str) -> int:
    return int(text) if text.isdigit() else int(chinese_numeral_value(text) or 0)


def _int(text: str) -> int | None:
    number = number_value(text)
    return None if number is None else int(number)


def _date(year: int, month: int | None, day: int | None) -> str | None:
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _scaled(number: str, scale: str | None) -> float | None:
    value = number_value(number)
    if value is None:
        return None
    return value * (EN_SCALES[scale.lower()] if scale else 1)


def _month_year_en(m: re.Match[str], _text: str) -> str | None:
    if m[1].lower().rstrip(".") in ("may", "mar") and not m[1][0].isupper():
        return None  # "may 2020" is a verb before a year
    return _date(int(m[2]), _month(m[1]), None)


def _day_month_zh(m: re.Match[str], _text: str) -> str | None:
    month, day = _int(m[1]), _int(m[2])
    if month and day and 1 <= month <= 12 and 1 <= day <= 31:
        return f"--{month:02d}-{day:02d}"
    return None


def _day_month_en(m: re.Match[str], _text: str) -> str | None:
    if m[2].lower().rstrip(".") in ("may", "mar") and not m[2][0].isupper():
        return None
    return f"--{_month(m[2]):02d}-{int(m[1]):02d}"


def _amount(code: str) -> Reader:
    def read(m: re.Match[str], _text: str) -> str | None:
        scale = m.group(2) if m.re.groups >= 2 else None
        value = _scaled(m[1], scale)
        return None if value is None else f"{format_number(value)} {code}"

    return read


def _percent_zh(m: re.Match[str], _text: str) -> str | None:
    whole, _, decimal = m[1].partition("点")
    percent = _value(whole)
    if percent is not None and decimal:
        percent = f"{percent}.{''.join(str(CN_DIGITS.get(c, '')) for c in decimal)}"
    return percent


def _fraction_zh(m: re.Match[str], _text: str) -> str | None:
    denominator, numerator = _int(m[1]), _int(m[2])
    return f"{numerator}/{denominator}" if denominator and numerator is not None else None


def _fraction_en(m: re.Match[str], _text: str) -> str | None:
    numerator = 1 if m[1].lower() == "a" else EN_NUMBER_WORDS[m[1].lower()]
    return f"{numerator}/{_FRACTION_WORDS[m[2].lower()]}"


def _scaled_en(m: re.Match[str], _text: str) -> str | None:
    value = _scaled(m[1], m[2])
    return None if value is None else format_number(value)


def _number_zh(m: re.Match[str], text: str) -> str | None:
    return None if _is_word_numeral(text, m) else _value(m[1].replace(" ", ""))


def _number_en_word(m: re.Match[str], _text: str) -> str | None:
    word = m[1].lower()
    if word == "one":
        return None  # "one of", "no one": almost never a count worth checking
    return str(EN_NUMBER_WORDS[word] + (EN_NUMBER_WORDS[m[2].lower()] if m[2] else 0))


# A match and the text it is in → the figure's normalised value, or None to skip the match.
Reader = Callable[[re.Match[str], str], str | None]


def _first_group(m: re.Match[str], _text: str) -> str | None:
    return m[1]


def _group_value(m: re.Match[str], _text: str) -> str | None:
    return _value(m[1])


# Every kind of figure, from the most specific to the least: a character one reader takes is
# not read by a later one.
_READERS: tuple[tuple[FigureKind, re.Pattern[str], Reader], ...] = (
    ("date", _DATE_ZH, lambda m, _: _date(_year(m[1]), _int(m[2]), _int(m[3]))),
    ("date", _DATE_EN, lambda m, _: _date(int(m[3]), _month(m[2]), int(m[1]))),
    ("date", _DATE_EN_US, lambda m, _: _date(int(m[3]), _month(m[1]), int(m[2]))),
    ("month_year", _MONTH_YEAR_ZH, lambda m, _: _date(_year(m[1]), _int(m[2]), None)),
    ("month_year", _MONTH_YEAR_EN, _month_year_en),
    ("day_month", _DAY_MONTH_ZH, _day_month_zh),
    ("day_month", _DAY_MONTH_EN, _day_month_en),
    ("resolution", _RESOLUTION_ZH, _first_group),
    ("resolution", _RESOLUTION_EN, _first_group),
    ("resolution", _RES_SYMBOL, _first_group),
    ("symbol", _SYMBOL, lambda m, _: m[0]),
    ("meeting", _MEETING_ZH, _group_value),
    ("meeting", _MEETING_EN, _group_value),
    ("paragraph", _PARAGRAPH_ZH, _group_value),
    ("paragraph", _PARAGRAPH_EN, _group_value),
    *(("amount", pattern, _amount(code)) for code, pattern in _AMOUNT_PATTERNS),
    ("percent", _PERCENT, _group_value),
    ("percent", _PERCENT_ZH, _percent_zh),
    ("fraction", _FRACTION_ZH, _fraction_zh),
    ("fraction", _FRACTION_EN, _fraction_en),
    ("year", _YEAR_ZH, _first_group),
    ("year", _YEAR_EN, _first_group),
    ("number", _SCALED_EN, _scaled_en),
    ("number", _NUMBER_ZH, _number_zh),
    ("number", _NUMBER_ARABIC, _group_value),
    ("number", _NUMBER_EN_WORD, _number_en_word),
)


def extract_figures(text: str) -> list[Figure]:
    """Every figure in ``text``, in order of position, none overlapping another.

    Kinds are tried from the most specific (a full date) to the least (a bare number), and a
    character taken by one figure is not read again: "第330次会议" is a meeting, not also the
    number 330; "2018年4月19日" is a date, not also a year.
    """
    taken = [False] * len(text)
    found: list[Figure] = []
    for kind, pattern, read in _READERS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(taken[start:end]):
                continue
            value = read(m, text)
            if value is None:
                continue
            taken[start:end] = [True] * (end - start)
            found.append(Figure(kind, value, start, end, text[start:end]))
    found.sort(key=lambda f: f.start)
    return found


# Chinese words that contain numeral characters without being numbers.
_NUMERAL_WORDS = (
    "一些", "一般", "一致", "一道", "一起", "一切", "一直", "一项", "统一", "唯一", "进一步",
    "一体", "一贯", "之一", "一定", "一旦", "一方面", "万一", "千万", "一再", "第一", "一流",
    "一同", "一律", "一带一路", "十分", "一样", "同一", "一系列", "一部分", "一步", "一份",
)  # fmt: skip
_COUNT_MEASURES = "个项名次人国家年月周天份种类批届条所座艘架公里亿万件起例"


def _is_word_numeral(text: str, match: re.Match[str]) -> bool:
    """A Chinese numeral that is part of a word ("一些", "统一", "第一") and no figure."""
    surface = match[1]
    if surface[0].isdigit():
        return False
    start, end = match.span(1)
    window = text[max(0, start - 2) : end + 2]
    if any(word in window for word in _NUMERAL_WORDS if any(ch in word for ch in surface)):
        return True
    if start > 0 and text[start - 1] == "第":
        return True  # an ordinal ("第一"), not a count
    # a lone 一 or 二 is counted only before a measure word ("一个", "两项")
    following = text[end : end + 1]
    return len(surface) == 1 and (not following or following not in _COUNT_MEASURES)


def figure_atoms(text: str) -> set[str]:
    """The numbers behind every figure of ``text``, comparable across languages.

    A date gives its year, month and day; a resolution its number(s); an amount its value in
    units ("7亿美元" and "US$ 700 million" both give "700000000"); a count its value ("两个"
    and "two" both give "2"). Used to check that a reply's figures occur in the evidence.
    """
    atoms: set[str] = set()
    for figure in extract_figures(text):
        atoms.update(atoms_of(figure))
    return atoms


def atoms_of(figure: Figure) -> set[str]:
    value = figure.value
    if figure.kind in ("date", "month_year", "day_month", "year"):
        return {part.lstrip("0") or "0" for part in value.strip("-").split("-")}
    if figure.kind == "amount":
        return {value.split()[0]}
    if figure.kind == "symbol":
        return {part.lstrip("0") or "0" for part in re.findall(r"\d+", value)} | {value}
    if figure.kind == "resolution":
        return {value, *value.split("/")} if "/" in value else {value}
    return {value}


# --- rendering --------------------------------------------------------------------------


def render(figure: Figure, lang: str) -> str:
    """The figure as it is written in ``lang`` ("zh" or "en") UN style."""
    kind, value = figure.kind, figure.value
    if kind in ("date", "month_year", "day_month", "year"):
        return render_date(value, lang)
    if kind == "meeting":
        return f"第{value}次会议" if lang == "zh" else f"{value}{_ordinal_suffix(value)} meeting"
    if kind == "resolution":
        return f"第{value}号决议" if lang == "zh" else f"resolution {value}"
    if kind == "paragraph":
        return f"第{value}段" if lang == "zh" else f"paragraph {value}"
    if kind == "amount":
        number, code = value.split()
        return render_amount(float(number), code, lang)
    if kind == "percent":
        return f"{value}%"
    if kind == "fraction":
        numerator, denominator = value.split("/")
        if lang == "zh":
            return f"{_zh_small(int(denominator))}分之{_zh_small(int(numerator))}"
        return f"{_en_small(int(numerator))} {_fraction_name(int(numerator), int(denominator))}"
    if kind == "number":
        return render_number(float(value), lang)
    return value


def render_date(value: str, lang: str) -> str:
    if value.startswith("--"):
        month, day = (int(p) for p in value[2:].split("-"))
        return f"{month}月{day}日" if lang == "zh" else f"{day} {MONTH_NAMES[month - 1]}"
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return f"{parts[0]}年" if lang == "zh" else str(parts[0])
    if len(parts) == 2:
        year, month = parts
        return f"{year}年{month}月" if lang == "zh" else f"{MONTH_NAMES[month - 1]} {year}"
    year, month, day = parts
    return f"{year}年{month}月{day}日" if lang == "zh" else f"{day} {MONTH_NAMES[month - 1]} {year}"


def render_number(value: float, lang: str) -> str:
    """Large numbers in each language's scale words: 700000000 → "7亿" / "700 million"."""
    if lang == "zh":
        for scale, name in ((10**8, "亿"), (10**4, "万")):
            if value >= scale and (value / scale) * 100 == int((value / scale) * 100):
                return f"{format_number(value / scale)}{name}"
        return format_number(value)
    for scale, name in ((10**9, "billion"), (10**6, "million")):
        if value >= scale and (value / scale) * 100 == int((value / scale) * 100):
            return f"{format_number(value / scale)} {name}"
    if value >= 10000 and value == int(value):
        return f"{int(value):,}"
    return format_number(value)


def render_amount(value: float, code: str, lang: str) -> str:
    _code, _before, _after, zh_name, sign = _CURRENCY_BY_CODE[code]
    if lang == "zh":
        return f"{render_number(value, 'zh')}{zh_name}"
    number = render_number(value, "en")
    return f"{sign} {number}" if sign in ("US$", "€") else f"{number} {sign}"


def _ordinal_suffix(value: str) -> str:
    number = int(value) if value.isdigit() else 0
    if 10 <= number % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def _zh_small(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    return str(number)


def _en_small(number: int) -> str:
    names = {v: k for k, v in EN_NUMBER_WORDS.items() if v < 20}
    return names.get(number, str(number))


def _fraction_name(numerator: int, denominator: int) -> str:
    names = {2: "half", 3: "third", 4: "quarter"}
    name = names.get(denominator, f"{denominator}th")
    return name + ("s" if numerator > 1 and name != "half" else "")
