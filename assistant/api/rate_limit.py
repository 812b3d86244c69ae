"""Requests per minute per API key: a sliding window, so a burst cannot double the rate at a
window's edge. A refused request is not counted, and says when the next one will be allowed."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, per_minute: int, clock: Callable[[], float] = time.monotonic, window_s: float = 60.0
    ) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, key_name: str) -> float:
        """0 when ``key_name`` may make a request now (it is counted); else seconds to wait."""
        now = self._clock()
        with self._lock:
            seen = self._seen.setdefault(key_name, deque())
            while seen and seen[0] <= now - self.window_s:
                seen.popleft()
            if len(seen) >= self.per_minute:
                return max(0.001, seen[0] + self.window_s - now)
            seen.append(now)
            return 0.0
