"""What an evaluation run was measured with: commit, model, embedder, index, prompts, settings.

Two runs are only comparable when their stamps say what differed; these helpers collect the
stamp without the runner knowing how each component is built (the pipeline objects are read
through the attribute names the components expose, and a missing one is recorded as ``None``).
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_ROOT, Settings

logger = logging.getLogger(__name__)

_MODEL_ATTRS = ("chat_model", "model", "llm")
_RETRIEVER_ATTRS = ("retriever",)
_INDEX_ATTRS = ("index", "store")
_EMBEDDER_ATTRS = ("embedder",)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def git_state(repo: Path = PROJECT_ROOT) -> dict[str, Any]:
    """The commit checked out and whether the working tree differs from it."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(repo), *args],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            logger.warning("git %s failed: %s", " ".join(args), exc)
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def prompt_file_hashes(prompts_dir: Path) -> dict[str, str]:
    """sha256 of every prompt file, by path relative to the prompts folder."""
    if not prompts_dir.is_dir():
        return {}
    return {
        str(path.relative_to(prompts_dir)): sha256_file(path)
        for path in sorted(prompts_dir.rglob("*"))
        if path.is_file()
    }


def settings_dump(settings: Settings) -> dict[str, Any]:
    """Every setting as JSON; secrets (``SecretStr``) come out masked by pydantic."""
    return settings.model_dump(mode="json")


def _first_attr(obj: Any, names: Iterable[str]) -> Any:
    for name in names:
        value = getattr(obj, name, None)
        if value is not None and not isinstance(value, str | int | float):
            return value
    return None


def describe_pipeline(target: Any) -> dict[str, Any]:
    """Model name and fingerprint, embedder name and index fingerprint, where reachable."""
    model = _first_attr(target, _MODEL_ATTRS)
    retriever = target if hasattr(target, "search") else _first_attr(target, _RETRIEVER_ATTRS)
    index = _first_attr(retriever, _INDEX_ATTRS) if retriever is not None else None
    embedder = None
    for holder in (retriever, index):
        if holder is not None and embedder is None:
            embedder = _first_attr(holder, _EMBEDDER_ATTRS)
    fingerprint = getattr(index, "fingerprint", None) if index is not None else None
    return {
        "model": getattr(model, "name", None) if model is not None else None,
        "model_sha256": getattr(model, "fingerprint", None) if model is not None else None,
        "embedder": getattr(embedder, "name", None) if embedder is not None else None,
        "index_fingerprint": fingerprint() if callable(fingerprint) else fingerprint,
    }
