"""Numbered paragraphs of UN documents, so that a passage can be cited as "A/73/866 ¶12".

UN reports number their paragraphs "12." at the start of a line and list sub-items "(a)", "(b)"
(nested "(i)", "(ii)") below them, in Chinese and English editions alike. Section headings
("一. 引言", "A. ...", "附件", "Annex") close the current paragraph. Lines that carry no marker
continue the paragraph above them: after cleaning, such a line is what is left when a page
break or a footnote cut a paragraph in two.

The same marker patterns tell the cleaner where a new block starts when it rejoins the lines
of PDF-extracted text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, NamedTuple

from assistant.text.cjk import HAN

_AFTER_MARKER = f"(?:[ \\t]+|(?=[{HAN}“《(]))"

NUMBERED_RE = re.compile(rf"^(\d{{1,3}})[.．]{_AFTER_MARKER}")
SUBITEM_RE = re.compile(rf"^[(（]([a-z]{{1,2}}|[ivxl]{{1,6}})[)）]{_AFTER_MARKER}")
HEADING_RE = re.compile(
    rf"^(?:(?:[一二三四五六七八九十]+|[IVX]{{1,6}}|[A-Z])[.．、]{_AFTER_MARKER}"
    r"|(?:附件|附文|附录|附表|Annex|Appendix|Enclosure)(?![A-Za-z])"
    r"|#{1,6}\s"
    r"|第[一二三四五六七八九十百零〇]+[章节部分]"
    r"|第 ?\d{1,3} ?段[：:])"
)
# Bullets, and table rows as the Word and HTML loaders (and Markdown) write them: "| a | b |".
BULLET_RE = re.compile(r"^[•·▪■◦‣●○\-–—*|][ \t]")
FOOTNOTE_RE = re.compile(r"^[⁰¹²³⁴⁵⁶⁷⁸⁹]+")

_ROMAN = frozenset(
    ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"]
)

BlockKind = Literal["numbered", "subitem", "heading", "text"]


class ParagraphSpan(NamedTuple):
    """A character span of the text with its paragraph label (None: not numbered)."""

    start: int
    end: int
    label: str | None


@dataclass(frozen=True)
class Block:
    """One line of cleaned text (a paragraph, heading, sub-item or footnote) with its label."""

    start: int
    end: int
    kind: BlockKind
    label: str | None  # "12", "12(a)", "12(a)(i)"; None outside numbered paragraphs
    top: str | None  # the paragraph number alone, "12"


def starts_block(line: str) -> bool:
    """Whether ``line`` opens a new block: numbered paragraph, sub-item, heading, bullet, note."""
    line = line.lstrip()
    return any(
        pattern.match(line)
        for pattern in (NUMBERED_RE, SUBITEM_RE, HEADING_RE, BULLET_RE, FOOTNOTE_RE)
    )


def is_heading(line: str) -> bool:
    return bool(HEADING_RE.match(line.lstrip()))


def paragraph_blocks(text: str) -> list[Block]:
    """Every non-blank line of ``text`` as a block, labelled with its numbered paragraph."""
    blocks: list[Block] = []
    tracker = _LabelTracker()
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        start += len(line) - len(line.lstrip())
        end -= len(line) - len(line.rstrip())
        kind, label = tracker.classify(stripped)
        blocks.append(Block(start, end, kind, label, tracker.top if label else None))
    return blocks


def paragraph_spans(text: str) -> list[ParagraphSpan]:
    """Spans of the numbered paragraphs (with their sub-items) and of the unnumbered blocks.

    A numbered paragraph's span runs from its "12." to the end of its last sub-item or
    continuation line; its sub-items also get spans of their own ("12(a)"), listed after it.
    Unnumbered blocks are listed one by one with the label None.
    """
    spans: list[ParagraphSpan] = []
    subitems: list[ParagraphSpan] = []
    for block in paragraph_blocks(text):
        if block.top is None:
            spans.extend(subitems)
            subitems = []
            spans.append(ParagraphSpan(block.start, block.end, None))
            continue
        if spans and spans[-1].label == block.top and block.kind != "numbered":
            spans[-1] = ParagraphSpan(spans[-1].start, block.end, block.top)
        else:
            spans.extend(subitems)
            subitems = []
            spans.append(ParagraphSpan(block.start, block.end, block.top))
        if block.label != block.top:
            if subitems and subitems[-1].label == block.label:
                subitems[-1] = ParagraphSpan(subitems[-1].start, block.end, block.label)
            else:
                subitems.append(ParagraphSpan(block.start, block.end, block.label))
    spans.extend(subitems)
    return spans


class _LabelTracker:
    """Follows the numbering down a document: the current paragraph, item and sub-item."""

    def __init__(self) -> None:
        self.top: str | None = None
        self.item: str | None = None  # "a"
        self.subitem: str | None = None  # "i"
        self.label: str | None = None

    def classify(self, line: str) -> tuple[BlockKind, str | None]:
        if match := NUMBERED_RE.match(line):
            self.top, self.item, self.subitem = match.group(1), None, None
            self.label = self.top
            return "numbered", self.label
        if is_heading(line):
            self.top = self.item = self.subitem = self.label = None
            return "heading", None
        if match := SUBITEM_RE.match(line):
            if self.top is None:
                return "subitem", None
            self._enter_subitem(match.group(1))
            return "subitem", self.label
        return "text", self.label

    def _enter_subitem(self, marker: str) -> None:
        follows_letter = (
            self.item is not None
            and len(marker) == 1
            and len(self.item) == 1
            and ord(marker) == ord(self.item) + 1
        )
        if marker in _ROMAN and self.item is not None and not follows_letter:
            self.subitem = marker
            self.label = f"{self.top}({self.item})({marker})"
        else:
            self.item, self.subitem = marker, None
            self.label = f"{self.top}({marker})"
