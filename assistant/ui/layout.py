"""The page: header, language switch, the two tabs, the ``/ask`` API and the queue.

Each tab builds its own components and wiring (:mod:`assistant.ui.ask_tab`,
:mod:`assistant.ui.documents_tab`); the behaviour lives in the callback modules, which know
nothing about components.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import gradio as gr

from assistant.chat.session import ChatSession
from assistant.config import Settings
from assistant.ui.admin import AdminCallbacks
from assistant.ui.api import make_ask_endpoint
from assistant.ui.ask_tab import build_ask_tab, choice_updates, wire_ask_tab
from assistant.ui.auth import load_admin_credentials, secret_values
from assistant.ui.chat import ChatCallbacks
from assistant.ui.documents_tab import admin_note, build_documents_tab, wire_documents_tab
from assistant.ui.feedback import FeedbackCallbacks
from assistant.ui.labels import t
from assistant.ui.relabel import PRIVATE, Relabel
from assistant.ui.services import UIServices


def answer_concurrency(settings: Settings) -> int:
    """Generations at once: the setting, else the engine's slots, one in-process, four over HTTP.

    Questions beyond this wait in Gradio's queue, which shows each waiting user their place.
    """
    if settings.app.concurrency_limit:
        return settings.app.concurrency_limit
    backend = settings.llm.backend
    if backend == "llama_cpp":
        return settings.llm.engine_slots
    return 4 if backend == "openai" else 1


def build_app(services: UIServices, settings: Settings) -> gr.Blocks:
    """The whole app, queued; launch it with :func:`assistant.ui.server.launch_app`."""
    credentials = load_admin_credentials(settings.app)
    chat = ChatCallbacks(services, settings)
    records = services.records
    feedback = FeedbackCallbacks(
        settings.paths.feedback_file,
        services.index_fingerprint,
        secret_values(settings),
        store=records.add_feedback if records is not None and records.shared else None,
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
                ask = build_ask_tab(relabel, lang0)
            with gr.Tab(t("tab_documents", lang0), elem_id="tab-documents") as tab_docs:
                relabel.add(tab_docs, label="tab_documents")
                docs = build_documents_tab(relabel, lang0, settings, admin.enabled)

        wire_ask_tab(chat, feedback, ask, session, ui_lang, answer_concurrency(settings))
        refresh, refresh_outputs = wire_documents_tab(services, admin, docs, ask, is_admin, ui_lang)
        demo.load(refresh, [ui_lang], refresh_outputs, **PRIVATE)
        gr.api(
            make_ask_endpoint(services, settings),
            api_name="ask",
            concurrency_limit=answer_concurrency(settings),
            concurrency_id="answer",
        )

        relabel.add(docs["admin_note"], value=partial(admin_note, settings))

        def switch_language(lang: str, current: ChatSession) -> list[Any]:
            messages, panel = chat.rerender(current, lang)
            return [*relabel.updates(lang), *choice_updates(lang), messages, panel]

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


def _header_md(lang: str) -> str:
    return f"# {t('title', lang)}\n{t('subtitle', lang)}"
