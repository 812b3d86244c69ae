"""``index_dir/manifest.json``: what an index was built with, checked every time it is opened.

Vectors from two embedders live in different spaces, and chunks cut with two chunk settings
answer differently; mixing either silently corrupts retrieval. So an index remembers its
embedder (name and dimension), chunk settings and tokenizer version, and opening it with a
different embedder or chunk settings is refused with a message saying how to rebuild. A
tokenizer change is not refused: tokens are re-derived from the stored chunk texts instead.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.index.staged_file import staged_file

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1


class IndexMismatchError(RuntimeError):
    """The index on disk was built with another embedder or chunker; it must be rebuilt."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Manifest:
    embedder_name: str
    embedder_dimension: int
    chunking: dict[str, Any]
    tokenizer_version: str
    fingerprint: str = ""
    # The catalog version BM25 was last built from: a shared catalog (PostgreSQL) moves it
    # whenever any host writes, and this host then rebuilds its local BM25 cache.
    catalog_version: int = -1
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    format_version: int = FORMAT_VERSION

    @classmethod
    def read(cls, index_dir: Path) -> Manifest | None:
        path = index_dir / MANIFEST_NAME
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def write(self, index_dir: Path) -> None:
        """Write atomically, so a crash never leaves half a manifest."""
        index_dir.mkdir(parents=True, exist_ok=True)
        with staged_file(index_dir / MANIFEST_NAME) as tmp:
            tmp.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), "utf-8")

    def check_compatible(
        self,
        embedder_name: str,
        embedder_dimension: int,
        chunking: dict[str, Any],
        where: Path | str,
    ) -> None:
        """Raise ``IndexMismatchError`` unless the index was built the way it is now configured."""
        rebuild = (
            "Rebuild it with `assistant ingest --rebuild` (or point paths.index_dir elsewhere)."
        )
        if self.format_version != FORMAT_VERSION:
            raise IndexMismatchError(
                f"The index in {where} has format {self.format_version}, this version reads "
                f"format {FORMAT_VERSION}. {rebuild}"
            )
        if (self.embedder_name, self.embedder_dimension) != (embedder_name, embedder_dimension):
            raise IndexMismatchError(
                f"The index in {where} was built with embedder '{self.embedder_name}' "
                f"({self.embedder_dimension}-dim) but '{embedder_name}' ({embedder_dimension}-dim) "
                f"is configured; vectors of different embedders cannot be mixed. {rebuild}"
            )
        if self.chunking != chunking:
            raise IndexMismatchError(
                f"The index in {where} was built with chunk settings {self.chunking} but "
                f"{chunking} are configured. {rebuild}"
            )
