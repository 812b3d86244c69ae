"""Compare a run with a baseline run: metric deltas and the questions whose verdict flipped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.eval.metrics import METRICS


@dataclass(frozen=True)
class MetricDelta:
    metric: str
    slice: str
    baseline: float | None
    current: float | None

    @property
    def delta(self) -> float | None:
        if self.baseline is None or self.current is None:
            return None
        return self.current - self.baseline

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.current is None or self.baseline == 0:
            return None
        return self.current / self.baseline

    @property
    def improved(self) -> bool | None:
        """Whether the change is for the better (by the metric's direction); ``None`` if moot."""
        delta = self.delta
        better = METRICS[self.metric].better if self.metric in METRICS else "none"
        if delta is None or delta == 0 or better == "none":
            return None
        return (delta > 0) == (better == "higher")


@dataclass(frozen=True)
class Flip:
    id: str
    question: str
    baseline_passed: bool
    current_passed: bool


def metric_deltas(
    current: dict[str, Any], baseline: dict[str, Any], slice_name: str = "all"
) -> list[MetricDelta]:
    """Every known metric of one slice, side by side (a slice missing from a run gives None)."""
    now = current.get("slices", {}).get(slice_name, {})
    before = baseline.get("slices", {}).get(slice_name, {})
    return [
        MetricDelta(name, slice_name, before.get(name), now.get(name))
        for name in METRICS
        if name in now or name in before
    ]


def flipped_questions(
    current_records: list[dict[str, Any]], baseline_records: list[dict[str, Any]]
) -> tuple[list[Flip], list[Flip]]:
    """Questions that went pass -> fail and fail -> pass (only ids present in both runs)."""
    before = {r["id"]: r for r in baseline_records}
    to_fail: list[Flip] = []
    to_pass: list[Flip] = []
    for record in current_records:
        old = before.get(record["id"])
        if old is None or old.get("passed") is None or record.get("passed") is None:
            continue
        if old["passed"] == record["passed"]:
            continue
        flip = Flip(record["id"], record["question"], old["passed"], record["passed"])
        (to_pass if record["passed"] else to_fail).append(flip)
    return to_fail, to_pass


def flatten_settings(settings: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested settings as dotted keys ("retrieval.fusion": "weighted")."""
    flat: dict[str, Any] = {}
    for key, value in settings.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten_settings(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def settings_diff(current: dict[str, Any], baseline: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(setting, baseline value, current value) for every setting that differs."""
    now, before = flatten_settings(current), flatten_settings(baseline)
    return [
        (key, before.get(key), now.get(key))
        for key in sorted(set(now) | set(before))
        if now.get(key) != before.get(key)
    ]
