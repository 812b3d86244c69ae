"""Report charts drawn with matplotlib (Agg, no display) and returned as base64 PNG.

Embedding the images keeps report.html one self-contained file that can be mailed or attached
to a CI job.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from assistant.eval.metrics import METRICS, TIMING_KEYS

# Chinese slice names and labels need a CJK font; the names used here are ASCII or arrows.
plt.rcParams["font.family"] = "DejaVu Sans"


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def slice_bars(
    metric: str,
    slices: dict[str, dict[str, Any]],
    baseline_slices: dict[str, dict[str, Any]] | None = None,
) -> str | None:
    """Bars of one rate metric per slice (beside the baseline's when given); None if unmeasured."""
    names = [name for name, values in slices.items() if values.get(metric) is not None]
    if not names:
        return None
    current = [slices[name][metric] for name in names]
    figure, axes = plt.subplots(figsize=(max(5.0, 0.7 * len(names) + 2), 3.2))
    positions = np.arange(len(names))
    if baseline_slices is not None:
        before = [(baseline_slices.get(name) or {}).get(metric) for name in names]
        axes.bar(positions - 0.2, [b or 0 for b in before], 0.4, label="baseline", color="#bbb")
        axes.bar(positions + 0.2, current, 0.4, label="this run", color="#3572b0")
        axes.legend(loc="lower right", fontsize=8)
    else:
        axes.bar(positions, current, 0.6, color="#3572b0")
        for x, value in zip(positions, current, strict=True):
            axes.text(float(x), value + 0.01, f"{value:.2f}", ha="center", fontsize=7)
    labels = [f"{n} (n={slices[n].get('n', '?')})" for n in names]
    axes.set_xticks(positions, labels, fontsize=7, rotation=35, ha="right")
    axes.set_ylim(0, 1.08)
    axes.set_title(METRICS[metric].label if metric in METRICS else metric, fontsize=10)
    axes.grid(axis="y", alpha=0.3)
    return _png(figure)


def latency_histogram(timings: Sequence[dict[str, float]]) -> str | None:
    """Histogram of each timing (retrieve, ttft, total) over the run's questions."""
    series = {key: [t[key] for t in timings if key in t] for key in TIMING_KEYS}
    series = {key: values for key, values in series.items() if values}
    if not series:
        return None
    figure, all_axes = plt.subplots(1, len(series), figsize=(4 * len(series), 3), squeeze=False)
    for axes, (key, values) in zip(all_axes[0], series.items(), strict=True):
        axes.hist(values, bins=min(20, max(5, len(values) // 3)), color="#3572b0")
        p50, p95 = np.percentile(values, [50, 95])
        axes.axvline(p50, color="#2a2", linestyle="--", label=f"p50 {p50:.2f}s")
        axes.axvline(p95, color="#c22", linestyle="--", label=f"p95 {p95:.2f}s")
        axes.set_title(f"{key} (s)", fontsize=10)
        axes.set_xlabel("seconds", fontsize=8)
        axes.legend(fontsize=7)
    return _png(figure)
