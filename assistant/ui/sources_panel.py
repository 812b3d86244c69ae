"""The sources panel: for one answer, a card per cited passage with its evidence highlighted.

Everything that comes from a document (title, symbol, file name, passage text) is escaped here;
the only markup is this module's own.
"""

from __future__ import annotations

from assistant.answer.types import Answer, Citation
from assistant.chat.session import ChatSession
from assistant.ui.citations import reference_html
from assistant.ui.escape import esc
from assistant.ui.highlight import highlight
from assistant.ui.labels import lang_name, t


def _location(citation: Citation, ui_lang: str) -> str:
    """ "S/2018/208 · ¶12 · p. 3" from whatever the passage knows about itself."""
    passage = citation.passage
    parts: list[str] = []
    if passage.symbol:
        parts.append(f'<span class="src-symbol">{esc(passage.symbol)}</span>')
    if passage.paragraph:
        parts.append(f"¶{esc(passage.paragraph)}")
    if passage.page is not None:
        parts.append(f"{t('page', ui_lang)} {passage.page} {t('page_suffix', ui_lang)}".strip())
    parts.append(
        f'<span class="src-file">{esc(passage.source)}</span>'
        f" · {esc(lang_name(passage.lang, ui_lang))}"
    )
    if passage.ocr_confidence is not None:
        parts.append(_ocr_badge(passage.ocr_confidence, ui_lang))
    return " · ".join(parts)


def _ocr_badge(confidence: float, ui_lang: str) -> str:
    """Text recognised from a scan may hold misread characters: say so, with how sure OCR was."""
    label = t("ocr_badge", ui_lang).format(confidence=f"{confidence:.0%}")
    return f'<span class="src-ocr" title="{esc(t("ocr_note", ui_lang))}">{esc(label)}</span>'


def _card(citation: Citation, turn: int, selected: bool, focused: bool, ui_lang: str) -> str:
    passage = citation.passage
    classes = "source-card"
    if selected:
        classes += " selected focused" if focused else " selected"
    body = highlight(passage.text, citation.supporting_sentences)
    return (
        f'<article class="{classes}" id="src-{turn}-{citation.number}" '
        f'data-n="{citation.number}">'
        f"<header>{reference_html(turn, citation.number)} "
        f'<span class="src-title">{esc(passage.title or passage.source)}</span></header>'
        f'<div class="src-meta">{_location(citation, ui_lang)}</div>'
        f'<div class="src-text" lang="{esc(passage.lang)}">{body}</div>'
        "</article>"
    )


def _unsupported(answer: Answer, ui_lang: str) -> str:
    if not answer.unsupported_sentences:
        return ""
    items = "".join(f"<li>{esc(s)}</li>" for s in answer.unsupported_sentences)
    count = len(answer.unsupported_sentences)
    return (
        f'<div class="src-warning">⚠ {count} {esc(t("unsupported", ui_lang))}<ul>{items}</ul></div>'
    )


def _footer(answer: Answer) -> str:
    total = answer.timings.get("total")
    bits = [esc(answer.model)] if answer.model else []
    if total is not None:
        bits.append(f"{total:.1f} s")
    return f'<div class="src-footer">{" · ".join(bits)}</div>' if bits else ""


def empty_panel(ui_lang: str) -> str:
    return f'<div class="sources-empty">{esc(t("sources_empty", ui_lang))}</div>'


def render_sources(session: ChatSession, ui_lang: str, focused: bool = False) -> str:
    """The panel for the selected answer (the latest one unless a citation was clicked).

    ``focused`` marks the selected card as just clicked, so that it flashes once.
    """
    index = session.selected_turn
    record = session.turn(index)
    if index is None or record is None or record.answer is None:
        return empty_panel(ui_lang)
    answer = record.answer
    heading = (
        f'<div class="src-heading">{esc(t("sources_for", ui_lang))} '
        f"<q>{esc(record.question)}</q></div>"
    )
    if answer.refused:
        badge = f'<div class="refused-badge">{esc(t("refused_badge", ui_lang))}</div>'
        return heading + badge + f"<p>{esc(t('refused_note', ui_lang))}</p>"
    if not answer.citations:
        cards = f"<p>{esc(t('no_citations', ui_lang))}</p>"
    else:
        selected = session.selected_citation
        if selected is None or all(c.number != selected for c in answer.citations):
            selected = min(c.number for c in answer.citations)
        ordered = sorted(answer.citations, key=lambda c: c.number)
        cards = "".join(_card(c, index, c.number == selected, focused, ui_lang) for c in ordered)
    return heading + _unsupported(answer, ui_lang) + cards + _footer(answer)
