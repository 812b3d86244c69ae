"""Keep this host's ``<corpus>/uploads`` in step with the uploads the catalog stores.

An upload through any host's app is stored with its document in the catalog (its bytes too).
With a shared catalog, another host's corpus folder lacks that file; an ``assistant ingest`` of
the corpus there would otherwise never see it, and a deletion on one host would leave the file
on the others to be ingested again. So every ingest first writes the catalog's uploads this
host lacks or holds in another version, and removes local copies of deleted uploads (only a
copy equal to the deleted version: a newer local file is left to be ingested).

Files named by the ingest itself (a fresh upload on this host, not yet in the catalog) are left
alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.index.catalog import Catalog

logger = logging.getLogger(__name__)

UPLOADS_SUBDIR = "uploads"


@dataclass
class UploadSync:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def upload_path(doc_id: str) -> bool:
    """Whether a document id (relative to the corpus folder) is an upload's."""
    parts = Path(doc_id).parts
    return len(parts) == 2 and parts[0] == UPLOADS_SUBDIR


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def sync_uploads(catalog: Catalog, corpus_dir: Path, keep: Iterable[Path] = ()) -> UploadSync:
    """Write and remove files under ``<corpus_dir>/uploads`` as the catalog says."""
    done = UploadSync()
    folder = (Path(corpus_dir) / UPLOADS_SUBDIR).resolve()
    untouchable = {Path(p).resolve() for p in keep}
    for stored in catalog.files():
        target = (Path(corpus_dir) / stored.path).resolve()
        if target.parent != folder or not upload_path(stored.path):
            logger.warning("Catalog upload %r is not under %s; ignored", stored.path, folder)
            continue
        if target in untouchable:
            continue
        local = _sha256(target)
        if stored.deleted:
            if local == stored.sha256:
                target.unlink(missing_ok=True)
                done.removed.append(stored.path)
            continue
        if local == stored.sha256:
            continue
        content = catalog.file_content(stored.path)
        if content is None:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        tmp.write_bytes(content)
        os.replace(tmp, target)
        done.written.append(stored.path)
    if done.written or done.removed:
        logger.info(
            "Uploads from the catalog: %d written, %d removed in %s",
            len(done.written),
            len(done.removed),
            folder,
        )
    return done
