"""The Documents tab: the indexed documents and, behind the admin login, upload and delete."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.ui.admin import AdminCallbacks
from assistant.ui.document_table import document_headers, document_rows, list_documents
from assistant.ui.filters import document_choices
from assistant.ui.labels import t
from assistant.ui.relabel import PRIVATE, Relabel
from assistant.ui.services import UIServices
from assistant.ui.uploads import ALLOWED_SUFFIXES


def admin_note(settings: Settings, lang: str) -> str:
    """How to turn administration on (shown only while it is off)."""
    return t(
        "admin_off",
        lang,
        user_env=settings.app.admin_user_env,
        password_env=settings.app.admin_password_env,
    )


def build_documents_tab(
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
            admin_note(settings, lang), elem_id="admin-note", visible=not admin_enabled
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
                    file_types=list(ALLOWED_SUFFIXES),
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


def wire_documents_tab(
    services: UIServices,
    admin: AdminCallbacks,
    d: dict[str, Any],
    ask: dict[str, Any],
    is_admin: gr.State,
    ui_lang: gr.Radio,
) -> tuple[Any, list[Any]]:
    """Wire the documents tab; returns the refresh callback and its outputs for page load."""

    def refresh(lang: str) -> tuple[Any, Any, Any]:
        documents = list_documents(services.documents)
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
