"""``assistant ask "…"``: one question, the checked answer and its sources (or ``--json``),
optionally written to a Word or Markdown file as well (``--export answer.docx``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.answer.present import answer_to_dict, format_sources, format_timings
from assistant.answer.question_input import EmptyQuestionError
from assistant.cli import app
from assistant.cli.services import doc_ids_for, open_container
from assistant.export import FORMATS, write_export
from assistant.export.exchange import Exchange
from assistant.models.backends.base import BackendError
from assistant.models.manager import ModelMissingError
from assistant.models.model_manifest import UnknownModelError

LangOption = Annotated[
    str, typer.Option("--lang", help="Answer language: zh, en or auto (the question's).")
]
DocOption = Annotated[
    list[str] | None, typer.Option("--doc", help="Only this document (file name or id).")
]
ExportOption = Annotated[
    Path | None,
    typer.Option(
        "--export",
        help="Also write the question, answer and sources to this .docx (Word) or .md file.",
    ),
]


def check_export(path: Path | None) -> Path | None:
    """The export file, checked before the question is answered (a wrong name costs nothing)."""
    if path is not None and path.suffix.lower() not in FORMATS:
        raise typer.BadParameter(
            f"{path.name}: name the file .docx (Word) or .md (Markdown)", param_hint="--export"
        )
    return path


def export_to(path: Path, exchanges: list[Exchange]) -> None:
    try:
        write_export(path, exchanges)
    except OSError as exc:
        typer.echo(f"error: cannot write {path}: {exc.strerror or exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"(written to {path})", err=True)


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
    export: ExportOption = None,
) -> None:
    """Answer one question from the indexed documents, with checked citations."""
    language = check_lang(lang)
    export = check_export(export)
    container = open_container()
    doc_ids = doc_ids_for(container.documents, doc)
    try:
        answer = container.assistant.ask(question, language=language, doc_ids=doc_ids)
    except EmptyQuestionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from exc
    except (BackendError, ModelMissingError, UnknownModelError) as exc:  # the model loads lazily
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    for warning in answer.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if export is not None:
        export_to(export, [Exchange(answer.question, answer)])
    if as_json:
        typer.echo(json.dumps(answer_to_dict(answer), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.text)
    sources = format_sources(answer)
    if sources:
        typer.echo("\n" + sources)
    typer.echo(f"\n({format_timings(answer)})", err=True)
