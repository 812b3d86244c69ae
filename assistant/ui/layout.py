"""The page: components, their stable ``elem_id``s, and which callback each event calls.

Layout only; the behaviour lives in the callback modules (chat, feedback, admin, documents),
which know nothing about components. Ask tab: the conversation on the left, the sources of the
selected answer on the right. Documents tab: the indexed documents and, for admins, upload and
delete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.ui.admin import AdminCallbacks
from assistant.ui.api import make_ask_endpoint
from assistant.ui.auth import load_admin_credentials, secret_values
from assistant.ui.chat import ChatCallbacks
from assistant.ui.documents import document_headers, document_rows, list_documents
from assistant.ui.feedback import FeedbackCallbacks
from assistant.ui.filters import (
    SCOPE_ALL,
    answer_language_choices,
    document_choices,
    language_choices,
    scope_choices,
)
from assistant.ui.labels import EXAMPLE_QUESTIONS, t
from assistant.ui.services import UIServices
from assistant.ui.session import ChatSession
from assistant.ui.sources import empty_panel
from assistant.ui.theme import CITE_BRIDGE_JS, COPY_JS

# The UI's own events stay out of the public API; ``/ask`` (see assistant.ui.api) is the API.
PRIVATE: dict[str, Any] = {"api_visibility": "private"}


LabelSource = str | Callable[[str], str]  # a label key, or a function of the UI language


@dataclass
class Relabel:
    """Components and the labels to refresh on a language switch (prop -> key or function)."""

    entries: list[tuple[Any, dict[str, LabelSource]]] = field(default_factory=list)

    def add(self, component: Any, **props: LabelSource) -> Any:
        self.entries.append((component, props))
        return component

    @property
    def components(self) -> list[Any]:
        return [component for component, _ in self.entries]

    def updates(self, ui_lang: str) -> list[Any]:
        return [
            gr.update(**{prop: _text(source, ui_lang) for prop, source in props.items()})
            for _, props in self.entries
        ]


def _text(source: LabelSource, ui_lang: str) -> str:
    return source(ui_lang) if callable(source) else t(source, ui_lang)


def answer_concurrency(settings: Settings) -> int:
    """Generations at once: the setting, else one for in-process models, four over HTTP."""
    if settings.app.concurrency_limit:
        return settings.app.concurrency_limit
    return 4 if settings.llm.backend == "openai" else 1


def build_app(services: UIServices, settings: Settings) -> gr.Blocks:
    """The whole app, queued; launch it with :func:`assistant.ui.server.launch_app`."""
    credentials = load_admin_credentials(settings.app)
    chat = ChatCallbacks(services, settings)
    feedback = FeedbackCallbacks(
        settings.paths.feedback_file, services.index_fingerprint, secret_values(settings)
    )
    admin = AdminCallbacks(services, settings, credentials)
    lang0 = settings.app.ui_language
    relabel = Relabel()

    with gr.Blocks(
        title=f"{t('title', 'en')} · {t('title', 'zh')}",
        analytics_enabled=False,
        fill_width=True,
        delete_cache=(3600, 3600),  # browser uploads are copied to the corpus; drop the temp copy
    ) as demo:
        session = gr.State(ChatSession())
        is_admin = gr.State(False)

        with gr.Row(elem_id="app-header"):
            relabel.add(gr.Markdown(_header_md(lang0), elem_id="app-title"), value=_header_md)
            ui_lang = gr.Radio(
                [("中文", "zh"), ("English", "en")],
                value=lang0,
                label=t("ui_language", lang0),
                elem_id="ui-language",
                show_label=False,
                container=False,
                scale=0,
                min_width=190,
            )
            relabel.add(ui_lang, label="ui_language")

        with gr.Tabs(elem_id="tabs"):
            with gr.Tab(t("tab_ask", lang0), elem_id="tab-ask") as tab_ask:
                relabel.add(tab_ask, label="tab_ask")
                ask = _ask_tab(relabel, lang0)
            with gr.Tab(t("tab_documents", lang0), elem_id="tab-documents") as tab_docs:
                relabel.add(tab_docs, label="tab_documents")
                docs = _documents_tab(relabel, lang0, settings, admin.enabled)

        _wire_chat(chat, feedback, ask, session, ui_lang, answer_concurrency(settings))
        refresh, refresh_outputs = _wire_documents(services, admin, docs, ask, is_admin, ui_lang)
        demo.load(refresh, [ui_lang], refresh_outputs, **PRIVATE)
        gr.api(
            make_ask_endpoint(services),
            api_name="ask",
            concurrency_limit=answer_concurrency(settings),
            concurrency_id="answer",
        )

        relabel.add(docs["admin_note"], value=partial(_admin_note, settings))

        def switch_language(lang: str, current: ChatSession) -> list[Any]:
            messages, panel = chat.rerender(current, lang)
            return [*relabel.updates(lang), *_choice_updates(lang), messages, panel]

        ui_lang.change(
            switch_language,
            inputs=[ui_lang, session],
            outputs=[
                *relabel.components,
                ask["scope"],
                ask["doc_lang"],
                ask["answer_lang"],
                ask["chatbot"],
                ask["sources"],
            ],
            queue=False,
            **PRIVATE,
        )
    demo.queue(default_concurrency_limit=4)
    return demo


def _sources_md(lang: str) -> str:
    return f"### {t('sources', lang)}"


def _header_md(lang: str) -> str:
    return f"# {t('title', lang)}\n{t('subtitle', lang)}"


def _admin_note(settings: Settings, lang: str) -> str:
    """How to turn administration on (shown only while it is off)."""
    return t(
        "admin_off",
        lang,
        user_env=settings.app.admin_user_env,
        password_env=settings.app.admin_password_env,
    )


def _choice_updates(lang: str) -> list[Any]:
    return [
        gr.update(choices=scope_choices(lang), label=t("scope", lang)),
        gr.update(choices=language_choices(lang), label=t("scope_lang", lang)),
        gr.update(choices=answer_language_choices(lang), label=t("answer_language", lang)),
    ]


def _ask_tab(relabel: Relabel, lang: str) -> dict[str, Any]:
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


def _documents_tab(
    relabel: Relabel, lang: str, settings: Settings, admin_enabled: bool
) -> dict[str, Any]:
    c: dict[str, Any] = {}
    c["table"] = gr.Dataframe(
        headers=document_headers(lang),
        datatype=["str", "str", "str", "str", "number"],
        interactive=False,
        wrap=True,
        elem_id="documents-table",
        label=t("documents_table", lang),
        column_widths=["10%", "14%", "44%", "22%", "10%"],
    )
    relabel.add(c["table"], label="documents_table")
    c["refresh"] = relabel.add(
        gr.Button(
            t("refresh", lang), elem_id="documents-refresh", size="sm", scale=0, min_width=120
        ),
        value="refresh",
    )
    with gr.Accordion(t("admin", lang), open=False, elem_id="admin") as acc:
        relabel.add(acc, label="admin")
        c["admin_note"] = gr.Markdown(
            _admin_note(settings, lang), elem_id="admin-note", visible=not admin_enabled
        )
        with gr.Group(visible=admin_enabled, elem_id="admin-login") as login:
            c["login_form"] = login
            c["user"] = relabel.add(
                gr.Textbox(label=t("admin_user", lang), elem_id="admin-user"), label="admin_user"
            )
            c["password"] = relabel.add(
                gr.Textbox(
                    label=t("admin_password", lang), type="password", elem_id="admin-password"
                ),
                label="admin_password",
            )
            c["login"] = relabel.add(
                gr.Button(t("login", lang), elem_id="admin-login-button"), value="login"
            )
        c["admin_status"] = gr.Markdown("", elem_id="admin-status")
        with gr.Column(visible=False, elem_id="admin-panel") as panel:
            c["panel"] = panel
            c["files"] = relabel.add(
                gr.File(
                    label=t("upload", lang),
                    file_count="multiple",
                    file_types=[".pdf", ".txt", ".md"],
                    elem_id="upload-files",
                    height=140,
                ),
                label="upload",
            )
            c["ingest"] = relabel.add(
                gr.Button(t("ingest", lang), variant="primary", elem_id="upload-button"),
                value="ingest",
            )
            c["report"] = gr.HTML("", elem_id="upload-report")
            with gr.Row():
                c["delete_doc"] = relabel.add(
                    gr.Dropdown(
                        [], label=t("delete_doc", lang), elem_id="delete-document", scale=4
                    ),
                    label="delete_doc",
                )
                c["delete"] = relabel.add(
                    gr.Button(t("delete", lang), variant="stop", elem_id="delete-button", scale=1),
                    value="delete",
                )
            c["logout"] = relabel.add(
                gr.Button(t("logout", lang), elem_id="admin-logout", size="sm"), value="logout"
            )
    return c


def _wire_chat(
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
        )

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
    c["chatbot"].clear(chat.new_conversation, [ui_lang], new_outputs, queue=False, **PRIVATE)
    c["new"].click(
        chat.new_conversation,
        [ui_lang],
        new_outputs,
        queue=False,
        **PRIVATE,
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
    )
    vote_outputs = [c["feedback_status"], c["comment"]]
    vote_inputs = [c["comment"], session, ui_lang]
    c["up"].click(partial(feedback.vote, "up"), vote_inputs, vote_outputs, **PRIVATE)
    c["down"].click(partial(feedback.vote, "down"), vote_inputs, vote_outputs, **PRIVATE)

    def on_like(comment: str, current: ChatSession, lang: str, evt: gr.LikeData) -> tuple[str, str]:
        index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        return feedback.like(int(index), evt.liked is True, comment, current, lang)

    c["chatbot"].like(on_like, vote_inputs, vote_outputs, **PRIVATE)


def _wire_documents(
    services: UIServices,
    admin: AdminCallbacks,
    d: dict[str, Any],
    ask: dict[str, Any],
    is_admin: gr.State,
    ui_lang: gr.Radio,
) -> tuple[Any, list[Any]]:
    """Wire the documents tab; returns the refresh callback and its outputs for page load."""

    def refresh(lang: str) -> tuple[Any, Any, Any]:
        documents = list_documents(services.index)
        choices = document_choices(documents)
        table = gr.update(value=document_rows(documents, lang), headers=document_headers(lang))
        return table, gr.update(choices=choices), gr.update(choices=choices, value=None)

    refresh_outputs = [d["table"], ask["docs"], d["delete_doc"]]
    d["refresh"].click(refresh, [ui_lang], refresh_outputs, **PRIVATE)
    ui_lang.change(refresh, [ui_lang], refresh_outputs, **PRIVATE)
    login_inputs = [d["user"], d["password"], ui_lang]
    login_outputs = [is_admin, d["admin_status"], d["password"], d["panel"], d["login_form"]]
    d["login"].click(admin.login, login_inputs, login_outputs, **PRIVATE)
    d["password"].submit(admin.login, login_inputs, login_outputs, **PRIVATE)
    d["logout"].click(
        admin.logout,
        [ui_lang],
        [is_admin, d["admin_status"], d["panel"], d["login_form"]],
        **PRIVATE,
    )
    d["ingest"].click(
        admin.upload,
        [d["files"], is_admin, ui_lang],
        [d["report"]],
        concurrency_limit=1,
        concurrency_id="index-write",
        **PRIVATE,
    ).then(refresh, [ui_lang], refresh_outputs, **PRIVATE).then(
        lambda: None, None, [d["files"]], **PRIVATE
    )
    d["delete"].click(
        admin.delete,
        [d["delete_doc"], is_admin, ui_lang],
        [d["report"]],
        concurrency_limit=1,
        concurrency_id="index-write",
        **PRIVATE,
    ).then(refresh, [ui_lang], refresh_outputs, **PRIVATE)
    return refresh, refresh_outputs
