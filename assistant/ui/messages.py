"""The chat transcript, rebuilt from the session for every update.

Questions are escaped like answers: the chat shows text, and the only markup in it is the
citation references, the not-verified marks, the "Understood as" line, the refused badge and
the error badge written here.
"""

from __future__ import annotations

from assistant.answer.types import Answer, RetrievedEvidence
from assistant.chat.session import ChatSession, TurnRecord
from assistant.ui.citations import render_answer_html
from assistant.ui.escape import esc
from assistant.ui.labels import t
from assistant.ui.markdown import escape_false_lists

Message = dict[str, str]


def _bare(text: str) -> str:
    """Letters and digits only, lower-cased: to compare two short messages loosely."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _badge(kind: str, text: str) -> str:
    return f'<span class="{kind}-badge">{esc(text)}</span>'


def answer_html(answer: Answer, turn: int, ui_lang: str) -> str:
    """A final answer: refused badge when refused, else text with clickable references and its
    unverified sentences marked; under "Understood as: …" when the question was read as
    another (a follow-up resolved against the conversation)."""
    understood = understood_html(answer, ui_lang)
    prefix = f"{understood}\n\n" if understood else ""
    if answer.refused:
        lang = answer.language if answer.language in ("zh", "en") else ui_lang
        badge = t("refused_badge", lang)
        text = answer.text.strip()
        if _bare(text) in ("", _bare(badge)):  # the badge already says it; explain instead
            text = t("refused_note", lang)
        return f"{prefix}{_badge('refused', badge)}\n\n{escape_false_lists(esc(text))}"
    cited = {c.number for c in answer.citations}
    body = render_answer_html(
        answer.text, turn, cited, unsupported=answer.unsupported_sentences, ui_lang=ui_lang
    )
    return f"{prefix}{body}"


def understood_html(answer: Answer, ui_lang: str) -> str:
    """ "Understood as: …" when the answer answers a reading of the question other than its
    words (``Answer.standalone_question``), so a wrong reading of a follow-up is seen at once;
    "" when there is none or it only differs in spacing, case or punctuation."""
    standalone = (answer.standalone_question or "").strip()
    if not standalone or _bare(standalone) == _bare(answer.question):
        return ""
    line = t("understood_as", ui_lang).format(question=standalone)
    return f'<div class="understood-as">{esc(line)}</div>'


def _assistant_content(record: TurnRecord, turn: int, ui_lang: str, partial: str | None) -> str:
    if record.answer is not None:
        return answer_html(record.answer, turn, ui_lang)
    if record.error is not None:
        return f"{_badge('error', t('error_badge', ui_lang))}\n\n{esc(record.error)}"
    found = _evidence_html(record.evidence, ui_lang) if record.evidence else ""
    if partial:
        return f"{found}\n\n{render_answer_html(partial, turn, None)}".strip()
    if found:
        return f'{found}\n\n<span class="thinking">{esc(t("writing", ui_lang))}</span>'
    return f'<span class="thinking">{esc(t("thinking", ui_lang))}</span>'


def _evidence_html(evidence: RetrievedEvidence, ui_lang: str) -> str:
    """The evidence sentences, verbatim with their reference, while the answer is written:
    on two CPU cores they are there seconds before the model's first word, and a reader can
    check the answer against them as it comes."""
    if not evidence.sentences:
        return ""
    lines = [f'<div class="evidence-found"><b>{esc(t("evidence_heading", ui_lang))}</b>']
    for sentence in evidence.sentences:
        lines.append(
            f"<blockquote>{esc(sentence.text)} <small>— {esc(sentence.passage.label)}</small>"
            "</blockquote>"
        )
    lines.append("</div>")
    return "\n".join(lines)


def render_messages(
    session: ChatSession,
    ui_lang: str,
    partial: str | None = None,
    streaming_turn: int | None = None,
) -> list[Message]:
    """User/assistant message pairs, one per turn; ``partial`` is turn ``streaming_turn``'s text."""
    messages: list[Message] = []
    for index, record in enumerate(session.turns):
        text = partial if index == streaming_turn else None
        messages.append({"role": "user", "content": esc(record.question)})
        messages.append(
            {"role": "assistant", "content": _assistant_content(record, index, ui_lang, text)}
        )
    return messages
