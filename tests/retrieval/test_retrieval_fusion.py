"""Language-routed fusion and the language prior, on hand-made rankings (both languages)."""

from __future__ import annotations

import pytest

from assistant.retrieval import fusion
from assistant.retrieval.routing import language_prior

LANGS = {"zh1": "zh", "zh2": "zh", "en1": "en", "en2": "en"}
SIDES = {"dense": None, "lexical": "en", "crosslingual": "zh"}


def test_keyword_sides_are_normalised_within_their_own_language():
    runs = {
        # An English question: its own tokens score only English passages, on a large scale.
        "lexical": [("en1", 30.0), ("en2", 10.0), ("zh1", 0.0), ("zh2", 0.0)],
        # Its translated tokens score only Chinese passages, on a small one.
        "crosslingual": [("zh1", 3.0), ("zh2", 1.0), ("en1", 0.0), ("en2", 0.0)],
    }
    hits = fusion.routed(runs, {"lexical": 1.0, "crosslingual": 1.0}, LANGS, SIDES)
    scores = {h.item_id: h.score for h in hits}
    assert scores["zh1"] == pytest.approx(1.0) and scores["en1"] == pytest.approx(1.0)
    assert scores["zh2"] == pytest.approx(0.0) and scores["en2"] == pytest.approx(0.0)


def test_prior_moves_the_whole_language_and_raw_scores_survive():
    runs = {
        "dense": [("zh1", 0.5), ("en1", 0.45), ("zh2", 0.3), ("en2", 0.2)],
        "lexical": [("en1", 12.0), ("en2", 2.0)],
    }
    weights = {"dense": 1.0, "lexical": 1.0}
    without = fusion.routed(runs, weights, LANGS, SIDES)
    assert without[0].item_id == "en1"
    with_prior = fusion.routed(runs, weights, LANGS, SIDES, prior={"zh": 2.0, "en": 0.0})
    assert [h.item_id for h in with_prior[:2]] == ["zh1", "zh2"]
    assert with_prior[0].raw == {"dense": 0.5}
    assert {h.item_id for h in with_prior} == set(LANGS)  # passages no side found still rank


def test_language_prior_prefers_the_language_with_the_closer_passages():
    dense = [("zh1", 0.62), ("zh2", 0.55), ("en1", 0.35), ("en2", 0.30)]
    prior = language_prior(dense, LANGS, temperature=0.05)
    assert prior["zh"] > 0.95 and prior["zh"] + prior["en"] == pytest.approx(1.0)
    close = language_prior([*dense[:1], ("en1", 0.61)], LANGS, temperature=0.05)
    assert 0.5 < close["zh"] < 0.6  # nearly a tie: no strong preference
    assert language_prior([], LANGS, temperature=0.05) == {}
    assert language_prior(dense, {"zh1": "zh", "zh2": "zh"}, temperature=0.05) == {"zh": 1.0}


def test_the_fuser_adds_the_dense_prior_and_scales_cosines():
    completed = {
        "dense": [("zh1", 0.40), ("zh2", 0.35), ("en1", 0.20), ("en2", 0.15)],
        "lexical": [("en1", 9.0), ("en2", 1.0)],
    }
    fuser = fusion.RoutedFusion({"dense": 1.0, "lexical": 1.0}, cosine_scale=2.0)
    hits = fuser.fuse(completed, SIDES, ["dense"], LANGS)
    scores = {h.item_id: h.score for h in hits}
    # The dense side says the question is about the Chinese passages: the prior outweighs the
    # English keyword match, and the dense side enters as 2 x cosine, not min-max.
    assert hits[0].item_id == "zh1"
    assert scores["zh1"] - scores["zh2"] == pytest.approx(2 * 0.05)
    no_prior = fusion.RoutedFusion({"dense": 1.0, "lexical": 1.0}, prior_weight=0.0)
    assert no_prior.fuse(completed, SIDES, ["dense"], LANGS)[0].item_id == "en1"
