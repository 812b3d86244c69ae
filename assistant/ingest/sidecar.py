"""Metadata the text cannot tell: a ``documents.yaml`` beside the files overrides what was guessed.

PDF extraction often loses the UN symbol (A/73/866 sits in the page header that the cleaner drops)
and statements have no title line. A curator can state them once, per file name:

    002_8cdbc4ed2a739b7c.txt:
      symbol: A/73/866
      title: 关于如何评估……的备选办法
      date: 2019-04-24

The nearest ``documents.yaml`` walking up from the file to the ingested root wins.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import yaml

SIDECAR_NAME = "documents.yaml"
FIELDS = ("title", "symbol", "date")

log = logging.getLogger(__name__)


def overrides_for(path: Path, root: Path) -> dict[str, str]:
    """The curated fields for ``path`` (only ``title``, ``symbol``, ``date``), or ``{}``."""
    path, root = Path(path).resolve(), Path(root).resolve()
    for folder in [path.parent, *path.parent.parents]:
        sidecar = folder / SIDECAR_NAME
        if sidecar.is_file():
            entry = _read(sidecar, sidecar.stat().st_mtime_ns).get(path.name)
            if entry:
                return entry
        if folder == root or root not in folder.parents:
            break
    return {}


@lru_cache(maxsize=32)
def _read(sidecar: Path, _mtime_ns: int) -> dict[str, dict[str, str]]:
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        log.warning("ignoring %s: %s", sidecar, exc)
        return {}
    if not isinstance(data, dict):
        log.warning("ignoring %s: expected a mapping of file name to fields", sidecar)
        return {}
    return {
        str(name): {key: str(value) for key, value in fields.items() if key in FIELDS}
        for name, fields in data.items()
        if isinstance(fields, dict)
    }
