"""The corpora the scaling benchmarks ingest, and the indexes built from them.

Four sizes: the shipped corpus, then one, three and nine UNGDC sessions (about 195, 585 and
1,746 English statements). Each is ingested into its own fresh index under
``<work dir>/indexes/<key>``; a small JSON file beside it records how it was built, so that
``bench_retrieval`` reuses an index ``bench_ingest`` left behind instead of building it again.
``--quick`` swaps in tiny copies (a file or two per size) so the scripts can be smoke-tested.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_ROOT
from benchmarks.common import UNGDC_DIR, disk_usage

FIRST_SESSION = 70
SESSION_COUNTS: tuple[int, ...] = (1, 3, 9)
QUICK_FILES_PER_SESSION = 1


@dataclass(frozen=True)
class CorpusSpec:
    """One corpus size: a key for file names, a label for tables, the paths to ingest."""

    key: str
    label: str
    paths: tuple[Path, ...]
    sessions: int  # UNGDC sessions in it; 0 for the shipped corpus

    def files(self) -> list[Path]:
        return sorted(f for p in self.paths for f in (p.rglob("*") if p.is_dir() else [p]))

    def files_count(self) -> int:
        return sum(1 for f in self.files() if f.is_file() and not f.name.startswith("."))

    def megabytes(self) -> float:
        return sum(f.stat().st_size for f in self.files() if f.is_file()) / 1e6


def _session_dirs(count: int, source: Path) -> tuple[Path, ...]:
    return tuple(source / f"session_{FIRST_SESSION + i}" for i in range(count))


def _tiny_copy(sources: list[Path], dest: Path, per_folder: int) -> tuple[Path, ...]:
    """Copy the first ``per_folder`` files of each source folder to ``dest/<folder name>``."""
    made = []
    for folder in sources:
        target = dest / folder.name
        if not target.is_dir():
            target.mkdir(parents=True)
            for file in sorted(folder.glob("*.txt"))[:per_folder]:
                shutil.copy2(file, target / file.name)
        made.append(target)
    return tuple(made)


def corpus_specs(work_dir: Path, quick: bool = False) -> list[CorpusSpec]:
    """The four sizes, shipped corpus first; tiny copies under ``work_dir`` when ``quick``."""
    corpus = PROJECT_ROOT / "corpus"
    specs: list[CorpusSpec] = []
    if quick:
        data = work_dir / "quick-data"
        shipped = (data / "corpus",)
        _tiny_copy([corpus / "en", corpus / "zh"], shipped[0], QUICK_FILES_PER_SESSION)
    else:
        shipped = (corpus,)
    specs.append(CorpusSpec("corpus", "shipped corpus", shipped, 0))
    for count in SESSION_COUNTS:
        sessions = list(_session_dirs(count, UNGDC_DIR))
        paths = (
            _tiny_copy(sessions, work_dir / "quick-data" / "ungdc", QUICK_FILES_PER_SESSION)
            if quick
            else tuple(sessions)
        )
        last = FIRST_SESSION + count - 1
        label = f"UNGDC {FIRST_SESSION}" if count == 1 else f"UNGDC {FIRST_SESSION}-{last}"
        specs.append(CorpusSpec(f"ungdc-{count}", label, paths, count))
    return specs


def indexes_dir(work_dir: Path, quick: bool) -> Path:
    return work_dir / ("indexes-quick" if quick else "indexes")


def index_dir(work_dir: Path, spec: CorpusSpec, quick: bool) -> Path:
    return indexes_dir(work_dir, quick) / spec.key


def _stamp_path(work_dir: Path, spec: CorpusSpec, quick: bool) -> Path:
    return indexes_dir(work_dir, quick) / f"{spec.key}.json"


# --------------------------------------------------------------------------- measuring


@dataclass
class IngestRun:
    """One ingest process: the pipeline's own report plus what the OS saw of the process."""

    wall_s: float  # the whole process: interpreter, imports, embedder load, ingest
    cpu_s: float  # user + system CPU seconds of the process
    peak_rss_mib: float
    report: dict[str, Any]

    @property
    def pipeline_s(self) -> float:
        return float(self.report["seconds_total"])

    @property
    def chunks(self) -> int:
        return int(self.report["chunks_written"])

    @property
    def all_processes_rss_bound_mib(self) -> float:
        """Peak memory of the ingest and its embedding workers together, at most: the sum of
        their peaks (older reports have no workers)."""
        own = self.report.get("self_maxrss_kib", self.peak_rss_mib * 1024) / 1024
        return own + sum(self.report.get("embed_workers_rss_mib", []))

    @property
    def embedding_share(self) -> float | None:
        total = self.pipeline_s
        return self.report["seconds_embedding"] / total if total else None


def run_ingest(
    paths: tuple[Path, ...], target: Path, log_dir: Path, root: Path = PROJECT_ROOT
) -> IngestRun:
    """Ingest ``paths`` into ``target`` in a child process; its rusage comes from ``wait4``.

    ``wait4`` returns the rusage of that one child (``RUSAGE_CHILDREN`` would report the
    largest of all children so far), which is what ``/usr/bin/time`` reads too: its CPU time
    includes the embedding worker processes it started, its peak RSS is the largest of it and
    them. ``root``: the checkout whose code runs (another commit's worktree for a baseline).
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    out = log_dir / f"{target.name}-{time.time_ns()}.json"
    log = out.with_suffix(".log")
    command = [
        sys.executable,
        "-m",
        "benchmarks.ingest_worker",
        "--index-dir",
        str(target),
        "--out",
        str(out),
        *map(str, paths),
    ]
    inherited = os.environ.get("PYTHONPATH")
    python_path = str(root) if not inherited else f"{root}{os.pathsep}{inherited}"
    env = {**os.environ, "TQDM_DISABLE": "1", "PYTHONPATH": python_path}
    with log.open("w") as log_file:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=root, stdout=log_file, stderr=subprocess.STDOUT, env=env
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 or not out.is_file():
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"ingest of {target.name} failed ({child.returncode}):\n{tail}")
    report = json.loads(out.read_text(encoding="utf-8"))
    peak_kib = usage.ru_maxrss  # KiB on Linux
    return IngestRun(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=peak_kib / 1024,
        report=report,
    )


def index_sizes(target: Path) -> dict[str, int]:
    """Bytes on disk per part of an index, and the total."""
    parts = {
        "chroma": disk_usage(target / "chroma"),
        "bm25": disk_usage(target / "bm25"),
        "catalog": sum(disk_usage(p) for p in target.glob("catalog.sqlite*")),
        "embedding_cache": sum(disk_usage(p) for p in target.glob("embedding_cache.sqlite*")),
    }
    parts["total"] = disk_usage(target)
    return parts


def build_fresh(spec: CorpusSpec, work_dir: Path, quick: bool) -> IngestRun:
    """Delete any old index for ``spec``, ingest it into a fresh one and stamp it as complete."""
    target = index_dir(work_dir, spec, quick)
    stamp = _stamp_path(work_dir, spec, quick)
    stamp.unlink(missing_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    run = run_ingest(spec.paths, target, indexes_dir(work_dir, quick) / "logs")
    stamp.write_text(
        json.dumps(
            {"spec": asdict(spec), "report": run.report, "built_at": time.time()},
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    return run


def ensure_index(spec: CorpusSpec, work_dir: Path, quick: bool) -> Path:
    """The index for ``spec``: reused when a complete one exists, otherwise built now."""
    target = index_dir(work_dir, spec, quick)
    stamp = _stamp_path(work_dir, spec, quick)
    if stamp.is_file() and target.is_dir():
        built = json.loads(stamp.read_text(encoding="utf-8"))
        if [str(p) for p in spec.paths] == [str(p) for p in built["spec"]["paths"]]:
            return target
    build_fresh(spec, work_dir, quick)
    return target
