"""``assistant models list|pull|verify|path``: the model manager from the command line."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.config import get_settings
from assistant.models.manager import ModelManager, ModelMissingError, PullError
from assistant.models.model_manifest import UnknownModelError

models_app = typer.Typer(
    help="Download, verify and locate the local LLM files.", no_args_is_help=True
)
app.add_typer(models_app, name="models")

_NAME = typer.Argument("default", help="A model name from the manifest: default or small.")


def _manager() -> ModelManager:
    return ModelManager.from_settings(get_settings())


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


@models_app.command("list")
def list_models() -> None:
    """Known models, and which are present and verified in the models directory."""
    manager = _manager()
    typer.echo(f"models directory: {manager.models_dir}")
    for status in manager.list():
        if not status.present:
            state = "not pulled"
        elif status.verified is None:
            state = "present (unchecked: run `assistant models verify`)"
        else:
            state = "verified" if status.verified else "CORRUPT (pull again)"
        entry = status.entry
        typer.echo(
            f"{status.name:<10} {entry.display_name} {entry.quantization}, "
            f"{entry.size / 1e9:.2f} GB, {entry.licence}: {state}"
        )


@models_app.command()
def pull(
    name: str = _NAME,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Fetch a model once (no-op when a verified copy is already there)."""
    try:
        path = _manager().pull(name, progress=not quiet)
    except (UnknownModelError, PullError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(str(path))


@models_app.command()
def verify(name: str = _NAME) -> None:
    """Re-hash a pulled model and compare it with the manifest."""
    manager = _manager()
    try:
        ok = manager.verify(name)
    except (UnknownModelError, ModelMissingError) as exc:
        raise _fail(str(exc)) from exc
    if not ok:
        raise _fail(
            f"{manager.path(name)} does not match the manifest: run `assistant models pull {name}`"
        )
    typer.echo(f"{name}: OK ({manager.path(name)})")


@models_app.command()
def path(name: str = _NAME) -> None:
    """Print where a model's file is (or will be once pulled)."""
    try:
        typer.echo(str(_manager().path(name)))
    except UnknownModelError as exc:
        raise _fail(str(exc)) from exc
