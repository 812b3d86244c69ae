"""API keys: generated at random, stored only as their SHA-256, each with a holder's name.

A key is 32 random bytes, so a fast hash is enough to keep it safe at rest (nothing short of
the key itself hashes to its digest; slow password hashes are for guessable secrets). Keys are
compared digest to digest in constant time. Logs name the key's holder, never the key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from assistant.config import ApiKeySetting, ApiSettings

log = logging.getLogger(__name__)

KEY_PREFIX = "una-"  # recognisable in a config file or a leaked paste
_LINE = re.compile(r"^\s*([^:#\s][^:]*?)\s*:\s*([0-9a-f]{64})\s*$")
_NAME = re.compile(r"^[\w.@-]{1,64}$")


class ApiKeyError(ValueError):
    """A key file or key name that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class ApiKey:
    name: str
    sha256: str


def generate_key() -> str:
    """A new random key (shown to its holder once, then only its digest is kept)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ApiKeyError(
            f"key name {name!r}: use 1 to 64 letters, digits and . _ @ - (who holds the key)"
        )
    return name


def read_key_file(path: Path) -> list[ApiKey]:
    """The ``name:sha256`` lines of ``path`` (``#`` starts a comment); a missing file: none."""
    if not path.is_file():
        return []
    keys = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            log.error("%s line %d is not `name:sha256`; the line is ignored", path, number)
            continue
        keys.append(ApiKey(match.group(1), match.group(2)))
    return keys


def add_key(path: Path, name: str) -> str:
    """Create a key for ``name``, append its digest to ``path`` and return the key itself."""
    check_name(name)
    if any(k.name == name for k in read_key_file(path)):
        raise ApiKeyError(f"{path} already has a key named {name!r}: choose another name")
    key = generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    new_file = not path.exists()
    with path.open("a", encoding="utf-8") as handle:
        if new_file:
            handle.write("# API keys of the assistant: name:sha256 of the key (never the key)\n")
        handle.write(f"{name}:{digest(key)}\n")
    path.chmod(0o600)
    return key


class KeyRing:
    """The configured keys: identifies a presented key by its holder's name."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self._keys = list(keys)

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> KeyRing:
        keys = [ApiKey(k.name, k.sha256) for k in settings.keys]
        if settings.keys_file is not None:
            keys += read_key_file(Path(settings.keys_file))
        return cls(keys)

    @property
    def enabled(self) -> bool:
        """Whether any key is configured (the API is off until one is)."""
        return bool(self._keys)

    @property
    def names(self) -> list[str]:
        return [k.name for k in self._keys]

    def identify(self, presented: str | None) -> str | None:
        """The name of the key ``presented`` is, or None; every digest is compared in full."""
        if not presented:
            return None
        found = None
        presented_digest = digest(presented)
        for key in self._keys:
            if hmac.compare_digest(presented_digest, key.sha256):
                found = found or key.name
        return found


def key_setting(name: str, key: str) -> ApiKeySetting:
    """The settings entry for ``key`` (for ``api.keys`` in a YAML file, or a test)."""
    return ApiKeySetting(name=check_name(name), sha256=digest(key))
