"""The assembled app: stable element ids, queue limits, public API, ten users at once."""

from __future__ import annotations

import socket
import threading

import gradio as gr
import pytest

from assistant.config import AppSettings, LLMSettings
from assistant.ui import build_app
from assistant.ui.layout import answer_concurrency
from assistant.ui.theme import launch_styling
from tests.ui.conftest import FakeAssistant, make_answer

ELEM_IDS = {
    "chatbot",
    "question-input",
    "send-button",
    "new-conversation",
    "copy-answer",
    "chat-status",
    "sources-panel",
    "ui-language",
    "filter-scope",
    "filter-documents",
    "filter-language",
    "answer-language",
    "feedback-up",
    "feedback-down",
    "feedback-comment",
    "citation-help",
    "documents-table",
    "admin-note",
    "admin-login",
    "admin-panel",
    "upload-files",
    "upload-button",
    "delete-document",
    "delete-button",
}


def _elem_ids(demo: gr.Blocks) -> set[str]:
    return {b.elem_id for b in demo.blocks.values() if getattr(b, "elem_id", None)}


def test_app_builds_with_stable_element_ids(services, settings):
    demo = build_app(services, settings)
    assert _elem_ids(demo) >= ELEM_IDS


@pytest.mark.parametrize(
    ("backend", "setting", "expected"),
    [("llama_cpp", None, 2), ("transformers", None, 1), ("openai", None, 4), ("llama_cpp", 3, 3)],
)
def test_answer_concurrency_follows_the_backend(settings, backend, setting, expected):
    settings.llm = LLMSettings(backend=backend, engine_slots=2)
    settings.app = AppSettings(concurrency_limit=setting)
    assert answer_concurrency(settings) == expected


def test_answer_events_share_one_limited_queue(services, settings):
    demo = build_app(services, settings)
    answer_fns = [fn for fn in demo.fns.values() if fn.concurrency_id == "answer"]
    assert len(answer_fns) == 4  # Enter, the Ask button, an example, and the /ask API
    assert {fn.concurrency_limit for fn in answer_fns} == {answer_concurrency(settings)}


def test_only_ask_is_public_api(services, settings):
    demo = build_app(services, settings)
    public = {fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert public == {"ask"}


def test_admin_panels_follow_the_credentials(services, settings, monkeypatch):
    demo = build_app(services, settings)
    blocks = {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}
    assert blocks["admin-note"].visible is True and blocks["admin-login"].visible is False
    monkeypatch.setenv("ASSISTANT_ADMIN_USER", "chief")
    monkeypatch.setenv("ASSISTANT_ADMIN_PASSWORD", "long-enough-pw")
    demo = build_app(services, settings)
    blocks = {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}
    assert blocks["admin-note"].visible is False and blocks["admin-login"].visible is True
    assert blocks["admin-panel"].visible is False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_ten_users_at_once_each_get_their_own_answer(services, settings):
    """Ten clients through the HTTP API against a slow fake model: at most as many at once as
    the engine has slots, nobody fails, nobody gets someone else's answer."""
    from gradio_client import Client

    services.assistant = FakeAssistant(
        lambda q: make_answer(q, text=f"Answer to {q} [1]"), delay=0.02
    )
    demo = build_app(services, settings)
    port = _free_port()
    demo.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        **launch_styling(),
    )
    try:
        results: dict[int, dict] = {}
        errors: list[BaseException] = []

        def user(n: int) -> None:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                results[n] = client.predict(f"question {n}", "auto", None, api_name="/ask")
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=user, args=(n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert sorted(results) == list(range(10))
        for n, payload in results.items():
            assert payload["question"] == f"question {n}"
            assert payload["text"] == f"Answer to question {n} [1]"
            assert payload["citations"][0]["source"] == "000_b645ea8b0039a4ff.txt"
        assert services.assistant.max_active <= answer_concurrency(settings)
    finally:
        demo.close()
