"""The Ask tab: conversation on the left, the selected answer's sources on the right.

Builds the components (with stable ``elem_id``s) and connects their events to the chat and
feedback callbacks; all behaviour lives in those callbacks.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import gradio as gr

from assistant.chat.session import ChatSession
from assistant.ui.chat import ChatCallbacks
from assistant.ui.export_files import EXPORTS, export_updates
from assistant.ui.feedback import FeedbackCallbacks
from assistant.ui.filters import (
    SCOPE_ALL,
    answer_language_choices,
    language_choices,
    scope_choices,
)
from assistant.ui.labels import EXAMPLE_QUESTIONS, t
from assistant.ui.relabel import PRIVATE, Relabel
from assistant.ui.sources_panel import empty_panel
from assistant.ui.theme import CITE_BRIDGE_JS, COPY_JS


def _sources_md(lang: str) -> str:
    return f"### {t('sources', lang)}"


def choice_updates(lang: str) -> list[Any]:
    """New choices for the radio buttons whose labels are in the choices themselves."""
    return [
        gr.update(choices=scope_choices(lang), label=t("scope", lang)),
        gr.update(choices=language_choices(lang), label=t("scope_lang", lang)),
        gr.update(choices=answer_language_choices(lang), label=t("answer_language", lang)),
    ]


def build_ask_tab(relabel: Relabel, lang: str) -> dict[str, Any]:
    c: dict[str, Any] = {}
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            c["chatbot"] = relabel.add(
                gr.Chatbot(
                    label=t("chat", lang),
                    placeholder=t("chat_placeholder", lang),
                    elem_id="chatbot",
                    height="calc(100vh - 330px)",
                    min_height=360,
                    buttons=[],  # its per-message copy would copy our markup; see copy-answer
                    feedback_options=("Like", "Dislike"),
                    layout="bubble",
                    latex_delimiters=[],
                    sanitize_html=True,
                    examples=[{"text": q} for q in EXAMPLE_QUESTIONS],
                ),
                label="chat",
                placeholder="chat_placeholder",
            )
            with gr.Row(elem_id="question-row"):
                c["question"] = relabel.add(
                    gr.Textbox(
                        label=t("question", lang),
                        placeholder=t("question_placeholder", lang),
                        elem_id="question-input",
                        lines=1,
                        max_lines=6,
                        scale=8,
                        show_label=False,
                        autofocus=True,
                    ),
                    label="question",
                    placeholder="question_placeholder",
                )
                c["send"] = relabel.add(
                    gr.Button(t("send", lang), variant="primary", elem_id="send-button", scale=1),
                    value="send",
                )
            with gr.Row(elem_id="chat-actions"):
                c["new"] = relabel.add(
                    gr.Button(
                        t("new_conversation", lang),
                        elem_id="new-conversation",
                        size="sm",
                        scale=0,
                        min_width=150,
                    ),
                    value="new_conversation",
                )
                c["copy"] = relabel.add(
                    gr.Button(
                        t("copy_answer", lang),
                        elem_id="copy-answer",
                        size="sm",
                        scale=0,
                        min_width=150,
                    ),
                    value="copy_answer",
                )
                c["status"] = gr.Markdown("", elem_id="chat-status")
            c["copy_text"] = gr.Textbox(visible="hidden", elem_id="copy-text")
            c.update(_exports(relabel, lang))
            with gr.Row(equal_height=False):
                c.update(_filters(relabel, lang))
                c.update(_feedback(relabel, lang))
        with gr.Column(scale=2, min_width=340):
            c["sources_title"] = relabel.add(
                gr.Markdown(_sources_md(lang), elem_id="sources-title"), value=_sources_md
            )
            c["sources"] = gr.HTML(
                empty_panel(lang), elem_id="sources-panel", js_on_load=CITE_BRIDGE_JS
            )
            with gr.Accordion(
                t("citation_help_title", lang), open=False, elem_id="citation-help"
            ) as acc:
                relabel.add(acc, label="citation_help_title")
                c["help"] = relabel.add(
                    gr.Markdown(t("citation_help", lang)), value="citation_help"
                )
    return c


def _exports(relabel: Relabel, lang: str) -> dict[str, Any]:
    """Download buttons for the selected answer and the conversation, filled once answered."""
    c: dict[str, Any] = {}
    with gr.Accordion(t("export", lang), open=False, elem_id="export") as acc:
        relabel.add(acc, label="export")
        with gr.Row():
            for name, _holds in EXPORTS:
                key = "export_" + name.replace(".", "_")
                c[key] = relabel.add(
                    gr.DownloadButton(
                        t(key, lang),
                        value=None,
                        interactive=False,
                        size="sm",
                        elem_id=key.replace("_", "-"),
                    ),
                    label=key,
                )
    return c


def export_buttons(c: dict[str, Any]) -> list[Any]:
    return [c["export_" + name.replace(".", "_")] for name, _holds in EXPORTS]


def _filters(relabel: Relabel, lang: str) -> dict[str, Any]:
    c: dict[str, Any] = {}
    with (
        gr.Column(scale=1, min_width=300),
        gr.Accordion(t("filters", lang), open=False, elem_id="filters") as acc,
    ):
        relabel.add(acc, label="filters")
        c["scope"] = gr.Radio(
            scope_choices(lang),
            value=SCOPE_ALL,
            label=t("scope", lang),
            elem_id="filter-scope",
        )
        c["docs"] = relabel.add(
            gr.Dropdown(
                [],
                multiselect=True,
                label=t("scope_documents", lang),
                elem_id="filter-documents",
            ),
            label="scope_documents",
        )
        with gr.Row():
            c["doc_lang"] = gr.Radio(
                language_choices(lang),
                value="zh",
                label=t("scope_lang", lang),
                elem_id="filter-language",
            )
            c["answer_lang"] = gr.Radio(
                answer_language_choices(lang),
                value="auto",
                label=t("answer_language", lang),
                elem_id="answer-language",
            )
    return c


def _feedback(relabel: Relabel, lang: str) -> dict[str, Any]:
    c: dict[str, Any] = {}
    with (
        gr.Column(scale=1, min_width=300),
        gr.Accordion(t("feedback", lang), open=False, elem_id="feedback") as acc,
    ):
        relabel.add(acc, label="feedback")
        c["comment"] = relabel.add(
            gr.Textbox(label=t("feedback_comment", lang), lines=2, elem_id="feedback-comment"),
            label="feedback_comment",
        )
        with gr.Row():
            c["up"] = relabel.add(
                gr.Button(t("feedback_up", lang), elem_id="feedback-up", size="sm"),
                value="feedback_up",
            )
            c["down"] = relabel.add(
                gr.Button(t("feedback_down", lang), elem_id="feedback-down", size="sm"),
                value="feedback_down",
            )
        c["feedback_status"] = gr.Markdown("", elem_id="feedback-status")
    return c


def wire_ask_tab(
    chat: ChatCallbacks,
    feedback: FeedbackCallbacks,
    c: dict[str, Any],
    session: gr.State,
    ui_lang: gr.Radio,
    concurrency: int,
) -> None:
    ask_inputs = [c["question"], session, ui_lang]
    ask_outputs = [c["question"], c["chatbot"], session, c["status"]]
    stream_inputs = [session, ui_lang, c["scope"], c["docs"], c["doc_lang"], c["answer_lang"]]
    stream_outputs = [c["chatbot"], c["sources"], session, c["status"], c["copy_text"]]

    exports = export_buttons(c)

    def then_answer(event: Any) -> None:
        event.then(
            chat.stream_answer,
            stream_inputs,
            stream_outputs,
            concurrency_limit=concurrency,
            concurrency_id="answer",
            show_progress="full",
            show_progress_on=[c["chatbot"]],
            **PRIVATE,
        ).then(export_updates, [session], exports, queue=False, **PRIVATE)

    for trigger in (c["question"].submit, c["send"].click):
        then_answer(trigger(chat.add_question, ask_inputs, ask_outputs, queue=False, **PRIVATE))

    def on_example(current: ChatSession, lang: str, evt: gr.SelectData) -> tuple[Any, ...]:
        value = evt.value.get("text", "") if isinstance(evt.value, dict) else str(evt.value)
        return chat.add_question(value, current, lang)

    then_answer(
        c["chatbot"].example_select(
            on_example, [session, ui_lang], ask_outputs, queue=False, **PRIVATE
        )
    )
    new_outputs = [c["chatbot"], c["sources"], session, c["status"], c["copy_text"], c["question"]]
    for clear in (c["chatbot"].clear, c["new"].click):
        clear(chat.new_conversation, [ui_lang], new_outputs, queue=False, **PRIVATE).then(
            export_updates, [session], exports, queue=False, **PRIVATE
        )
    c["copy"].click(None, [c["copy_text"]], None, js=COPY_JS, **PRIVATE)

    def on_cite(current: ChatSession, lang: str, evt: gr.EventData) -> tuple[str, ChatSession, str]:
        return chat.select_citation(current, lang, getattr(evt, "_data", None))

    c["sources"].cite(
        on_cite,
        [session, ui_lang],
        [c["sources"], session, c["copy_text"]],
        show_progress="hidden",
        **PRIVATE,
    ).then(export_updates, [session], exports, queue=False, show_progress="hidden", **PRIVATE)
    vote_outputs = [c["feedback_status"], c["comment"]]
    vote_inputs = [c["comment"], session, ui_lang]
    c["up"].click(partial(feedback.vote, "up"), vote_inputs, vote_outputs, **PRIVATE)
    c["down"].click(partial(feedback.vote, "down"), vote_inputs, vote_outputs, **PRIVATE)

    def on_like(comment: str, current: ChatSession, lang: str, evt: gr.LikeData) -> tuple[str, str]:
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        return feedback.like(int(index), evt.liked is True, comment, current, lang)

    c["chatbot"].like(on_like, vote_inputs, vote_outputs, **PRIVATE)
