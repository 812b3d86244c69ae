"""How many answers the API and the MCP tools generate at once, and how many may wait.

The model answers a few questions at a time (the engine's slots: ``answer_concurrency``). A
request beyond those waits for a slot, as the chat's queue does; but only ``max_waiting`` of
them, each for at most ``max_wait_s``. Any more are turned away at once (``Overloaded``, which
the API answers with 503 and ``Retry-After``) rather than holding a connection and a worker
thread while the queue grows without bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Overloaded(RuntimeError):
    """No answer slot now, and the waiting line is full (or the wait ran out)."""


class AnswerGate:
    def __init__(self, slots: int, max_waiting: int, max_wait_s: float) -> None:
        self.slots = max(1, slots)
        self.max_waiting = max(0, max_waiting)
        self.max_wait_s = max_wait_s
        self.active = 0
        self.waiting = 0
        self.most_active = 0  # the highest number of answers at once, for tests and logs
        self._condition = threading.Condition()

    def acquire(self) -> None:
        """Take a slot, waiting for one if the line is not full; raises ``Overloaded``."""
        deadline = time.monotonic() + self.max_wait_s
        with self._condition:
            if self.active >= self.slots and self.waiting >= self.max_waiting:
                raise Overloaded(f"{self.active} answers running and {self.waiting} waiting")
            self.waiting += 1
            try:
                while self.active >= self.slots:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise Overloaded(f"no answer slot within {self.max_wait_s:.0f}s")
                    self._condition.wait(left)
            finally:
                self.waiting -= 1
            self.active += 1
            self.most_active = max(self.most_active, self.active)

    def release(self) -> None:
        with self._condition:
            self.active -= 1
            self._condition.notify()

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()
