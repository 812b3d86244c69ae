"""``assistant doctor``: check the CPU, engine, models, one generation and the index."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.config import get_settings
from assistant.doctor import run_checks


@app.command()
def doctor() -> None:
    """Say whether this machine can answer questions, and how to fix what stops it."""
    failed = 0
    for result in run_checks(get_settings()):
        mark = "ok  " if result.ok else "FAIL"
        typer.echo(f"[{mark}] {result.name}: {result.detail}")
        if not result.ok:
            failed += 1
            if result.fix:
                typer.echo(f"       fix: {result.fix}")
    if failed:
        typer.echo(f"{failed} check(s) failed.", err=True)
        raise typer.Exit(code=1)
    typer.echo("All checks passed.")
