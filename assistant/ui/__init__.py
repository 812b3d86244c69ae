"""The Gradio app: a thin face over the assistant's public API."""

from __future__ import annotations

from assistant.ui.layout import build_app
from assistant.ui.services import UIServices, build_services

__all__ = ["UIServices", "build_app", "build_services"]
