"""Find the supporting sentences inside a passage and wrap them in ``<mark>``.

The passage text comes from documents (untrusted), so every piece of it is escaped; only the
``<mark>`` tags are added. Sentences are looked up verbatim first, then ignoring whitespace,
because PDF extraction leaves line breaks and stray spaces (between CJK characters and digits)
that an attribution step may have normalised away.
"""

from __future__ import annotations

from assistant.ui.escape import esc


def _whitespace_free(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace, and for each kept character its offset in ``text``."""
    kept: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if not ch.isspace():
            kept.append(ch)
            offsets.append(i)
    return "".join(kept), offsets


def find_span(text: str, sentence: str) -> tuple[int, int] | None:
    """The character span of ``sentence`` inside ``text``, or None when it is not there."""
    needle = sentence.strip()
    if not needle:
        return None
    start = text.find(needle)
    if start >= 0:
        return start, start + len(needle)
    squeezed, offsets = _whitespace_free(text)
    squeezed_needle, _ = _whitespace_free(needle)
    if not squeezed_needle:
        return None
    start = squeezed.find(squeezed_needle)
    if start < 0:
        return None
    end = start + len(squeezed_needle) - 1
    return offsets[start], offsets[end] + 1


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, sentences: list[str]) -> str:
    """``text`` as escaped HTML with each of ``sentences`` found in it wrapped in ``<mark>``."""
    spans = [span for s in sentences if (span := find_span(text, s)) is not None]
    parts: list[str] = []
    last = 0
    for start, end in _merge(spans):
        parts.append(esc(text[last:start]))
        parts.append(f"<mark>{esc(text[start:end])}</mark>")
        last = end
    parts.append(esc(text[last:]))
    return "".join(parts)
