"""One ingest in its own process, so that the parent can read its peak memory and CPU time.

``python -m benchmarks.ingest_worker --index-dir DIR --out REPORT.json PATH...`` opens (or
creates) the index in DIR with the configured embedder and chunking, ingests PATHs exactly as
``assistant ingest`` would, and writes the pipeline's report and its own timings to REPORT.json.
Peak RSS is only meaningful per process: an ingest run in the benchmark's own process would
report the high-water mark of everything that process did before.
"""

from __future__ import annotations

import json
import logging
import resource
import time
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import Settings
from assistant.logging_setup import configure_logging

logger = logging.getLogger(__name__)


def bench_settings(index_dir: Path) -> Settings:
    """The configured settings with the index moved to ``index_dir``."""
    settings = Settings()
    paths = settings.paths.model_copy(update={"index_dir": index_dir})
    return settings.model_copy(update={"paths": paths})


def main(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    index_dir: Annotated[Path, typer.Option(help="Index directory (created if absent).")],
    out: Annotated[Path, typer.Option(help="Where to write the JSON report.")],
) -> None:
    """Ingest PATHS into the index at INDEX_DIR and write the timings to OUT."""
    configure_logging()
    importing = time.perf_counter()
    from assistant.container import Container

    container = Container(bench_settings(index_dir))
    opened = time.perf_counter()
    index = container.index
    open_s = time.perf_counter() - opened
    try:
        report = container.ingest(paths)
        chunks_total = index.catalog.chunk_count()
        documents_total = len(index.documents())
    finally:
        container.close()
    payload = {
        **report.counts(),
        "chunks_written": report.chunks_written,
        "chunks_embedded": report.chunks_embedded,
        "chunks_in_index": chunks_total,
        "documents_in_index": documents_total,
        "seconds_import": opened - importing,
        "seconds_open": open_s,
        "seconds_loading": report.seconds_loading,
        "seconds_embedding": report.seconds_embedding,
        "seconds_writing": report.seconds_writing,
        "seconds_total": report.seconds_total,
        "failed_paths": report.failed[:20],
        "self_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        # The embedding worker processes' own peaks (VmHWM; their rusage would include this
        # process's memory at the fork that started them), one entry a worker that ran.
        "embed_workers_rss_mib": report.embed_workers_rss_mib,
    }
    out.write_text(json.dumps(payload, indent=2), encoding="utf-8")


if __name__ == "__main__":
    typer.run(main)
