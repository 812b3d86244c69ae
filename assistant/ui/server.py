"""Start the app: build the services once, warn about an empty index, launch on localhost.

Shared by ``python app.py`` and ``assistant serve`` so that both open the same app.
"""

from __future__ import annotations

import logging
import os
import threading

from assistant.config import Settings
from assistant.container import LazyChatModel
from assistant.ui.documents import list_documents
from assistant.ui.layout import answer_concurrency, build_app
from assistant.ui.services import build_services
from assistant.ui.theme import launch_styling

log = logging.getLogger(__name__)


def launch_app(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the app until interrupted; ``host``/``port`` override the settings."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    host = host or settings.app.host
    port = port or settings.app.port
    services = build_services(settings)
    documents = list_documents(services.index)
    if not documents:
        log.warning(
            "The index at %s is empty: run `assistant ingest` first, then restart the app.",
            settings.paths.index_dir,
        )
    else:
        log.info("The index holds %d documents.", len(documents))
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("The app listens on %s, reachable from other machines.", host)
    model = getattr(services.assistant, "chat_model", None)
    if isinstance(model, LazyChatModel):
        threading.Thread(target=model.warm_up, name="engine-warm-up", daemon=True).start()
    demo = build_app(services, settings)
    log.info(
        "Opening the app on http://%s:%d (%d answer(s) at a time)",
        host,
        port,
        answer_concurrency(settings),
    )
    demo.launch(
        server_name=host,
        server_port=port,
        max_file_size=f"{settings.app.max_upload_mb}mb",
        show_error=False,
        quiet=True,
        **launch_styling(),
    )
