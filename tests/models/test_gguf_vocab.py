"""The CJK ban reads the model's own vocabulary from the GGUF file's metadata."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from assistant.models.gguf_vocab import (
    VocabularyError,
    cjk_token_ids,
    read_tokens,
    token_bytes,
    writes_cjk,
)


def _string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def _gguf(path: Path, tokens: list[str], kind: str = "gpt2") -> Path:
    """A GGUF header with a few metadata values before the tokenizer's (no tensors)."""
    kv = [
        _string("general.architecture") + struct.pack("<I", 8) + _string("qwen2"),
        _string("general.file_type") + struct.pack("<I", 4) + struct.pack("<I", 15),
        _string("tokenizer.ggml.model") + struct.pack("<I", 8) + _string(kind),
        _string("tokenizer.ggml.tokens")
        + struct.pack("<IIQ", 9, 8, len(tokens))
        + b"".join(_string(t) for t in tokens),
    ]
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv)) + b"".join(kv))
    return path


def _byte_level(text: str) -> str:
    """How GPT-2's byte-level BPE writes ``text`` as a token string."""
    from assistant.models.gguf_vocab import _byte_decoder

    encoder = {byte: char for char, byte in _byte_decoder().items()}
    return "".join(encoder[b] for b in text.encode("utf-8"))


def test_tokens_are_read_from_the_metadata_and_cjk_ones_found(tmp_path: Path) -> None:
    tokens = [
        _byte_level("Hello"),
        _byte_level(" committee"),
        _byte_level("委员会"),
        _byte_level("。"),
        _byte_level("é"),  # Latin with a diacritic: allowed
        _byte_level("’"),  # typographic apostrophe: allowed
        _byte_level("委")[:1],  # the lead byte of 委 alone (byte fallback): banned
        _byte_level("委")[1:],  # its continuation bytes alone: harmless without the lead
    ]
    path = _gguf(tmp_path / "m.gguf", tokens)
    kind, read = read_tokens(path)
    assert kind == "gpt2" and read == tokens
    assert cjk_token_ids(path) == (2, 3, 6)
    assert token_bytes(tokens[1], kind) == b" committee"


def test_sentencepiece_byte_tokens_and_spaces() -> None:
    assert token_bytes("<0xE5>", "llama") == b"\xe5"
    assert token_bytes("\u2581the", "llama") == b" the"
    assert writes_cjk(b"\xe5") and not writes_cjk(b"\xc3") and writes_cjk("報告".encode())


def test_a_file_that_is_not_gguf_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.gguf"
    path.write_bytes(b"not a model")
    with pytest.raises(VocabularyError, match="not a GGUF file"):
        read_tokens(path)
