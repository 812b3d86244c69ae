"""``assistant ask "…"``: one question, the checked answer and its sources (or ``--json``)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from assistant.answer.assistant import Assistant, EmptyQuestionError
from assistant.answer.present import answer_to_dict, format_sources, format_timings
from assistant.cli import app
from assistant.config import get_settings
from assistant.models.backends.base import BackendError
from assistant.models.manager import ModelMissingError
from assistant.models.manifest import UnknownModelError

LangOption = Annotated[
    str, typer.Option("--lang", help="Answer language: zh, en or auto (the question's).")
]
DocOption = Annotated[
    list[str] | None, typer.Option("--doc", help="Only this document (file name or id).")
]


def open_assistant() -> Assistant:
    """The configured assistant, or a clear message and exit code 1."""
    from assistant.container import build_assistant

    try:
        return build_assistant(get_settings())
    except Exception as exc:  # any set-up failure is the user's to fix: say what it was
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


def doc_ids_for(assistant: Assistant, names: list[str] | None) -> list[str] | None:
    """Document ids for ``--doc`` values (ids or plain file names)."""
    if not names:
        return None
    documents = assistant.retriever.index.documents()  # type: ignore[attr-defined]
    found = []
    for name in names:
        matches = [d.doc_id for d in documents if name in (d.doc_id, d.source)]
        if not matches:
            raise typer.BadParameter(f"no indexed document named {name!r}", param_hint="--doc")
        found.extend(matches)
    return found


def check_lang(lang: str) -> str:
    if lang not in ("auto", "zh", "en"):
        raise typer.BadParameter("choose zh, en or auto", param_hint="--lang")
    return lang


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    lang: LangOption = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    doc: DocOption = None,
) -> None:
    """Answer one question from the indexed documents, with checked citations."""
    language = check_lang(lang)
    assistant = open_assistant()
    try:
        answer = assistant.ask(question, language=language, doc_ids=doc_ids_for(assistant, doc))
    except EmptyQuestionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from exc
    except (BackendError, ModelMissingError, UnknownModelError) as exc:  # the model loads lazily
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    if as_json:
        typer.echo(json.dumps(answer_to_dict(answer), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.text)
    sources = format_sources(answer)
    if sources:
        typer.echo("\n" + sources)
    typer.echo(f"\n({format_timings(answer)})", err=True)
