"""The token vocabulary of a GGUF model file, and the tokens that write CJK characters.

An English answer must not contain a CJK character. A grammar that excludes them works but made
decoding 12-20x slower on the engine (every step checks the whole vocabulary against it), so the
engine bans those tokens with a logit bias instead: every token whose bytes hold a CJK
character, or the lead byte of one (a CJK character may be written as a byte-fallback token
followed by continuation bytes). The tokens are read from the file's own metadata
(``tokenizer.ggml.tokens``), so the ban fits whatever model is loaded.
"""

from __future__ import annotations

import struct
from functools import cache
from pathlib import Path
from typing import BinaryIO

from assistant.text.cjk import has_han, is_cjk

_MAGIC = b"GGUF"
_TOKENS_KEY = "tokenizer.ggml.tokens"
_MODEL_KEY = "tokenizer.ggml.model"
# GGUF metadata value types and the struct format of the fixed-size ones.
_FIXED = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9
# UTF-8 lead bytes of the three-byte sequences U+3000-U+9FFF (CJK symbols, kana, ideographs)
# and U+F000-U+FFFF (compatibility ideographs, full-width forms).
_CJK_LEAD_BYTES = frozenset({0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEF})


class VocabularyError(ValueError):
    """The file is not a GGUF model with a token list."""


def read_tokens(path: Path) -> tuple[str, list[str]]:
    """The tokenizer's kind (``gpt2`` for byte-level BPE, ``llama`` for SentencePiece) and its
    token strings, in id order, from a GGUF file's metadata."""
    with path.open("rb") as stream:
        if stream.read(4) != _MAGIC:
            raise VocabularyError(f"{path} is not a GGUF file")
        _version, _tensors, count = struct.unpack("<IQQ", stream.read(20))
        kind, tokens = "", None
        for _ in range(count):
            key = _string(stream)
            value_type = struct.unpack("<I", stream.read(4))[0]
            value = _value(stream, value_type)
            if key == _MODEL_KEY:
                kind = str(value)
            elif key == _TOKENS_KEY:
                if not isinstance(value, list):
                    raise VocabularyError(f"{path}: {_TOKENS_KEY} is not a list")
                tokens = value
            if kind and tokens is not None:
                break
    if tokens is None:
        raise VocabularyError(f"{path} holds no {_TOKENS_KEY}")
    return kind, [str(token) for token in tokens]


def _string(stream: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", stream.read(8))
    return stream.read(length).decode("utf-8", "replace")


def _value(stream: BinaryIO, value_type: int) -> object:
    if value_type in _FIXED:
        fmt = "<" + _FIXED[value_type]
        return struct.unpack(fmt, stream.read(struct.calcsize(fmt)))[0]
    if value_type == _STRING:
        return _string(stream)
    if value_type == _ARRAY:
        item_type, length = struct.unpack("<IQ", stream.read(12))
        return [_value(stream, item_type) for _ in range(length)]
    raise VocabularyError(f"unknown GGUF value type {value_type}")


@cache
def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level BPE alphabet: the printable character standing for each byte."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    chars = list(printable)
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            chars.append(256 + extra)
            extra += 1
    return {chr(char): byte for byte, char in zip(printable, chars, strict=True)}


def token_bytes(token: str, kind: str) -> bytes:
    """The bytes a token writes (byte-level BPE decoded; SentencePiece's byte tokens too)."""
    if kind == "gpt2":
        decoder = _byte_decoder()
        if all(ch in decoder for ch in token):
            return bytes(decoder[ch] for ch in token)
    if len(token) == 6 and token.startswith("<0x") and token.endswith(">"):
        return bytes([int(token[3:5], 16)])
    return token.replace("\u2581", " ").encode("utf-8")


def writes_cjk(data: bytes) -> bool:
    """Whether a token's bytes hold a CJK character, or the lead byte of one."""
    text = data.decode("utf-8", "ignore")
    if has_han(text) or any(is_cjk(ch) for ch in text):
        return True
    return any(byte in _CJK_LEAD_BYTES for byte in data)


@cache
def cjk_token_ids(path: Path) -> tuple[int, ...]:
    """Ids of the tokens of the model at ``path`` that write CJK characters (read once)."""
    kind, tokens = read_tokens(path)
    return tuple(i for i, token in enumerate(tokens) if writes_cjk(token_bytes(token, kind)))
