"""Replace a file of the index atomically, and leave nothing behind when writing it fails.

Readers in other processes must never see half a file, so each write goes to a temporary file
beside the target (one per process: two writers never share it) that replaces the target only
once it is complete. When the write fails (a full disk), the temporary file is removed: it
must not keep holding the space that ``assistant index check --repair`` will need.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def staged_file(target: Path) -> Iterator[Path]:
    """A temporary path to write ``target``'s new content to; it becomes ``target`` when the
    block ends, and is removed if the block raises. The suffix is kept (``np.save`` adds
    ``.npy`` to a name without it)."""
    tmp = target.with_name(f"{target.stem}.{os.getpid()}.tmp{target.suffix}")
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)
