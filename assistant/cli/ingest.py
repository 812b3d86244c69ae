"""``assistant ingest [PATHS...] [--rebuild]``: index documents, doing only the needed work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import app
from assistant.cli.services import open_index
from assistant.config import get_settings
from assistant.index.factory import storage_errors


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders (PDF, Word .docx, HTML, TXT, MD); default: the corpus folder."
        ),
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Start a fresh index (after changing embedder or chunks)."),
    ] = False,
) -> None:
    """Index new and changed documents; remove documents whose files are gone."""
    settings = get_settings()
    targets = paths or [settings.paths.corpus_dir]
    from assistant.container import Container

    container = Container(settings, rebuild=rebuild)
    open_index(container)  # now, so that a mismatch is reported before any work
    try:
        report = container.ingest(targets)
    except storage_errors() as exc:
        typer.echo(
            f"error: writing the index in {settings.paths.index_dir} failed: {exc}. Documents "
            "written before the failure are kept; free space or fix permissions, then run "
            "`assistant index check --repair` and ingest again.",
            err=True,
        )
        raise typer.Exit(code=1) from exc
    finally:
        container.close()
    for label, ids in (
        ("added", report.added),
        ("updated", report.updated),
        ("removed", report.removed),
    ):
        for doc_id in ids:
            typer.echo(f"{label:>8}  {doc_id}")
    for path, reason in report.failed:
        typer.echo(f"  failed  {path}: {reason}", err=True)
    for path in report.skipped:
        typer.echo(f" skipped  {path}: unsupported file type", err=True)
    typer.echo(report.summary())
    typer.echo(f"index: {settings.paths.index_dir}")
