"""Relabelling on a language switch, and the keyword that keeps UI events out of the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from assistant.ui.labels import t

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
        updates = []
        for _, props in self.entries:
            texts: dict[str, Any] = {prop: _text(source, ui_lang) for prop, source in props.items()}
            updates.append(gr.update(**texts))
        return updates


def _text(source: LabelSource, ui_lang: str) -> str:
    return source(ui_lang) if callable(source) else t(source, ui_lang)
