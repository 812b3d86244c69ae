"""Fusion helpers: min-max normalisation, single-side hits and deterministic ties."""

from __future__ import annotations

import pytest

from assistant.retrieval import fusion

DENSE = [("a", 0.9), ("b", 0.5), ("c", 0.1)]


def test_min_max_scales_to_unit_interval_and_handles_no_spread():
    assert fusion.min_max(DENSE) == pytest.approx({"a": 1.0, "b": 0.5, "c": 0.0})
    assert fusion.min_max([("x", 3.0), ("y", 3.0)]) == {"x": 1.0, "y": 1.0}
    assert fusion.min_max([]) == {}


def test_a_single_side_keeps_its_order_and_raw_scores():
    hits = fusion.single("dense", DENSE)
    assert [h.item_id for h in hits] == ["a", "b", "c"]
    assert hits[1].score == 0.5 and hits[1].raw == {"dense": 0.5}


def test_ties_break_deterministically_on_id():
    languages = {"a": "en", "b": "en"}
    hits = fusion.routed(
        {"dense": [("b", 1.0)], "lexical": [("a", 1.0)]},
        {"dense": 1.0, "lexical": 1.0},
        languages,
        {"dense": None, "lexical": "en"},
    )
    assert [h.item_id for h in hits] == ["a", "b"]
