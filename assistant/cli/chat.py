"""``assistant chat``: an interactive terminal conversation with follow-up questions."""

from __future__ import annotations

import typer

from assistant.answer.present import format_sources, format_timings, format_understood
from assistant.answer.question_input import EmptyQuestionError
from assistant.answer.types import Answer
from assistant.chat.session import ChatSession
from assistant.cli import app
from assistant.cli.ask import (
    DocOption,
    ExportOption,
    LangOption,
    check_export,
    check_lang,
    export_to,
)
from assistant.cli.services import doc_ids_for, open_container
from assistant.config import get_settings
from assistant.export.exchange import Exchange
from assistant.models.backends.base import BackendError
from assistant.models.manager import ModelMissingError
from assistant.models.model_manifest import UnknownModelError

_QUIT = {"/quit", "/exit", "/q", "退出"}
_RESET = {"/new", "/reset", "新对话"}
_HELP = (
    "Ask in Chinese or English; follow-up questions use the conversation.\n"
    "用中文或英文提问；追问会结合上文。  /new 新对话 · /quit 退出"
)


@app.command()
def chat(lang: LangOption = "auto", doc: DocOption = None, export: ExportOption = None) -> None:
    """Talk with the assistant in the terminal (streamed answers, sources after each); with
    ``--export`` the conversation is written to a Word or Markdown file when it ends."""
    language = check_lang(lang)
    export = check_export(export)
    container = open_container()
    assistant = container.assistant
    doc_ids = doc_ids_for(container.documents, doc)
    session = ChatSession()
    max_turns = get_settings().answer.history_turns
    typer.echo(_HELP)
    _converse(assistant, session, language, doc_ids, max_turns)
    answered = [
        Exchange(record.question, record.answer)
        for record in session.turns
        if record.answer is not None
    ]
    if export is not None and answered:
        export_to(export, answered)


def _converse(assistant, session: ChatSession, language, doc_ids, max_turns: int) -> None:
    """Questions from the terminal until /quit or end of input."""
    while True:
        try:
            question = typer.prompt("\n?", prompt_suffix=" ").strip()
        except (EOFError, KeyboardInterrupt, typer.Abort):
            typer.echo("")
            return
        if question in _QUIT:
            return
        if question in _RESET:
            session.reset()
            typer.echo("(new conversation / 新对话)")
            continue
        try:
            history = session.history(max_turns)
            answer = _answer(assistant, question, history, language, doc_ids)
        except EmptyQuestionError as exc:
            typer.echo(str(exc))
            continue
        except (BackendError, ModelMissingError, UnknownModelError) as exc:
            typer.echo(f"error: {exc}", err=True)
            continue
        session.add(answer.question, answer)


def _answer(assistant, question, history, language, doc_ids) -> Answer:
    """Stream the reply, then how a follow-up was understood, and the sources."""
    streamed: list[str] = []
    final: Answer | None = None
    for item in assistant.stream(question, history, language=language, doc_ids=doc_ids):
        if isinstance(item, Answer):
            final = item
        else:
            streamed.append(item)
            typer.echo(item, nl=False)
    typer.echo("")
    assert final is not None
    if final.text.strip() != "".join(streamed).strip():
        typer.echo(f"\n{final.text}")
    if understood := format_understood(final):
        typer.echo(understood)
    sources = format_sources(final)
    if sources:
        typer.echo(sources)
    typer.echo(f"({format_timings(final)})", err=True)
    return final
