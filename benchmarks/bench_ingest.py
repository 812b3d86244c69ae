"""Ingestion throughput and scaling: the shipped corpus, then 1, 3 and 9 UNGDC sessions; and
the other formats (Word, web pages, scanned PDFs through OCR; see ``benchmarks/formats.py``).

Each size is ingested into a fresh index in its own process (so peak RSS and CPU time are that
ingest's alone), then ingested again unchanged: the second run should only hash files and find
nothing to do. Time and index size are fitted against the number of documents on a log-log
scale; a slope of 1.0 is linear growth.

    .venv/bin/python -m benchmarks.bench_ingest            # full run, about 20-40 min on 2 cores
    .venv/bin/python -m benchmarks.bench_ingest --quick    # tiny copies, about a minute
    .venv/bin/python -m benchmarks.bench_ingest --only formats   # docx, HTML, OCR: ~3 min

Sizes go to ``results/ingest.json``, formats to ``results/ingest_formats.json``.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.config import Settings
from assistant.logging_setup import configure_logging
from benchmarks.baseline import resolve_commit, worktree
from benchmarks.common import (
    DEFAULT_WORK_DIR,
    echo_targets,
    format_table,
    loglog_slope,
    machine_description,
    ratio,
    save_results,
)
from benchmarks.corpora import (
    CorpusSpec,
    IngestRun,
    build_fresh,
    corpus_specs,
    index_dir,
    index_sizes,
    indexes_dir,
    run_ingest,
)
from benchmarks.formats import measure_formats

logger = logging.getLogger(__name__)

NAME = "ingest"
FORMATS_NAME = "ingest_formats"
FORMATS = "formats"
TARGET_CORPUS_S = 60.0
TARGET_NINE_SESSIONS_S = 15 * 60.0
TARGET_REINGEST_SHARE = 0.05
MIB = 1024**2
FLAGS_RECORDED = ("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile")


def recorded_flags() -> dict[str, bool]:
    """The CPU's vector instruction sets (BLAS and onnxruntime pick their kernels by them)."""
    from assistant.models.hardware import cpu_flags

    flags = cpu_flags()
    return {name: name in flags for name in FLAGS_RECORDED}


def measure(
    spec: CorpusSpec, work_dir: Path, quick: bool, baseline: Path | None = None
) -> dict[str, Any]:
    """First ingest into a fresh index, its size on disk, then an unchanged re-ingest; with
    ``baseline`` (another commit's worktree), that commit's fresh ingest of the same files
    just before ours, for same-run ratios."""
    logger.info("ingesting %s (%d files)", spec.label, spec.files_count())
    before = None
    if baseline is not None:
        target = indexes_dir(work_dir, quick) / f"baseline-{spec.key}"
        shutil.rmtree(target, ignore_errors=True)
        before = run_ingest(spec.paths, target, indexes_dir(work_dir, quick) / "logs", baseline)
        shutil.rmtree(target, ignore_errors=True)
    first = build_fresh(spec, work_dir, quick)
    target = index_dir(work_dir, spec, quick)
    sizes = index_sizes(target)
    again = run_ingest(spec.paths, target, indexes_dir(work_dir, quick) / "logs")
    if again.report["added"] or again.report["updated"] or again.report["removed"]:
        logger.warning("re-ingest of %s changed the index: %s", spec.key, again.report)
    return {
        "key": spec.key,
        "label": spec.label,
        "sessions": spec.sessions,
        "paths": [str(p) for p in spec.paths],
        "documents": first.report["added"],
        "source_mb": round(spec.megabytes(), 2),
        "chunks": first.chunks,
        "first": _run_fields(first),
        "reingest": _run_fields(again),
        "reingest_share_wall": ratio(again.wall_s, first.wall_s),
        "reingest_share_pipeline": ratio(again.pipeline_s, first.pipeline_s),
        "chunks_per_s": ratio(first.chunks, first.pipeline_s),
        "chunks_per_s_embedding": ratio(first.chunks, first.report["seconds_embedding"]),
        "embedding_share": first.embedding_share,
        "index_bytes": sizes,
        "baseline": None if before is None else _compare(first, before),
    }


def _compare(new: IngestRun, old: IngestRun) -> dict[str, Any]:
    """The baseline's run and the ratios ours/baseline (below 1: less time or memory)."""
    return {
        "run": _run_fields(old),
        "chunks_per_s": ratio(old.chunks, old.pipeline_s),
        "pipeline_s_ratio": ratio(new.pipeline_s, old.pipeline_s),
        "wall_s_ratio": ratio(new.wall_s, old.wall_s),
        "cpu_s_ratio": ratio(new.cpu_s, old.cpu_s),
        "speedup": ratio(old.pipeline_s, new.pipeline_s),
        "all_processes_rss_ratio": ratio(
            new.all_processes_rss_bound_mib, old.all_processes_rss_bound_mib
        ),
        "same_chunks": old.chunks == new.chunks,
    }


def _run_fields(run: IngestRun) -> dict[str, Any]:
    return {
        "wall_s": round(run.wall_s, 3),
        "pipeline_s": round(run.pipeline_s, 3),
        "cpu_s": round(run.cpu_s, 2),
        "peak_rss_mib": round(run.peak_rss_mib, 1),
        "all_processes_rss_bound_mib": round(run.all_processes_rss_bound_mib, 1),
        "report": run.report,
    }


def growth(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Log-log slopes over the UNGDC sizes (same kind of documents, growing count)."""
    ungdc = [r for r in rows if r["sessions"] > 0]
    docs = [r["documents"] for r in ungdc]
    chunks = [r["chunks"] for r in ungdc]
    wall = [r["first"]["wall_s"] for r in ungdc]
    pipeline = [r["first"]["pipeline_s"] for r in ungdc]
    embedding = [r["first"]["report"]["seconds_embedding"] for r in ungdc]
    writing = [r["first"]["report"]["seconds_writing"] for r in ungdc]
    size = [r["index_bytes"]["total"] for r in ungdc]
    rss = [r["first"]["peak_rss_mib"] for r in ungdc]
    return {
        "chunks_vs_docs": loglog_slope(docs, chunks),
        "wall_vs_docs": loglog_slope(docs, wall),
        "pipeline_vs_docs": loglog_slope(docs, pipeline),
        "pipeline_vs_chunks": loglog_slope(chunks, pipeline),
        "embedding_vs_chunks": loglog_slope(chunks, embedding),
        "writing_vs_chunks": loglog_slope(chunks, writing),
        "index_size_vs_docs": loglog_slope(docs, size),
        "peak_rss_vs_docs": loglog_slope(docs, rss),
    }


def targets(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_key = {r["key"]: r for r in rows}
    out: dict[str, Any] = {}
    if "corpus" in by_key:
        wall = by_key["corpus"]["first"]["wall_s"]
        out["corpus_ingest_s"] = {
            "value": wall,
            "target": TARGET_CORPUS_S,
            "met": wall < TARGET_CORPUS_S,
        }
    if "ungdc-9" in by_key:
        wall = by_key["ungdc-9"]["first"]["wall_s"]
        out["nine_sessions_s"] = {
            "value": wall,
            "target": TARGET_NINE_SESSIONS_S,
            "met": wall < TARGET_NINE_SESSIONS_S,
        }
    shares = [r["reingest_share_wall"] for r in rows if r["reingest_share_wall"] is not None]
    if shares:
        worst = max(shares)
        out["reingest_share_wall_max"] = {
            "value": worst,
            "target": TARGET_REINGEST_SHARE,
            "met": worst < TARGET_REINGEST_SHARE,
        }
    return out


def tables(rows: list[dict[str, Any]], slopes: dict[str, float | None]) -> str:
    main = format_table(
        [
            "corpus",
            "docs",
            "MB",
            "chunks",
            "wall s",
            "ingest s",
            "chunks/s",
            "embed %",
            "index MiB",
            "peak RSS MiB",
            "CPU s",
            "re-ingest s",
            "re-ingest %",
        ],
        [
            [
                r["label"],
                r["documents"],
                r["source_mb"],
                r["chunks"],
                r["first"]["wall_s"],
                r["first"]["pipeline_s"],
                r["chunks_per_s"],
                100 * r["embedding_share"] if r["embedding_share"] is not None else None,
                r["index_bytes"]["total"] / MIB,
                r["first"]["peak_rss_mib"],
                r["first"]["cpu_s"],
                r["reingest"]["wall_s"],
                100 * r["reingest_share_wall"] if r["reingest_share_wall"] is not None else None,
            ]
            for r in rows
        ],
        title="Ingestion (wall s: whole `assistant ingest`-like process; ingest s: the pipeline)",
    )
    parts = format_table(
        [
            "corpus",
            "load+chunk s",
            "embed s",
            "write s",
            "chroma MiB",
            "bm25 MiB",
            "catalog MiB",
            "emb. cache MiB",
            "re-ingest ingest s",
        ],
        [
            [
                r["label"],
                r["first"]["report"]["seconds_loading"],
                r["first"]["report"]["seconds_embedding"],
                r["first"]["report"]["seconds_writing"],
                r["index_bytes"]["chroma"] / MIB,
                r["index_bytes"]["bm25"] / MIB,
                r["index_bytes"]["catalog"] / MIB,
                r["index_bytes"]["embedding_cache"] / MIB,
                r["reingest"]["pipeline_s"],
            ]
            for r in rows
        ],
        title="Where the time and the bytes go",
    )
    compared = [r for r in rows if r.get("baseline")]
    versus = format_table(
        [
            "corpus",
            "baseline chunks/s",
            "chunks/s",
            "speed-up",
            "CPU s ratio",
            "baseline RSS MiB (all)",
            "RSS MiB (all)",
            "RSS ratio",
            "same chunks",
        ],
        [
            [
                r["label"],
                r["baseline"]["chunks_per_s"],
                r["chunks_per_s"],
                r["baseline"]["speedup"],
                r["baseline"]["cpu_s_ratio"],
                r["baseline"]["run"]["all_processes_rss_bound_mib"],
                r["first"]["all_processes_rss_bound_mib"],
                r["baseline"]["all_processes_rss_ratio"],
                r["baseline"]["same_chunks"],
            ]
            for r in compared
        ],
        title="Against the baseline commit, same run (each size: baseline, then ours)",
    )
    grow = format_table(
        ["growth (UNGDC 1 → 3 → 9 sessions)", "log-log slope"],
        [[name.replace("_", " "), value] for name, value in slopes.items()],
        title="Growth exponents (1.0 = linear)",
    )
    return "\n\n".join([main, parts, *([versus] if compared else []), grow])


def main(
    quick: Annotated[bool, typer.Option(help="Tiny copies of each corpus (smoke test).")] = False,
    work_dir: Annotated[Path, typer.Option(help="Indexes and logs go here.")] = DEFAULT_WORK_DIR,
    results_dir: Annotated[
        Path | None, typer.Option(help="Default: benchmarks/results (quick: WORK_DIR/results).")
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(help="Only these: corpus, ungdc-1, ungdc-3, ungdc-9, formats."),
    ] = None,
    ocr_threads: Annotated[int, typer.Option(help="onnxruntime threads for OCR.")] = 2,
    baseline: Annotated[
        str | None,
        typer.Option(help="A commit to ingest each size with too, just before ours (ratios)."),
    ] = None,
) -> None:
    """Ingest each corpus size into a fresh index and report time, memory and size."""
    configure_logging()
    # Sizes first: a child inherits the peak RSS of this process as it was at the fork (Linux
    # keeps the high-water mark across exec), and the formats' OCR engines would inflate it.
    specs = [s for s in corpus_specs(work_dir, quick) if not only or s.key in only]
    if specs:
        sizes(specs, quick, work_dir, results_dir, baseline)
    if not only or FORMATS in only:
        formats(quick, work_dir, results_dir, ocr_threads, baseline)


def sizes(
    specs: list[CorpusSpec],
    quick: bool,
    work_dir: Path,
    results_dir: Path | None,
    baseline: str | None,
) -> None:
    """Each corpus size into a fresh index (after the baseline's, with ``baseline``)."""
    started = time.perf_counter()
    machine = machine_description()
    with contextlib.ExitStack() as stack:
        old = None
        if baseline is not None:
            old = stack.enter_context(worktree(resolve_commit(baseline), work_dir))
        rows = [measure(spec, work_dir, quick, old) for spec in specs]
    slopes = growth(rows)
    typer.echo(tables(rows, slopes))
    goals = targets(rows)
    echo_targets(goals)
    save_results(
        NAME,
        results_dir=results_dir,
        quick=quick,
        work_dir=work_dir,
        params={
            "quick": quick,
            "work_dir": str(work_dir),
            "sizes": [s.key for s in specs],
            "baseline": baseline,
            "cpu_flags": recorded_flags(),
            "embedder": Settings().embedder.model_dump(mode="json"),
            "chunking": Settings().chunking.model_dump(mode="json"),
        },
        results={"sizes": rows, "growth_slopes": slopes, "targets": goals},
        machine=machine,
        started=started,
    )


def formats(
    quick: bool, work_dir: Path, results_dir: Path | None, ocr_threads: int, baseline: str | None
) -> None:
    """Word, HTML and OCR throughput, OCR accuracy, and OCR's share of an ingest."""
    started = time.perf_counter()
    machine = machine_description(["python-docx", "trafilatura", "rapidocr-onnxruntime"])
    found = measure_formats(work_dir, quick, threads=ocr_threads)
    typer.echo(formats_table(found))
    save_results(
        FORMATS_NAME,
        results_dir=results_dir,
        quick=quick,
        work_dir=work_dir,
        params={
            "quick": quick,
            "ocr_threads": ocr_threads,
            "baseline": baseline,  # OCR's "before" is measured in this process, not at REF
            "cpu_flags": recorded_flags(),
            "ingest": Settings().ingest.model_dump(mode="json"),
            "chunking": Settings().chunking.model_dump(mode="json"),
        },
        results=found,
        machine=machine,
        started=started,
    )


def formats_table(found: dict[str, Any]) -> str:
    rows = [
        [name, r["files"], r["source_mb"], r["chunks"], r["seconds"], r["files_per_s"],
         r["chars_per_s"], r["chunks_per_s"]]
        for name, r in (("docx", found["docx"]), ("html", found["html"]))
    ]  # fmt: skip
    loading = format_table(
        ["format", "files", "MB", "chunks", "s", "files/s", "chars/s", "chunks/s"],
        rows,
        title="Loading throughput (load, clean, paragraphs, language, chunk; no embedding)",
    )
    ocr = found["ocr"]
    if "skipped" in ocr:
        scans = f"OCR skipped: {ocr['skipped']}"
    else:
        before = ocr.get("before", {})
        scans = format_table(
            ["pages", "dpi", "threads", "pages/s", "s/page", "CER mean", "CER max",
             "CER width-folded", "confidence", "before s/page", "before CER", "s ratio",
             "same text"],
            [[ocr["pages"], ocr["dpi"], ocr["threads"], ocr["pages_per_s"],
              ocr["seconds_per_page"], ocr["cer_mean"], ocr["cer_max"],
              ocr["cer_width_folded_mean"], ocr["mean_confidence"],
              before.get("seconds_per_page"), before.get("cer_mean"),
              before.get("seconds_ratio"), before.get("same_text")]],
            title="OCR of scanned pages (Chinese corpus text, Noto Sans CJK 12 pt); before: "
            "one engine on `threads` threads, pages in turn (same run, file by file)",
            digits=4,
        )  # fmt: skip
    ingest = found["ingest"]
    share = format_table(
        ["documents", "chunks", "total s", "OCR s", "embed s", "OCR share"],
        [[ingest["documents"], ingest["chunks"], ingest["seconds_total"], ingest["seconds_ocr"],
          ingest["seconds_embedding"], ingest["ocr_share"]]],
        title="One ingest of all of them into a fresh index",
        digits=3,
    )  # fmt: skip
    return "\n\n".join([loading, scans, share])


if __name__ == "__main__":
    typer.run(main)
