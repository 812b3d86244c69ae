"""The ``assistant`` command line: a thin front door over the package's services.

Each command group lives in its own module and registers itself on ``app`` below.
"""

from __future__ import annotations

import typer

from assistant.logging_setup import configure_logging

app = typer.Typer(
    help="Offline bilingual (中文/English) question answering over UN documents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging."),
) -> None:
    configure_logging(verbose=verbose)


def main() -> None:
    """Run a command; settings that cannot be read end it with one line saying which."""
    from pydantic import ValidationError

    from assistant.cli import commands  # noqa: F401  (registers the command modules)
    from assistant.config import SettingsError

    try:
        app()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        typer.echo(f"error: invalid settings: {problems}", err=True)
        raise SystemExit(2) from exc
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from exc
