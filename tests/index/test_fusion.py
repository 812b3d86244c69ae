"""Fusion of dense and lexical rankings: plain RRF, weighted RRF and weighted min-max."""

from __future__ import annotations

import pytest

from assistant.index import fusion

DENSE = [("a", 0.9), ("b", 0.5), ("c", 0.1)]
LEXICAL = [("c", 12.0), ("a", 6.0)]


def test_rrf_sums_reciprocal_ranks_and_keeps_raw_scores():
    hits = fusion.rrf({"dense": DENSE, "lexical": LEXICAL}, k=60)
    assert [h.item_id for h in hits] == ["a", "c", "b"]
    assert hits[0].score == pytest.approx(1 / 61 + 1 / 62)
    assert hits[0].raw == {"dense": 0.9, "lexical": 6.0}
    assert hits[2].raw == {"dense": 0.5}


def test_rrf_weights_let_one_side_dominate():
    hits = fusion.rrf({"dense": DENSE, "lexical": LEXICAL}, k=60, weights={"dense": 0.1})
    assert hits[0].item_id == "c"


def test_min_max_scales_to_unit_interval_and_handles_no_spread():
    assert fusion.min_max(DENSE) == pytest.approx({"a": 1.0, "b": 0.5, "c": 0.0})
    assert fusion.min_max([("x", 3.0), ("y", 3.0)]) == {"x": 1.0, "y": 1.0}
    assert fusion.min_max([]) == {}


def test_weighted_fusion_respects_score_gaps_and_weights():
    hits = fusion.weighted({"dense": DENSE, "lexical": LEXICAL}, {"dense": 1.0, "lexical": 1.0})
    assert [h.item_id for h in hits] == ["a", "c", "b"]
    assert hits[0].score == pytest.approx(1.0)  # dense 1.0 + lexical 0.0
    heavy = fusion.weighted({"dense": DENSE, "lexical": LEXICAL}, {"dense": 1.0, "lexical": 3.0})
    assert heavy[0].item_id == "c"


def test_ties_break_deterministically_on_id():
    hits = fusion.rrf({"dense": [("b", 1.0)], "lexical": [("a", 1.0)]})
    assert [h.item_id for h in hits] == ["a", "b"]
