"""Clean PDF-extracted text (Chinese or English) into paragraphs separated by blank lines.

``clean_text`` is a sequence of small steps, each a plain function a test can call alone:

    normalise characters → strip Markdown residue → drop page furniture and URL-only lines
    → remove footnote markers → rejoin lines into paragraphs → tighten spacing around CJK

The output has one paragraph (or heading, sub-item, footnote) per line and a blank line between
them, which is what ``paragraphs`` and the chunker read. Cleaning already-clean text changes
nothing of substance, so the same cleaner serves every format the loaders read.
"""

from __future__ import annotations

import re

from assistant.ingest.reflow import reflow, to_lines
from assistant.text.cjk import CJK, HAN, has_han
from assistant.text.script import joins_without_spaces

_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\v]")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_PUA_BULLETS = re.compile("[\uf0a7\uf0b7\uf076\uf0d8\uf0fc]")
_PUA = re.compile("[\ue000-\uf8ff]")

_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:#[^)\s]*|https?://[^)\s]+)\)")
_MD_ESCAPE = re.compile(r"\\([()\[\]*_#`\\])")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_DASH_BEFORE_ITEM = re.compile(r"^[ \t]*[-*][ \t]+(?=[(（][a-z]{1,4}[)）])", re.MULTILINE)

# Page furniture: every token of the line is a document symbol, a job number, a page number.
_FURNITURE_TOKEN = re.compile(
    r"(?:[A-Z]{1,6}(?:/[A-Za-z0-9.()\-]+){2,}"  # S/2018/208, A/73/866, S/RES/2395(2017)
    r"|(?:GE\.)?\d{2}-\d{5}(?:\([A-Z]\))?"  # 18-03734, GE.18-12345
    r"|\([A-Z]\)"  # (C), the language letter after a job number
    r"|\d{1,3}/\d{1,3}"  # 9/15
    r"|\*\d{7,}\*"  # *1803734* barcode text
    r"|\d{1,3})"  # bare page number
)
# A URL ends where Chinese text starts: "https://un.org/x委员会…" is a sentence to keep.
_URL_LINE = re.compile(f"^<?(?:https?://|www\\.)[^\\s{HAN}]+>?$")
_SUPERSCRIPTS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+")

_MULTISPACE = re.compile(r" {2,}")
_BETWEEN_CJK = re.compile(f"(?<=[{CJK}]) +(?=[{CJK}])")
_CJK_THEN_LATIN = re.compile(f"(?<=[{CJK}]) +(?=[0-9A-Za-z(])")
# Not after a list marker: "(a) 继续" and "12. 反恐" keep their space.
_LATIN_THEN_CJK = re.compile(
    f"(?<![(（][a-z][)）])(?<![(（][a-z]{{2}}[)）])(?<![(（][ivx]{{3}}[)）])"
    f"(?<=[0-9A-Za-z)%]) +(?=[{HAN}])"
)
_ASCII_PUNCT_IN_CJK = re.compile(f"(?<=[{HAN}][,;:]) +(?=[{HAN}])")  # "为重点, 支持"
_NUMBER_YEAR = re.compile(r"(?<=\d) +(?=\(\d{4}\))")  # "2396 (2017)" in Chinese text


def clean_text(text: str, paragraph_lines: bool = False) -> str:
    """Clean extracted text; returns paragraphs separated by blank lines.

    ``paragraph_lines``: each line already is a paragraph (Word, HTML), so lines are not
    rejoined; everything else is cleaned as for PDF text.
    """
    text = normalise_characters(text)
    text = strip_markdown_residue(text)
    raw_lines = text.split("\n")
    raw_lines = drop_page_furniture(raw_lines)
    raw_lines = drop_url_lines(raw_lines)
    lines = to_lines(raw_lines)
    joined = [line.text for line in lines] if paragraph_lines else reflow(lines)
    paragraphs = [tidy_spacing(remove_footnote_markers(p)) for p in joined]
    return "\n\n".join(p for p in paragraphs if p)


def normalise_characters(text: str) -> str:
    """Unify newlines and spaces; map PDF symbol-font bullets to "•"; drop invisible marks.

    Form feeds become line breaks: the reflow step, not the page break, decides paragraphs.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    text = _PUA_BULLETS.sub("•", text)
    return _PUA.sub("", text)


def strip_markdown_residue(text: str) -> str:
    """Undo Markdown left by converters: ``[2395\\(2017\\)](#)``, ``**bold**``, ``- (a)``."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = _MD_BOLD.sub(r"\2", text)
    return _MD_DASH_BEFORE_ITEM.sub("", text)


def is_page_furniture(line: str) -> bool:
    """Whether a line is only running header/footer: symbol, job number, page number."""
    tokens = line.split()
    return bool(tokens) and len(tokens) <= 4 and all(_FURNITURE_TOKEN.fullmatch(t) for t in tokens)


def drop_page_furniture(lines: list[str]) -> list[str]:
    """Remove header/footer lines such as "S/2018/208", "9/15 18-03734 (C)", "18-03734"."""
    return [line for line in lines if not is_page_furniture(line)]


def drop_url_lines(lines: list[str]) -> list[str]:
    """Remove lines that are only a URL: the hyperlink targets PDF extraction appends."""
    return [line for line in lines if not _URL_LINE.match(line.strip())]


def remove_footnote_markers(text: str) -> str:
    """Remove superscript footnote markers ("工作组¹ 的", "声明。³ 在"); keep the notes."""
    return _SUPERSCRIPTS.sub("", text).strip()


def tidy_spacing(text: str) -> str:
    """Collapse runs of spaces; remove the spaces PDF extraction puts around CJK text.

    "第 2395(2017)号" → "第2395(2017)号", "2018 年 3 月 30 日" → "2018年3月30日"; spaces
    between Latin words and between digit groups ("90 000") stay.
    """
    text = _MULTISPACE.sub(" ", text).strip()
    if not has_han(text):
        return text
    text = _BETWEEN_CJK.sub("", text)
    text = _CJK_THEN_LATIN.sub("", text)
    text = _LATIN_THEN_CJK.sub("", text)
    text = _ASCII_PUNCT_IN_CJK.sub("", text)
    if joins_without_spaces(text):
        text = _NUMBER_YEAR.sub("", text)
    return text
