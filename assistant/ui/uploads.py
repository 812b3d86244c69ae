"""Put uploaded files into ``<corpus>/uploads`` under safe names, and undo that when one fails.

Browsers send whatever file name the user's disk had, including ``../../x`` or ``C:\\x``; only
the last path component survives, cleaned to letters (any script), digits, ``-``, ``_`` and
``.``. A file that replaces an earlier upload of the same name is kept in memory until its
ingestion succeeds, so a failed update leaves the earlier version both on disk and in the index.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.ingest.shared_uploads import UPLOADS_SUBDIR

ALLOWED_SUFFIXES = tuple(sorted(SUPPORTED_SUFFIXES))
_MAX_STEM = 100


class UploadRejected(ValueError):
    """The file cannot be stored (type, size); the message is for the user."""


def sanitize_filename(name: str) -> str:
    """A safe file name from a browser-supplied one; keeps the suffix, lower-cased."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if ch.isprintable())
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w\-.]+", "_", stem)
    stem = re.sub(r"[._-]{2,}", "_", stem).strip("._-")[:_MAX_STEM] or "upload"
    suffix = re.sub(r"[^\w]", "", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def uploads_dir(corpus_dir: Path) -> Path:
    return Path(corpus_dir) / UPLOADS_SUBDIR


@dataclass
class StoredUpload:
    original_name: str
    path: Path
    previous: bytes | None  # the earlier file of the same name, restored if ingestion fails

    def roll_back(self) -> None:
        """Restore the earlier version, or remove a file that never made it into the index."""
        if self.previous is not None:
            self.path.write_bytes(self.previous)
        else:
            self.path.unlink(missing_ok=True)


def store_upload(source: Path, original_name: str, corpus_dir: Path, max_mb: int) -> StoredUpload:
    """Copy ``source`` into the uploads folder under a sanitised name; raises UploadRejected."""
    name = sanitize_filename(original_name)
    if not name.endswith(ALLOWED_SUFFIXES):
        raise UploadRejected("bad_type")
    if source.stat().st_size > max_mb * 1024 * 1024:
        raise UploadRejected("too_big")
    target_dir = uploads_dir(corpus_dir).resolve()
    target = (target_dir / name).resolve()
    if target.parent != target_dir:  # belt and braces: sanitize_filename already forbids this
        raise UploadRejected("bad_type")
    target_dir.mkdir(parents=True, exist_ok=True)
    previous = target.read_bytes() if target.is_file() else None
    shutil.copyfile(source, target)
    return StoredUpload(original_name=original_name, path=target, previous=previous)
