"""``assistant audit [--limit N]``: the admin audit log, newest first, from the catalog.

Logins (and refused ones), uploads and deletions through the app, with the host that did them:
with a PostgreSQL catalog, one trail for every app host. Reads the catalog only (no embedder,
no Chroma), so it answers at once.
"""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import app
from assistant.config import get_settings
from assistant.index.catalog import CatalogError, open_catalog


@app.command()
def audit(
    limit: Annotated[int, typer.Option(min=1, help="How many entries, newest first.")] = 50,
) -> None:
    """Print the admin audit log: time, host, who, action, target and detail."""
    settings = get_settings()
    try:
        catalog = open_catalog(settings, settings.paths.index_dir)
    except CatalogError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    try:
        entries = catalog.audit_log(limit)
    finally:
        catalog.close()
    if not entries:
        typer.echo("no admin actions recorded")
    for entry in entries:
        detail = f"  ({entry.detail})" if entry.detail else ""
        typer.echo(
            f"{entry.at}  {entry.host}  {entry.actor}  {entry.action}  {entry.target}{detail}"
        )
