"""Split a cleaned document into passages for the index, paragraph first.

Sizes are in units (one Han character or one Latin word, see ``ChunkSettings``). The rules, in
order of priority:

1. A numbered paragraph ("12." with its sub-items and continuation lines) that fits the budget
   is one chunk, never cut and never merged with another numbered paragraph, so that a chunk
   can be cited as "¶12". Headings just above it travel with it as context.
2. Unnumbered paragraphs (letters, speeches) are packed together up to the budget.
3. Anything longer is cut at sentence ends (。！？； . ! ?), preferring the end of a sub-item
   or paragraph; where a cut falls inside a paragraph, the next chunk repeats whole sentences
   up to ``overlap_units`` so that no sentence loses its context.
4. A single sentence longer than the budget is cut at a comma or, failing that, anywhere.

Chunk ids hash the document id with the chunk text, so an unchanged document yields the same
ids on every run and a changed paragraph changes only its own chunk's id.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from assistant.config import ChunkSettings
from assistant.ingest.paragraphs import Block, paragraph_blocks
from assistant.schema import Chunk, Document
from assistant.text.cjk import UNIT_RE, text_units
from assistant.text.lang import detect_language
from assistant.text.sentences import split_sentences

_SOFT_BREAK = re.compile(r"[，、,;；:：]\s*")


@dataclass
class _Group:
    """Blocks that belong together: one numbered paragraph, or one unnumbered block."""

    blocks: list[Block] = field(default_factory=list)
    top: str | None = None
    has_heading: bool = False

    @property
    def start(self) -> int:
        return self.blocks[0].start

    @property
    def end(self) -> int:
        return self.blocks[-1].end


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    units: int
    opens_block: bool  # a block boundary lies just before it


def chunk_document(doc: Document, settings: ChunkSettings) -> list[Chunk]:
    """Chunks of ``doc.text`` in order; ``doc.text[c.start:c.end] == c.text`` for each."""
    blocks = paragraph_blocks(doc.text)
    spans = _pack(doc.text, _group(blocks), settings)
    seen: Counter[str] = Counter()
    chunks: list[Chunk] = []
    for index, (start, end) in enumerate(spans):
        text = doc.text[start:end]
        chunks.append(_make_chunk(doc, index, start, end, blocks, repeat=seen[text]))
        seen[text] += 1
    return chunks


def chunk_id(doc_id: str, text: str, repeat: int = 0) -> str:
    """Stable id of a chunk: the same document and text always give the same id.

    ``repeat`` counts earlier chunks of the same document with the same text (a heading
    repeated in an annex), so that ids stay unique within a document.
    """
    key = f"{doc_id}\x00{text}" + (f"\x00{repeat}" if repeat else "")
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _group(blocks: list[Block]) -> list[_Group]:
    groups: list[_Group] = []
    headings: list[Block] = []
    for block in blocks:
        if block.kind == "heading":
            headings.append(block)
            continue
        same_paragraph = (
            groups
            and not headings
            and block.kind != "numbered"
            and block.top is not None
            and groups[-1].top == block.top
        )
        if same_paragraph:
            groups[-1].blocks.append(block)
        else:
            groups.append(_Group([*headings, block], block.top, has_heading=bool(headings)))
            headings = []
    if headings:
        groups.append(_Group(headings, None, has_heading=True))
    return groups


def _pack(text: str, groups: list[_Group], settings: ChunkSettings) -> list[tuple[int, int]]:
    """Character spans of the chunks: whole groups where they fit, else sentence pieces."""
    spans: list[tuple[int, int]] = []
    pending: list[_Group] = []  # unnumbered groups being packed together
    pending_units = 0

    def flush() -> None:
        nonlocal pending_units
        if pending:
            spans.append((pending[0].start, pending[-1].end))
            pending.clear()
            pending_units = 0

    for group in groups:
        units = text_units(text[group.start : group.end])
        mergeable = group.top is None and not group.has_heading
        if mergeable and pending and pending_units + units <= settings.max_units:
            pending.append(group)
            pending_units += units
            continue
        flush()
        if units > settings.max_units and group.has_heading:
            headings, body = _detach_headings(group)
            if body.blocks and text_units(text[body.start : body.end]) <= settings.max_units:
                spans.extend(_pack(text, [headings], settings))
                spans.append((body.start, body.end))
                continue
        if units > settings.max_units:
            spans.extend(_split(text, group, settings))
        elif group.top is None:
            pending.append(group)
            pending_units = units
        else:
            spans.append((group.start, group.end))
    flush()
    return spans


def _detach_headings(group: _Group) -> tuple[_Group, _Group]:
    """Split a group into its leading headings and the paragraph below them."""
    n = next((i for i, b in enumerate(group.blocks) if b.kind != "heading"), len(group.blocks))
    return _Group(group.blocks[:n], None, True), _Group(group.blocks[n:], group.top)


def _split(text: str, group: _Group, settings: ChunkSettings) -> list[tuple[int, int]]:
    """Cut an over-long group at sentence ends, with sentence overlap inside paragraphs."""
    sentences = _sentences(text, group)
    limit, overlap = settings.max_units, settings.overlap_units
    spans: list[tuple[int, int]] = []
    start = fresh = 0  # first sentence of the next piece / first one not yet in any piece
    while fresh < len(sentences):
        if sentences[fresh].units > limit:
            spans.extend(_hard_split(text, sentences[fresh].start, sentences[fresh].end, limit))
            start = fresh = fresh + 1
            continue
        while start < fresh and sum(s.units for s in sentences[start : fresh + 1]) > limit:
            start += 1  # give up overlap rather than new text
        end = _fill(sentences, start, limit, minimum=fresh + 1)
        end = _prefer_block_end(sentences, start, end, limit, minimum=fresh + 1)
        spans.append((sentences[start].start, sentences[end - 1].end))
        piece_start, fresh = start, end
        if end >= len(sentences) or sentences[end].opens_block:
            start = end
            continue
        start, carried = end, 0  # repeat whole sentences, never the whole previous piece
        while start - 1 > piece_start and carried + sentences[start - 1].units <= overlap:
            carried += sentences[start - 1].units
            start -= 1
    return spans


def _fill(sentences: list[_Sentence], i: int, limit: int, minimum: int) -> int:
    """End (exclusive) of the piece starting at sentence ``i``, at least ``minimum``.

    Pieces aim at an equal share of what is left rather than at the limit, so that a long
    paragraph ends in two halves instead of a full chunk and a one-sentence tail.
    """
    rest = sum(s.units for s in sentences[i:])
    pieces = max(1, -(-rest // limit))  # ceil(rest / limit); sentences of no units make none
    target = -(-rest // pieces)
    j, total = i, 0
    while j < len(sentences):
        units = sentences[j].units
        if total + units > limit or (j >= minimum and total + units / 2 > target):
            break
        total += units
        j += 1
    return max(j, minimum)


def _sentences(text: str, group: _Group) -> list[_Sentence]:
    sentences: list[_Sentence] = []
    for block in group.blocks:
        for n, (start, end) in enumerate(split_sentences(text[block.start : block.end])):
            s, e = block.start + start, block.start + end
            sentences.append(_Sentence(s, e, text_units(text[s:e]), opens_block=n == 0))
    return sentences


def _prefer_block_end(sentences: list[_Sentence], i: int, j: int, limit: int, minimum: int) -> int:
    """Move a cut back to the end of a sub-item/paragraph if that keeps the chunk half full."""
    if j >= len(sentences) or sentences[j].opens_block:
        return j
    total = sum(s.units for s in sentences[i:j])
    for k in range(j - 1, max(i, minimum - 1), -1):
        total -= sentences[k].units
        if total < limit // 2:
            break
        if sentences[k].opens_block:
            return k
    return j


def _hard_split(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence into near-equal pieces of at most ``limit`` units.

    Equal pieces avoid a useless few-word tail; a cut moves back to a comma when one lies in
    the second half of the piece.
    """
    ends = [start + m.end() for m in UNIT_RE.finditer(text[start:end])]
    spans: list[tuple[int, int]] = []
    while len(ends) > limit:
        size = -(-len(ends) // -(-len(ends) // limit))  # ceil(n / ceil(n / limit))
        cut = ends[size - 1]
        soft = [start + m.end() for m in _SOFT_BREAK.finditer(text[start:cut])]
        if soft and text_units(text[start : soft[-1]]) >= size // 2:
            cut = soft[-1]
        spans.append(_trimmed(text, start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
        ends = [e for e in ends if e > start]
    if start < end:
        spans.append((start, end))
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _make_chunk(
    doc: Document, index: int, start: int, end: int, blocks: list[Block], repeat: int
) -> Chunk:
    text = doc.text[start:end]
    page = _page_at(doc.page_starts, start)
    return Chunk(
        chunk_id=chunk_id(doc.doc_id, text, repeat),
        doc_id=doc.doc_id,
        index=index,
        text=text,
        start=start,
        end=end,
        lang=detect_language(text),
        page=page,
        paragraph=_label(blocks, start, end),
        ocr_confidence=_ocr_confidence(doc, start, end),
    )


def _page_at(page_starts: list[tuple[int, int]], offset: int) -> int | None:
    if not page_starts:
        return None
    position = bisect_right([start for start, _ in page_starts], offset) - 1
    return page_starts[max(position, 0)][1]


def _ocr_confidence(doc: Document, start: int, end: int) -> float | None:
    """The lowest OCR confidence among the pages a chunk covers; ``None``: no OCR'd text.

    A chunk that runs from a typed page onto a scanned one still holds recognised text, and the
    reader should know it.
    """
    if not doc.ocr_pages:
        return None
    first = _page_at(doc.page_starts, start)
    covered = {first} | {number for offset, number in doc.page_starts if start < offset < end}
    found = [doc.ocr_pages[n] for n in covered if n in doc.ocr_pages]
    return min(found) if found else None


def _label(blocks: list[Block], start: int, end: int) -> str | None:
    """The paragraph a chunk cites: "12", one sub-item "12(a)", or a run "12(a)-(c)"."""
    labels: list[str] = []
    tops: list[str] = []
    for block in blocks:
        if block.start < end and block.end > start and block.label and block.top:
            if block.label not in labels:
                labels.append(block.label)
            if block.top not in tops:
                tops.append(block.top)
    if not labels:
        return None
    if len(tops) > 1:
        return f"{tops[0]}-{tops[-1]}"
    top = tops[0]
    if top in labels:  # the chunk holds the paragraph's own text, not only sub-items
        return top
    if len(labels) == 1:
        return labels[0]
    return f"{labels[0]}-{labels[-1][len(top) :]}"
