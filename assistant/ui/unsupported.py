"""Mark, inside the answer, the sentences that no passage supports.

The support check (``assistant.answer.support``) flags an answer sentence that no retrieved
passage supports and that got no citation (``Answer.unsupported_sentences``). The sources panel
lists them, but a reader reads the answer, not the panel, so each flagged sentence is also
marked where it stands: a muted style and a small "⚠ not verified" / "⚠ 未核实" label whose
tooltip says why. A sentence that can no longer be found in the text (a later step changed its
spacing beyond recognition) is left unmarked there and still listed in the panel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.ui.escape import esc
from assistant.ui.labels import t

# A list marker at the start of a line stays outside the mark, so a flagged item of a real
# numbered list is still a list item ("2. <span>…</span>").
_LIST_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])[ \t]+")


def flagged_spans(text: str, sentences: Sequence[str]) -> list[tuple[int, int]]:
    """Where each of ``sentences`` stands in ``text``: in order, none overlapping."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in sentences:
        span = _find(text, sentence.strip(), cursor) or _find(text, sentence.strip(), 0)
        if span is None or any(s < span[1] and span[0] < e for s, e in spans):
            continue
        spans.append(_after_list_marker(text, span))
        cursor = span[1]
    return sorted(spans)


def flag_html(inner_html: str, ui_lang: str) -> str:
    """An answer sentence (already HTML) marked as not verified."""
    label = esc(t("unsupported_mark", ui_lang))
    title = esc(t("unsupported_mark_title", ui_lang))
    return (
        f'<span class="unsupported-claim">{inner_html}'
        f'<sup class="unsupported-mark" title="{title}">{label}</sup></span>'
    )


def _find(text: str, sentence: str, start: int) -> tuple[int, int] | None:
    """The sentence verbatim, else with any whitespace between its characters (PDF spacing
    and tidying may differ between the text and the sentence the check saw)."""
    if not sentence:
        return None
    index = text.find(sentence, start)
    if index >= 0:
        return index, index + len(sentence)
    pattern = r"\s*".join(re.escape(ch) for ch in sentence if not ch.isspace())
    match = re.compile(pattern).search(text, start)
    return match.span() if match else None


def _after_list_marker(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    if start == 0 or text[start - 1] == "\n":
        marker = _LIST_MARKER.match(text, start)
        if marker and marker.end() < end:
            return marker.end(), end
    return start, end
