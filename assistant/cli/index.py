"""``assistant index check [--repair]`` and ``assistant index stats``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from assistant.cli import app
from assistant.cli.services import open_index
from assistant.config import get_settings
from assistant.index.store import HybridIndex

index_app = typer.Typer(help="Inspect and repair the document index.", no_args_is_help=True)
app.add_typer(index_app, name="index")


def _open() -> HybridIndex:
    from assistant.container import Container

    return open_index(Container(get_settings()))


@index_app.command()
def check(
    repair: Annotated[
        bool, typer.Option("--repair", help="Make Chroma and BM25 match the catalog.")
    ] = False,
) -> None:
    """Compare the catalog's chunk ids with Chroma's and BM25's (exit 1 when they differ)."""
    index = _open()
    try:
        found = index.check()
        for line in found.lines():
            typer.echo(line)
        if repair and not found.ok:
            typer.echo("repairing…")
            found = index.repair()
            for line in found.lines():
                typer.echo(line)
    finally:
        index.close()
    if not found.ok:
        raise typer.Exit(code=1)


@index_app.command()
def stats() -> None:
    """Documents, chunks, embedder and chunk settings of the index."""
    index = _open()
    try:
        typer.echo(json.dumps(index.stats(), indent=2, ensure_ascii=False))
        for doc in index.documents():
            label = doc.symbol or "-"
            typer.echo(f"{doc.doc_id}  {doc.lang}  {label}  {doc.chunk_count} chunks  {doc.title}")
    finally:
        index.close()
