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
    from assistant.cli import commands  # noqa: F401  (registers the command modules)

    app()
