"""Number words and month names in Chinese and English: the tables every figure reader shares.

Runtime figure extraction (``figures``), the evaluation's fact normaliser
(``assistant.eval.normalize``), support checking and ingest's date reading all read "三百三十",
"两个", "twelve" and "October" through these, so that "the figures match" means the same at run
time as in evaluation.
"""

from __future__ import annotations

CN_DIGITS = {
    "〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 10**4, "亿": 10**8}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_UNITS) + "".join(CN_BIG_UNITS)
# A numeral starts with a digit or 十 ("十二"); a run starting with 万/千 is a word ("千万").
CN_NUMERAL_PATTERN = f"[{''.join(CN_DIGITS)}十][{CN_NUMERAL_CHARS}]*"

EN_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
EN_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Lower-cased full names and their abbreviations ("oct", "sept") → month number.
MONTHS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name.lower()[:3]: number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}


def chinese_numeral_value(numeral: str) -> int | None:
    """ "三百三十" → 330, "二〇一七" → 2017 (digit by digit), "两万五千" → 25000,
    "一亿二千万" → 120000000, "十二" → 12; None when ``numeral`` is not a Chinese numeral."""
    if not numeral or any(ch not in CN_NUMERAL_CHARS for ch in numeral):
        return None
    if all(ch in CN_DIGITS for ch in numeral):
        return int("".join(str(CN_DIGITS[ch]) for ch in numeral))
    total = section = number = 0
    for ch in numeral:
        if ch in CN_DIGITS:
            number = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            if number == 0 and ch == "十":
                number = 1
            section += number * CN_UNITS[ch]
            number = 0
        elif ch == "万":
            total += (section + number or 1) * CN_BIG_UNITS[ch]
            section = number = 0
        else:
            total = (total + section + number or 1) * CN_BIG_UNITS[ch]
            section = number = 0
    return total + section + number


def format_number(value: float) -> str:
    """Canonical digits: no separators, no trailing zeros (25000.0 → "25000", 1.50 → "1.5")."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")
