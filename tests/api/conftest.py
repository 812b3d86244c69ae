"""The API and MCP tests' fixtures: the app's real HTTP server (uvicorn, on a free loopback
port, in a thread) over given services, and keys configured for it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn

from assistant.api.keys import key_setting
from assistant.api.services import ApiServices
from assistant.config import PathSettings, Settings
from assistant.index.catalog import ChunkRecord, DocumentInfo
from assistant.ui.layout import build_app
from assistant.ui.server import gradio_options
from assistant.ui.services import UIServices
from tests.ui.conftest import SHIPPED, FakeAssistant, FakeIndex, FakeIngest

KEY = "una-test-key-for-the-api-0123456789"
OTHER_KEY = "una-second-key-for-the-api-987654"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningApp:
    url: str
    server: uvicorn.Server
    thread: threading.Thread
    app: object

    @property
    def api(self) -> str:
        return f"{self.url}/v1"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def serve(services: ApiServices, ui: UIServices, settings: Settings) -> RunningApp:
    """The app as ``launch_app`` serves it (page, /v1, /mcp), over the given services."""
    from assistant.api.http_app import build_http_app

    port = free_port()
    demo = build_app(ui, settings)
    app = build_http_app(demo, services, settings, gradio_options(settings, "127.0.0.1", port))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    return RunningApp(f"http://127.0.0.1:{port}", server, thread, app)


@dataclass
class FakeDocuments:
    """Resolves names like ``DocumentService.resolve`` over the shipped documents' list."""

    docs: list[DocumentInfo] = field(default_factory=lambda: list(SHIPPED))

    def documents(self) -> list[DocumentInfo]:
        return list(self.docs)

    def resolve(self, names):
        from assistant.document_service import UnknownDocumentError

        found = []
        for name in names:
            matches = [d.doc_id for d in self.docs if name in (d.doc_id, d.source)]
            if not matches:
                raise UnknownDocumentError(f"no indexed document named {name!r}")
            found.extend(matches)
        return found


class NoSearch:
    def search(self, *args, **kwargs):
        raise AssertionError("these tests do not search")

    def chunks(self, ids) -> dict[str, ChunkRecord]:
        return {}

    def document_chunks(self, doc_id: str) -> list[ChunkRecord]:
        return []


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    """Settings in ``tmp_path`` with two API keys and a short failure lock-out."""
    (tmp_path / "corpus").mkdir()
    settings = Settings(
        paths=PathSettings(
            corpus_dir=tmp_path / "corpus",
            index_dir=tmp_path / "index",
            feedback_file=tmp_path / "feedback" / "feedback.jsonl",
        ),
    )
    settings.api.keys = [key_setting("alice", KEY), key_setting("bob", OTHER_KEY)]
    settings.api.keys_file = None
    settings.app.login_base_delay_s = 0.2
    return settings


@pytest.fixture
def fake_app(api_settings: Settings) -> Iterator[Callable[..., RunningApp]]:
    """``fake_app(assistant=FakeAssistant(...))``: the real server over a fake assistant."""
    running: list[RunningApp] = []

    def start(assistant: object | None = None, settings: Settings | None = None) -> RunningApp:
        settings = settings or api_settings
        fake = assistant or FakeAssistant()
        services = ApiServices(fake, FakeDocuments(), NoSearch(), NoSearch(), settings)  # type: ignore[arg-type]
        index = FakeIndex(docs=list(SHIPPED))
        ui = UIServices(fake, index, FakeIngest(index, settings.paths.corpus_dir))  # type: ignore[arg-type]
        app = serve(services, ui, settings)
        running.append(app)
        return app

    yield start
    for app in running:
        app.stop()
