"""``assistant api-key``: create and list the keys of the OpenAI-compatible API and ``/mcp``.

``add NAME`` prints a new key once and stores only its SHA-256 with the name in the keys file
(``api.keys_file``); the app reads the file when it starts. ``list`` shows the names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import app
from assistant.config import get_settings

api_key_app = typer.Typer(help="Keys for the OpenAI-compatible API and the MCP server at /mcp.")
app.add_typer(api_key_app, name="api-key")


def _keys_file() -> Path:
    path = get_settings().api.keys_file
    if path is None:
        typer.echo("error: no keys file is configured (api.keys_file)", err=True)
        raise typer.Exit(code=1)
    return Path(path)


@api_key_app.command("add")
def add(name: Annotated[str, typer.Argument(help="Who holds the key (shown in logs).")]) -> None:
    """Create a key for NAME; it is printed once, only its hash is kept."""
    from assistant.api.keys import ApiKeyError, add_key

    path = _keys_file()
    try:
        key = add_key(path, name)
    except ApiKeyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(key)
    typer.echo(
        f"(key {name!r} added to {path}; it is not shown again. Restart the app to use it.)",
        err=True,
    )


@api_key_app.command("list")
def list_keys() -> None:
    """The names of the configured keys (from the settings and the keys file)."""
    from assistant.api.keys import KeyRing

    ring = KeyRing.from_settings(get_settings().api)
    if not ring.enabled:
        typer.echo("No API key: the API is off. Add one with `assistant api-key add NAME`.")
    for name in ring.names:
        typer.echo(name)
