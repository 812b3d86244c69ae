"""Start the app: build the services once, warn about an empty index, serve on localhost.

Shared by ``python app.py`` and ``assistant serve`` so that both open the same app: the chat
page, the OpenAI-compatible API (``/v1``) and the MCP server (``/mcp``) on one port
(``assistant.api.http_app``), served by uvicorn.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import uvicorn

from assistant.api.http_app import build_http_app
from assistant.api.services import ApiServices
from assistant.config import Settings
from assistant.container import Container
from assistant.models.lazy_model import LazyChatModel
from assistant.ui.document_table import list_documents
from assistant.ui.layout import answer_concurrency, build_app
from assistant.ui.services import build_services
from assistant.ui.theme import launch_styling

log = logging.getLogger(__name__)


def launch_app(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the app until interrupted; ``host``/``port`` override the settings."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    host = host or settings.app.host
    port = port or settings.app.port
    container = Container(settings)
    services = build_services(settings, container)
    documents = list_documents(services.documents)
    if not documents:
        log.warning(
            "The index at %s is empty: run `assistant ingest` first, then restart the app.",
            settings.paths.index_dir,
        )
    else:
        log.info("The index holds %d documents.", len(documents))
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("The app listens on %s, reachable from other machines.", host)
    model = container.chat_model
    if isinstance(model, LazyChatModel):
        threading.Thread(target=model.warm_up, name="engine-warm-up", daemon=True).start()
    demo = build_app(services, settings)
    app = build_http_app(
        demo, ApiServices.from_container(container), settings, gradio_options(settings, host, port)
    )
    log.info(
        "Opening the app on http://%s:%d (%d answer(s) at a time; API at /v1, MCP at /mcp)",
        host,
        port,
        answer_concurrency(settings),
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def gradio_options(settings: Settings, host: str, port: int) -> dict[str, Any]:
    """What ``gradio.mount_gradio_app`` needs to serve the page as ``demo.launch`` did."""
    return {
        "server_name": host,
        "server_port": port,
        "max_file_size": f"{settings.app.max_upload_mb}mb",
        "show_error": False,
        **launch_styling(),
    }
