"""Answer text as chat HTML: escaped, with each ``[n]`` marker turned into a clickable reference.

The answer comes from a model that read untrusted documents, so it is escaped before any markup
is added; the only HTML in a chat message is what this module writes. A click on a reference is
picked up by the page script in :mod:`assistant.ui.theme` and selects the passage in the sources
panel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer.types import Answer
from assistant.ui.escape import esc
from assistant.ui.markdown import escape_false_lists
from assistant.ui.unsupported import flag_html, flagged_spans

# "[3]", "[1, 2]" and "[1，2]" (full-width comma, as Chinese answers write it).
MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]")


def marker_numbers(group: str) -> list[int]:
    """The citation numbers inside one bracket, in order."""
    return [int(n) for n in re.findall(r"\d+", group)]


def reference_html(turn: int, number: int, clickable: bool = True) -> str:
    """One ``[n]`` reference. Turn and number travel in class names (``cite-t3 cite-n1``):
    the chat's HTML sanitiser keeps classes but strips ``data-*`` attributes."""
    if not clickable:
        return f'<span class="cite-ref cite-pending">[{number}]</span>'
    return (
        f'<span class="cite-ref cite-link cite-t{turn} cite-n{number}" role="button" '
        f'tabindex="0" title="[{number}]">[{number}]</span>'
    )


def render_answer_html(
    text: str,
    turn: int,
    cited: set[int] | None = None,
    *,
    unsupported: Sequence[str] = (),
    ui_lang: str = "en",
) -> str:
    """Escape ``text`` and render its markers; only numbers in ``cited`` become clickable.

    ``cited=None`` is used while the answer is still streaming: the markers are styled but not
    clickable yet, since the passages they point to are only known once the answer is final.
    The sentences in ``unsupported`` are marked as not verified (``ui.unsupported``), and a line
    that Markdown would take for a list item without being one is escaped (``ui.markdown``).
    """
    parts: list[str] = []
    last = 0
    for start, end in flagged_spans(text, unsupported):
        parts.append(_with_references(text[last:start], turn, cited))
        parts.append(flag_html(_with_references(text[start:end], turn, cited), ui_lang))
        last = end
    parts.append(_with_references(text[last:], turn, cited))
    return escape_false_lists("".join(parts))


def _with_references(text: str, turn: int, cited: set[int] | None) -> str:
    parts: list[str] = []
    last = 0
    for match in MARKER.finditer(text):
        parts.append(esc(text[last : match.start()]))
        refs = [
            reference_html(turn, n, clickable=cited is not None and n in cited)
            for n in marker_numbers(match.group(1))
        ]
        parts.append("".join(refs))
        last = match.end()
    parts.append(esc(text[last:]))
    return "".join(parts)


def answer_plain_text(answer: Answer) -> str:
    """The answer as plain text with its sources listed, for the clipboard."""
    lines = [answer.text.strip()]
    if answer.citations:
        lines.append("")
        for citation in sorted(answer.citations, key=lambda c: c.number):
            passage = citation.passage
            lines.append(f"[{citation.number}] {passage.title} — {passage.label}")
    return "\n".join(lines)
