"""Fact normalisation for key-fact accuracy.

A reference fact and a generated answer state the same fact in many surface forms: "三十" and
"30", "二〇一七年" and "2017年", "12 October 2017" and "2017年10月12日", "１２" and "12",
"10,000" and "10 000". Both sides go through the same :func:`normalize_fact_text` so that a plain
substring test (with word boundaries for Latin letters and digits) decides whether the fact is
present. Each step is a small function so that a test can check it alone, in Chinese and English.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.text.cjk import is_cjk
from assistant.text.numerals import (
    CN_BIG_UNITS,
    CN_NUMERAL_PATTERN,
    EN_NUMBER_WORDS,
    EN_SCALES,
    MONTHS,
    chinese_numeral_value,
    format_number,
)

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_RE = re.compile(f"[{SUPERSCRIPTS}]+")

# A number word on its own that is more often a word: "one of the", "no one"; "hundred" is
# only ever read with a number before it.
_EN_NUMBER_WORDS = {w: v for w, v in EN_NUMBER_WORDS.items() if w not in ("one", "hundred")}
_CN_NUMERAL_RE = re.compile(CN_NUMERAL_PATTERN)
_CN_PERCENT_RE = re.compile(r"百分之\s*(\d+(?:\.\d+)?)")
_CN_FRACTION_RE = re.compile(r"(\d+)\s*分之\s*(\d+)")
_CN_SCALED_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([万亿])")

# Patterns over Latin text are compiled with re.ASCII so that \b treats CJK characters as
# non-word characters: "于12 October 2017在" must still show its word boundaries.
_EN_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_COMPOUND_RE = re.compile(rf"\b({'|'.join(_EN_TENS)})[- ]({'|'.join(_EN_UNITS)})\b", re.ASCII)
_EN_WORD_RE = re.compile(rf"\b({'|'.join(_EN_NUMBER_WORDS)})\b", re.ASCII)
_EN_SCALED_RE = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)\s*(thousand|million|billion|trillion)\b", re.ASCII
)
_PERCENT_WORD_RE = re.compile(r"\s*\bper\s?cent\b", re.ASCII)

_COMMA_THOUSANDS_RE = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d])")
_SPACE_THOUSANDS_RE = re.compile(r"(?<![\d.])\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?![\d])")

_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
# Month first with no year ("may 12") is read as a date only for names that are not also words.
_MONTH_UNAMBIGUOUS = (
    r"(" + "|".join(sorted(set(MONTHS) - {"may", "mar"}, key=len, reverse=True)) + r")\b\.?"
)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4})"
_DATE_PATTERNS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.ASCII), ("d", "m", "y")),
    (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.ASCII), ("m", "d", "y")),
    (re.compile(r"(?<![\d-])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d-])"), ("y", "mn", "d")),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), ("y", "mn", "d")),
    (re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b", re.ASCII), ("m", "y")),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)"), ("y", "mn")),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}", re.ASCII), ("d", "m")),
    (re.compile(rf"\b{_MONTH_UNAMBIGUOUS}\s+{_DAY}\b", re.ASCII), ("m", "d")),
    (re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"), ("mn", "d")),
]

_KEEP_BETWEEN_DIGITS = {".", "/", "-", ":"}
_NUMBER_JOINERS = {".", ",", "/", ":"}  # a digit beyond one of these continues the number
_ORDINAL_SUFFIX_RE = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.ASCII)


def strip_superscripts(text: str) -> str:
    """Drop footnote markers such as "工作组¹": NFKC would turn them into ordinary digits."""
    return _SUPERSCRIPT_RE.sub("", text)


def fold_width_and_case(text: str) -> str:
    """Full-width to half-width, compatibility forms, accents and case folded away."""
    text = unicodedata.normalize("NFKD", strip_superscripts(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFKC", text).casefold()


def convert_chinese_numerals(text: str) -> str:
    """Replace Chinese numerals with Arabic digits ("第三百三十次" -> "第330次").

    A lone "一" is left alone unless it follows "第": it is far more often part of a word
    (一些, 统一, 之一, 进一步) than the number one, and "1" would then match those words.
    """

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        if run == "一" and not text[: match.start()].endswith("第"):
            return run
        return str(chinese_numeral_value(run))

    text = _CN_NUMERAL_RE.sub(replace, text)
    text = _CN_PERCENT_RE.sub(lambda m: f"{m.group(1)}%", text)
    text = _CN_FRACTION_RE.sub(lambda m: f"{m.group(2)}/{m.group(1)}", text)
    return _CN_SCALED_RE.sub(
        lambda m: format_number(float(m.group(1)) * CN_BIG_UNITS[m.group(2)]), text
    )


def convert_english_numbers(text: str) -> str:
    """Number words and scales to digits ("twelve" -> "12", "1.5 million" -> "1500000").

    "one" stays a word for the same reason a lone "一" does ("one of the", "no one").
    Expects lower-cased text.
    """
    text = _EN_COMPOUND_RE.sub(
        lambda m: str(_EN_NUMBER_WORDS[m.group(1)] + _EN_UNITS.index(m.group(2)) + 1), text
    )
    text = _EN_WORD_RE.sub(lambda m: str(_EN_NUMBER_WORDS[m.group(1)]), text)
    text = _PERCENT_WORD_RE.sub("%", text)
    return _EN_SCALED_RE.sub(
        lambda m: format_number(float(m.group(1)) * EN_SCALES[m.group(2)]), text
    )


def remove_thousands_separators(text: str) -> str:
    """ "10,000", "10 000" (also with narrow or no-break spaces) -> "10000"."""
    text = _COMMA_THOUSANDS_RE.sub(lambda m: m.group(0).replace(",", ""), text)
    return _SPACE_THOUSANDS_RE.sub(lambda m: re.sub(r"\D", "", m.group(0)), text)


def _date_token(parts: dict[str, int]) -> str | None:
    year, month, day = parts.get("y"), parts.get("m"), parts.get("d")
    if month is None or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    if year is not None and day is not None:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if year is not None:
        return f"{year:04d}-{month:02d}"
    return f"--{month:02d}-{day:02d}"


def canonicalize_dates(text: str) -> str:
    """Rewrite dates as ISO 8601: "12 Oct. 2017", "2017年10月12日" and the like -> 2017-10-12.

    Month-year becomes "2017-10" and day-month "--10-12", so a partial date in a fact still
    matches inside a full date in the answer. Expects lower-cased text with Arabic digits.
    """
    for pattern, roles in _DATE_PATTERNS:

        def replace(match: re.Match[str], roles: tuple[str, ...] = roles) -> str:
            parts: dict[str, int] = {}
            for role, value in zip(roles, match.groups(), strict=True):
                if role == "m":
                    parts["m"] = MONTHS[value]
                elif role == "mn":
                    parts["m"] = int(value)
                else:
                    parts[role] = int(value)
            token = _date_token(parts)
            return match.group(0) if token is None else token

        text = pattern.sub(replace, text)
    return text


def strip_punctuation(text: str, *, join_hyphens: bool = False) -> str:
    """Punctuation and symbols become spaces, except "%" and ". / - :" between digits.

    Apostrophes inside words are dropped ("secretary-general's"). Hyphens inside words become
    spaces, or are dropped with ``join_hyphens``: "capacity-building" must contain "capacity",
    and "counter-terrorism" must equal "counterterrorism"; :func:`fact_present` tries both.
    """
    out: list[str] = []
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if ch == "%" or not (category.startswith("P") or category.startswith("S")):
            out.append(ch)
            continue
        prev = text[i - 1] if i > 0 else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        inside_word = prev.isalpha() and nxt.isalpha() and not (is_cjk(prev) or is_cjk(nxt))
        if ch in _KEEP_BETWEEN_DIGITS and prev.isdigit() and nxt.isdigit():
            out.append(ch)
        elif inside_word and (ch in "'’" or (ch in "-‐‑" and join_hyphens)):
            continue
        else:
            out.append(" ")
    return "".join(out)


def collapse_whitespace(text: str) -> str:
    """One space between Latin tokens; none next to CJK characters or before "%"."""
    tokens = text.split()
    if not tokens:
        return ""
    out = [tokens[0]]
    for token in tokens[1:]:
        if is_cjk(out[-1][-1]) or is_cjk(token[0]) or token[0] == "%":
            out.append(token)
        else:
            out.append(" " + token)
    return "".join(out)


def normalize_fact_text(text: str, *, join_hyphens: bool = False) -> str:
    """The canonical form in which facts and answers are compared."""
    text = fold_width_and_case(text)
    text = convert_chinese_numerals(text)
    text = remove_thousands_separators(text)
    text = convert_english_numbers(text)
    text = _ORDINAL_SUFFIX_RE.sub("", text)
    text = canonicalize_dates(text)
    text = strip_punctuation(text, join_hyphens=join_hyphens)
    return collapse_whitespace(text)


def _is_word_char(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()


def _number_continues(text: str, at: int, step: int) -> bool:
    """Whether a number goes on past position ``at`` ("120" after "12", "1.5" after "1")."""
    if not 0 <= at < len(text):
        return False
    if text[at].isdigit():
        return True
    after = at + step
    return text[at] in _NUMBER_JOINERS and 0 <= after < len(text) and text[after].isdigit()


def contains_normalized(needle: str, haystack: str) -> bool:
    """Substring test on normalised text that respects Latin word and number boundaries.

    A fact never starts inside a Latin word or number ("war" is not in "toward", "12" is not in
    "2012" or "1.12") nor stops inside a number ("12" is not in "120" or "12.5"). It may stop
    inside a word: key facts are often stems ("fund" in "funding", "330" in "330th").
    CJK text has no word boundaries, so a CJK edge matches anywhere.
    """
    if not needle:
        return True
    start = haystack.find(needle)
    while start != -1:
        end = start + len(needle)
        before = haystack[start - 1] if start > 0 else ""
        left_ok = not _is_word_char(needle[0]) or not (
            _is_word_char(before) or _number_continues(haystack, start - 1, -1)
        )
        right_ok = not needle[-1].isdigit() or not _number_continues(haystack, end, 1)
        if left_ok and right_ok:
            return True
        start = haystack.find(needle, start + 1)
    return False


def fact_present(fact: str, answer_text: str) -> bool:
    """Whether ``answer_text`` states ``fact`` (after normalising both the same way).

    Tried with hyphens read as spaces and as nothing, so both "capacity" in "capacity-building"
    and "counterterrorism" in "counter-terrorism" are found.
    """
    return any(
        contains_normalized(
            normalize_fact_text(fact, join_hyphens=join),
            normalize_fact_text(answer_text, join_hyphens=join),
        )
        for join in (False, True)
    )
