"""A small thread-safe least-recently-used cache whose values are computed outside its lock.

``functools.lru_cache`` holds no per-instance state and cannot key on an index's state, and it
would serialise nothing: two threads asking for the same missing key both compute it, which is
the right trade for the cheap, pure values cached here (query vectors, prepared queries, figure
kinds). What it must not do is hold a lock while an embedder runs, so computing happens unlocked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class BoundedCache(Generic[Key, Value]):
    """At most ``size`` values; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a cache holds at least one value, not {size}")
        self.size = size
        self._values: OrderedDict[Key, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Key, compute: Callable[[], Value]) -> Value:
        """The cached value of ``key``, or ``compute()``'s, remembered."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
