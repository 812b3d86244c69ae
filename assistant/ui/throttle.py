"""Failed admin logins (and failed API keys) slow the next attempt from the same client:
guessing at line speed fails.

Each failure from a client doubles the wait before that client may try again (1 s, 2 s, 4 s …
up to a ceiling); an attempt inside the wait is refused without checking the password, so the
wait cannot be raced with parallel requests. A successful login clears the client's record.
Nothing sleeps on the server: a refused attempt returns at once and holds no worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(
        self,
        base_delay_s: float = 1.0,
        max_delay_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        what: str = "admin login",
    ) -> None:
        self.what = what  # what failed, for the log: "admin login", "API key"
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._clock = clock
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def wait_s(self, client: str) -> float:
        """Seconds ``client`` must still wait before its next attempt (0: may try now)."""
        with self._lock:
            record = self._records.get(client)
            return max(0.0, record.locked_until - self._clock()) if record else 0.0

    def failed(self, client: str) -> float:
        """Record a failed attempt; returns the wait now imposed on ``client``."""
        with self._lock:
            record = self._records.setdefault(client, _Record())
            record.failures += 1
            delay = min(self.max_delay_s, self.base_delay_s * 2 ** (record.failures - 1))
            record.locked_until = self._clock() + delay
        log.warning(
            "Failed %s from %s (%d in a row); next attempt allowed in %.0fs",
            self.what,
            client,
            record.failures,
            delay,
        )
        return delay

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._records.pop(client, None)
