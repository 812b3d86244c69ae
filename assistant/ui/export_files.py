"""The chat's export buttons: the selected answer, or the whole conversation, as Word and
Markdown files (``assistant.export``), written whenever an answer arrives or another answer is
selected, so a click downloads at once.

Files go to a folder of their own under the system's temporary directory, one subfolder per
write; subfolders older than an hour are removed on the next write (Gradio serves its own copy
from its cache, which the app clears on the same schedule).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.chat.session import ChatSession
from assistant.export import write_export
from assistant.export.exchange import Exchange

log = logging.getLogger(__name__)

EXPORT_ROOT = Path(tempfile.gettempdir()) / "assistant-exports"
_MAX_AGE_S = 3600.0
# (file name, what it holds): the order of the buttons and of ``files``' updates
EXPORTS = (
    ("answer.docx", "answer"),
    ("answer.md", "answer"),
    ("conversation.docx", "conversation"),
    ("conversation.md", "conversation"),
)


def selected_exchanges(session: ChatSession) -> list[Exchange]:
    """The answer whose sources are on screen (else the last answered one)."""
    index = session.selected_turn
    record = session.turn(index)
    if record is None or record.answer is None:
        index = session.last_answered()
        record = session.turn(index)
    if record is None or record.answer is None:
        return []
    return [Exchange(record.question, record.answer)]


def conversation_exchanges(session: ChatSession) -> list[Exchange]:
    return [Exchange(r.question, r.answer) for r in session.turns if r.answer is not None]


def export_paths(session: ChatSession, root: Path = EXPORT_ROOT) -> list[Path | None]:
    """The four export files for ``session`` (None where there is nothing to export)."""
    chosen = {
        "answer": selected_exchanges(session),
        "conversation": conversation_exchanges(session),
    }
    if not chosen["answer"]:
        return [None] * len(EXPORTS)
    folder = _fresh_folder(root)
    paths: list[Path | None] = []
    for name, holds in EXPORTS:
        paths.append(write_export(folder / name, chosen[holds]))
    return paths


def export_updates(session: ChatSession) -> list[Any]:
    """The export buttons' new files (disabled while there is no answer)."""
    try:
        paths = export_paths(session)
    except OSError:
        log.exception("The export files could not be written")
        paths = [None] * len(EXPORTS)
    return [
        gr.update(value=str(path) if path else None, interactive=path is not None) for path in paths
    ]


def _fresh_folder(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - _MAX_AGE_S
    for old in root.iterdir():
        try:
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue
    return Path(tempfile.mkdtemp(dir=root))
