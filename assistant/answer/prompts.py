"""Prompt files loaded by name and language, with a hash per file for reproducibility.

Prompts live in ``prompts/<lang>/<name>.md`` (or ``.txt`` for lists), never in code, so that a
reviewer can read and change them without touching logic. Every answer records the sha256 of
each prompt it used; the evaluation runs compare those hashes, so a prompt edit is never an
unexplained change in scores.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_SUFFIXES = (".md", ".txt")


class PromptError(LookupError):
    """A prompt file is missing or a template was rendered without one of its placeholders."""


@dataclass(frozen=True)
class Prompt:
    name: str
    lang: str
    text: str
    sha256: str

    @property
    def key(self) -> str:
        """How the prompt is named in ``Answer.prompt_hashes``: ``"en/system"``."""
        return f"{self.lang}/{self.name}"

    def render(self, **values: str) -> str:
        """Fill ``{placeholders}``; braces in the values are left alone.

        A regex instead of ``str.format`` so that values (passage text, questions) may contain
        braces, and so that a placeholder left unfilled is an error rather than a silent gap.
        """

        def fill(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in values:
                raise PromptError(f"prompt {self.key} needs a value for {{{key}}}")
            return values[key]

        return _PLACEHOLDER.sub(fill, self.text)

    def lines(self) -> list[str]:
        """Non-empty lines, for list files such as the model-refusal phrases."""
        return [line.strip() for line in self.text.splitlines() if line.strip()]


class PromptLibrary:
    """Reads prompt files on first use and caches them for the life of the process."""

    def __init__(self, prompts_dir: Path) -> None:
        self.prompts_dir = Path(prompts_dir)
        self._cache: dict[tuple[str, str], Prompt] = {}

    def get(self, name: str, lang: str) -> Prompt:
        """The prompt ``name`` in language ``lang`` ("zh" or "en")."""
        key = (name, lang)
        if key not in self._cache:
            self._cache[key] = self._load(name, lang)
        return self._cache[key]

    def _load(self, name: str, lang: str) -> Prompt:
        for suffix in _SUFFIXES:
            path = self.prompts_dir / lang / f"{name}{suffix}"
            if path.is_file():
                raw = path.read_bytes()
                text = raw.decode("utf-8").strip("\n")
                return Prompt(name, lang, text, hashlib.sha256(raw).hexdigest())
        raise PromptError(f"no prompt {lang}/{name} (.md or .txt) in {self.prompts_dir}")

    def all_hashes(self) -> dict[str, str]:
        """Hashes of every prompt file on disk, for run manifests that want the whole set."""
        hashes: dict[str, str] = {}
        for path in sorted(self.prompts_dir.glob("*/*")):
            if path.suffix in _SUFFIXES and path.is_file():
                key = f"{path.parent.name}/{path.stem}"
                hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        return hashes


def record(used: dict[str, str], *prompts: Prompt) -> None:
    """Add the prompts to an answer's ``prompt_hashes``."""
    for prompt in prompts:
        used[prompt.key] = prompt.sha256
