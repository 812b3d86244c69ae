"""How CLI commands get their services from the composition root, with set-up failures (an
index of another embedder, an unreadable index folder, a model that will not load) reported as
one ``error:`` line and exit code 1 instead of a traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from assistant.config import Settings, get_settings

if TYPE_CHECKING:
    from assistant.container import Container
    from assistant.document_service import DocumentService
    from assistant.index.store import HybridIndex


def open_container() -> Container:
    """The configured services with the assistant built, or a clear message and exit code 1."""
    from assistant.container import Container

    container = Container(get_settings())
    try:
        container.assistant  # noqa: B018  (built now, so that a set-up failure is reported here)
    except Exception as exc:  # any set-up failure is the user's to fix: say what it was
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    return container


def open_index(container: Container) -> HybridIndex:
    """The container's index, opened now; a mismatch or a storage failure exits with code 1."""
    from assistant.index.build_manifest import IndexMismatchError
    from assistant.index.factory import storage_errors
    from assistant.models.st_embedder import EmbedderUnavailableError

    settings: Settings = container.settings
    try:
        return container.index
    except (IndexMismatchError, EmbedderUnavailableError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    except storage_errors() as exc:
        typer.echo(f"error: cannot open the index in {settings.paths.index_dir}: {exc}", err=True)
        raise typer.Exit(code=1) from exc


def doc_ids_for(documents: DocumentService, names: list[str] | None) -> list[str] | None:
    """Document ids for ``--doc`` values (ids or plain file names)."""
    from assistant.document_service import UnknownDocumentError

    if not names:
        return None
    try:
        return documents.resolve(names)
    except UnknownDocumentError as exc:
        raise typer.BadParameter(str(exc), param_hint="--doc") from exc
