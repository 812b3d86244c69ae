"""The refusal threshold is chosen from data, with the curve recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import read_calibration
from assistant.eval.calibration import calibrate, evaluate_threshold


def test_picks_the_threshold_that_separates_the_classes() -> None:
    scores = [0.9, 0.8, 0.7, 0.2, 0.1, 0.4]
    answerable = [True, True, True, False, False, False]
    result = calibrate(scores, answerable, objective="f1")
    assert result.f1 == 1.0
    assert 0.4 < result.threshold < 0.7
    assert result.threshold == pytest.approx(0.55)  # middle of the widest gap
    assert result.n_answerable == 3 and result.n_unanswerable == 3
    assert len(result.curve) == 7


def test_overlapping_classes_best_f1() -> None:
    scores = [0.9, 0.5, 0.3, 0.35, 0.1]
    answerable = [True, True, True, False, False]
    result = calibrate(scores, answerable, objective="f1")
    point = evaluate_threshold(scores, answerable, result.threshold)
    assert point.f1 == result.f1
    assert result.f1 == pytest.approx(0.8)


def test_precision_objective_refuses_only_when_sure() -> None:
    # two clear off-topic questions, then answerable and unanswerable mixed
    scores = [0.05, 0.08, 0.2, 0.25, 0.3, 0.6, 0.7]
    answerable = [False, False, True, False, True, True, True]
    result = calibrate(scores, answerable, objective="precision", min_precision=0.9)
    assert result.precision == 1.0
    assert result.recall == pytest.approx(2 / 3)
    assert 0.08 < result.threshold < 0.2
    f1 = calibrate(scores, answerable, objective="f1")
    assert f1.threshold > 0.25  # F1 alone would refuse an answerable question


def test_precision_objective_refuses_nothing_when_never_precise() -> None:
    result = calibrate([0.1, 0.2, 0.3], [True, False, True], min_precision=0.9)
    assert result.recall == 0.0
    assert result.threshold < 0.1


def test_saved_and_loaded(tmp_path: Path) -> None:
    result = calibrate([0.9, 0.1], [True, False])
    result.index_fingerprint = "abc"
    path = tmp_path / "calibration.json"
    result.save(path)
    loaded = read_calibration(path)
    assert loaded["threshold"] == result.threshold
    assert loaded["index_fingerprint"] == "abc"
    assert json.loads(path.read_text())["curve"]
    assert read_calibration(tmp_path / "missing.json") == {}


def test_needs_data() -> None:
    with pytest.raises(ValueError):
        calibrate([], [])
