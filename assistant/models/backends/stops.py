"""Stop strings for backends whose streamers do not apply them.

A stop string can arrive split across deltas ("<|im" then "_end|>"), so text that might be the
start of a stop string is held back until the next delta decides it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def apply_stops(deltas: Iterable[str], stops: Iterable[str]) -> Iterator[str]:
    """Pass ``deltas`` through, ending just before the first occurrence of any stop string."""
    stops = [s for s in stops if s]
    if not stops:
        yield from deltas
        return
    pending = ""
    for delta in deltas:
        pending += delta
        cut = min((i for i in (pending.find(s) for s in stops) if i >= 0), default=-1)
        if cut >= 0:
            if cut:
                yield pending[:cut]
            return
        keep = _longest_stop_prefix_suffix(pending, stops)
        if len(pending) > keep:
            yield pending[: len(pending) - keep]
            pending = pending[len(pending) - keep :]
    if pending:
        yield pending


def _longest_stop_prefix_suffix(text: str, stops: list[str]) -> int:
    """Length of the longest end of ``text`` that is a proper prefix of some stop string."""
    best = 0
    for stop in stops:
        for size in range(min(len(stop) - 1, len(text)), best, -1):
            if text.endswith(stop[:size]):
                best = size
                break
    return best
