"""Open the assistant in the browser: ``python app.py`` (settings: ``assistant.yaml``, env)."""

from __future__ import annotations

from assistant.config import get_settings
from assistant.logging_setup import configure_logging
from assistant.ui.server import launch_app

if __name__ == "__main__":
    configure_logging()
    launch_app(get_settings())
