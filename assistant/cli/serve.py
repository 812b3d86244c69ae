"""``assistant serve``: open the chat app in the browser (same as ``python app.py``)."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.config import get_settings


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to bind (default: app.host, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to listen on (default: app.port, 7860)."),
) -> None:
    """Start the web app for asking questions about the indexed documents."""
    from assistant.ui.server import launch_app

    launch_app(get_settings(), host=host, port=port)
