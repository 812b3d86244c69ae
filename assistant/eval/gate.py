"""Regression gate: which metrics of a run fell further below a baseline than allowed.

Accuracy-like metrics are compared by absolute difference (a drop of more than the tolerance
fails). Latencies are compared as a ratio and skipped unless asked for, because a shared machine
makes timings noisy. Metrics missing on either side are not judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.eval.diff import MetricDelta, metric_deltas
from assistant.eval.metrics import METRICS

DEFAULT_TOLERANCE = 0.02
DEFAULT_LATENCY_RATIO = 1.5


@dataclass(frozen=True)
class GateConfig:
    """Tolerances: ``tolerances`` overrides ``default_tolerance`` per metric name."""

    default_tolerance: float = DEFAULT_TOLERANCE
    tolerances: Mapping[str, float] = field(default_factory=dict)
    check_latency: bool = False
    latency_ratio: float = DEFAULT_LATENCY_RATIO
    slices: tuple[str, ...] = ("all",)  # slices to judge; small slices are noisy

    def tolerance(self, metric: str) -> float:
        return self.tolerances.get(metric, self.default_tolerance)


@dataclass(frozen=True)
class Regression:
    metric: str
    slice: str
    baseline: float
    current: float
    allowed: str  # the rule that was broken, for the message

    def __str__(self) -> str:
        where = "" if self.slice == "all" else f" [{self.slice}]"
        return (
            f"{self.metric}{where}: {self.baseline:.4g} -> {self.current:.4g} "
            f"(allowed: {self.allowed})"
        )


def _regression(delta: MetricDelta, config: GateConfig) -> Regression | None:
    info = METRICS[delta.metric]
    if delta.baseline is None or delta.current is None:
        return None
    if info.kind == "latency":
        if not config.check_latency or delta.baseline <= 0:
            return None
        if delta.current > delta.baseline * config.latency_ratio:
            rule = f"at most x{config.latency_ratio:g}"
            return Regression(delta.metric, delta.slice, delta.baseline, delta.current, rule)
        return None
    if info.kind != "rate" or info.better != "higher":
        return None
    tolerance = config.tolerance(delta.metric)
    if delta.baseline - delta.current > tolerance + 1e-12:
        rule = f"a drop of at most {tolerance:g}"
        return Regression(delta.metric, delta.slice, delta.baseline, delta.current, rule)
    return None


def find_regressions(
    current: dict[str, Any], baseline: dict[str, Any], config: GateConfig | None = None
) -> list[Regression]:
    """The regressions of ``current`` (a summary.json) against ``baseline``; empty = pass."""
    config = config or GateConfig()
    regressions: list[Regression] = []
    for slice_name in config.slices:
        for delta in metric_deltas(current, baseline, slice_name):
            found = _regression(delta, config)
            if found is not None:
                regressions.append(found)
    return regressions


def comparable(current: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Warnings when two runs measure different things (other question set, other mode)."""
    warnings: list[str] = []
    now_set, old_set = current.get("question_set", {}), baseline.get("question_set", {})
    if now_set.get("sha256") != old_set.get("sha256"):
        warnings.append("the runs used different question sets (sha256 differs)")
    if now_set.get("n_run") != old_set.get("n_run"):
        warnings.append(
            f"the runs evaluated {old_set.get('n_run')} vs {now_set.get('n_run')} questions"
        )
    if current.get("mode") != baseline.get("mode"):
        warnings.append(f"modes differ: baseline {baseline.get('mode')}, run {current.get('mode')}")
    return warnings
