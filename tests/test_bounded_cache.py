from __future__ import annotations

import threading

import pytest

from assistant.bounded_cache import BoundedCache


def test_a_value_is_computed_once_and_the_least_recently_used_goes_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    calls: list[str] = []

    def compute(key: str) -> int:
        calls.append(key)
        return len(key)

    assert cache.get_or_compute("a", lambda: compute("a")) == 1
    assert cache.get_or_compute("bb", lambda: compute("bb")) == 2
    assert cache.get_or_compute("a", lambda: compute("a")) == 1  # "a" is now the most recent
    cache.get_or_compute("ccc", lambda: compute("ccc"))  # evicts "bb", not "a"
    cache.get_or_compute("a", lambda: compute("a"))
    cache.get_or_compute("bb", lambda: compute("bb"))

    assert calls == ["a", "bb", "ccc", "bb"]
    assert len(cache) == 2


def test_computing_happens_outside_the_lock() -> None:
    cache: BoundedCache[str, str] = BoundedCache(4)
    inside = threading.Event()
    release = threading.Event()

    def slow() -> str:
        inside.set()
        release.wait(5)
        return "slow"

    worker = threading.Thread(target=cache.get_or_compute, args=("slow", slow))
    worker.start()
    assert inside.wait(5)
    assert cache.get_or_compute("fast", lambda: "fast") == "fast"  # not blocked by "slow"
    release.set()
    worker.join(5)
    assert cache.get_or_compute("slow", lambda: "again") == "slow"


def test_a_cache_must_hold_something() -> None:
    with pytest.raises(ValueError, match="at least one"):
        BoundedCache(0)
