"""The PostgreSQL catalog beside SQLite, in one run: search latency, results, catalog writes.

For each corpus size, ``bench_ingest``'s SQLite index (built when absent) is the baseline. A
twin index gets the same Chroma vectors and embedding cache (copied folders) and its catalog
copied, document by document through the catalog interface, into the PostgreSQL database at
``--dsn``; the copy is timed (catalog writes in chunks/s, against the same copy into a fresh
SQLite catalog). Then both indexes answer the same queries, interleaved pass by pass so that
machine load hits both alike: search p50/p95 per mode and their ratios, and how many queries
get identical top-k lists. BM25, which each host derives from the catalog, must be identical;
fused lists can differ a little through the dense side alone, because Chroma's approximate
search differs between a folder and a byte copy of it (dense top-8 identical for 115 of 120
queries between two copies of one SQLite index, measured). Finally the shipped corpus is
ingested into two fresh indexes, one per engine, with a warm embedding cache, so that the
chunks/s ratio shows the writing side.

The database must exist and be empty or hold only an earlier run of this benchmark (the
catalog is cleared first); give its DSN:

    .venv/bin/python -m benchmarks.bench_catalog --dsn postgresql://USER:PW@127.0.0.1:5432/bench
    .venv/bin/python -m benchmarks.bench_catalog --dsn ... --only corpus --only ungdc-9
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import SecretStr

from assistant.config import CatalogSettings, Settings
from assistant.container import Container
from assistant.index.catalog import Catalog, open_catalog
from assistant.logging_setup import configure_logging
from assistant.models.embedders import Embedder
from benchmarks.bench_retrieval import MODES, WARM_UP, fresh_retriever, load_queries
from benchmarks.common import (
    DEFAULT_WORK_DIR,
    format_table,
    machine_description,
    percentile,
    ratio,
    save_results,
)
from benchmarks.corpora import corpus_specs, ensure_index
from benchmarks.ingest_worker import bench_settings

logger = logging.getLogger(__name__)

NAME = "catalog"
P95_GOAL_RATIO = 1.5
_COPIED = ("chroma", "embedding_cache.sqlite")


def postgres_settings(index_dir: Path, dsn: str) -> Settings:
    settings = bench_settings(index_dir)
    return settings.model_copy(
        update={"catalog": CatalogSettings(mode="postgres", dsn=SecretStr(dsn))}
    )


def copy_catalog(source: Catalog, target: Catalog) -> dict[str, float]:
    """Every document and chunk of ``source`` written into ``target``; chunks/s of the writes."""
    target.clear()
    documents = source.documents()
    batches = [(doc, source.document_chunks(doc.doc_id)) for doc in documents]
    started = time.perf_counter()
    for doc, chunks in batches:
        target.replace_document(doc, chunks)
    seconds = time.perf_counter() - started
    chunks = sum(len(c) for _, c in batches)
    return {
        "documents": len(documents),
        "chunks": chunks,
        "seconds": seconds,
        "chunks_per_s": chunks / seconds if seconds else 0.0,
    }


def twin_index(sqlite_dir: Path, twin_dir: Path) -> None:
    """A folder with the same vectors and embedding cache, and no catalog or BM25."""
    shutil.rmtree(twin_dir, ignore_errors=True)
    twin_dir.mkdir(parents=True)
    for name in _COPIED:
        source = sqlite_dir / name
        if source.is_dir():
            shutil.copytree(source, twin_dir / name)
        elif source.is_file():
            shutil.copyfile(source, twin_dir / name)


def interleaved_latency(
    containers: dict[str, Container], queries: list[str], repeats: int
) -> dict[str, Any]:
    """Per engine and mode: wall ms of every search, engines alternating pass by pass."""
    walls: dict[str, dict[str, list[float]]] = {e: {m: [] for m in MODES} for e in containers}
    top_ids: dict[str, dict[str, list[list[str]]]] = {e: {m: [] for m in MODES} for e in containers}
    for repeat in range(repeats):
        for mode in MODES:
            for engine, container in containers.items():
                retriever, _ = fresh_retriever(container)
                top_k = container.settings.retrieval.top_k
                retriever.search(WARM_UP, top_k, mode=mode)
                for query in queries:
                    started = time.perf_counter()
                    hits = retriever.search(query, top_k, mode=mode)
                    walls[engine][mode].append((time.perf_counter() - started) * 1000)
                    if repeat == 0:
                        top_ids[engine][mode].append([h.chunk_id for h in hits])
    summary = {
        engine: {
            mode: {"p50": percentile(v, 50), "p95": percentile(v, 95), "n": len(v)}
            for mode, v in by_mode.items()
        }
        for engine, by_mode in walls.items()
    }
    identical = {
        mode: sum(
            a == b for a, b in zip(top_ids["sqlite"][mode], top_ids["postgres"][mode], strict=True)
        )
        for mode in MODES
    }
    return {"latency_ms": summary, "identical_top_k": identical, "queries": len(queries)}


def measure_size(
    spec: Any,
    embedder: Embedder,
    work_dir: Path,
    quick: bool,
    dsn: str,
    queries: list[str],
    repeats: int,
) -> dict[str, Any]:
    sqlite_dir = ensure_index(spec, work_dir, quick)
    twin_dir = work_dir / "catalog-twins" / spec.key
    twin_index(sqlite_dir, twin_dir)
    sqlite_settings = bench_settings(sqlite_dir)
    pg_settings = postgres_settings(twin_dir, dsn)

    source = open_catalog(sqlite_settings, sqlite_dir)
    scratch_dir = work_dir / "catalog-twins" / f"{spec.key}-sqlite-copy"
    shutil.rmtree(scratch_dir, ignore_errors=True)
    scratch = open_catalog(bench_settings(scratch_dir), scratch_dir)
    postgres = open_catalog(pg_settings, twin_dir)
    try:
        writes = {
            "sqlite": copy_catalog(source, scratch),
            "postgres": copy_catalog(source, postgres),
        }
    finally:
        for catalog in (source, scratch, postgres):
            catalog.close()
        shutil.rmtree(scratch_dir, ignore_errors=True)

    containers = {
        "sqlite": Container(sqlite_settings, embedder=embedder),
        "postgres": Container(pg_settings, embedder=embedder),
    }
    try:
        opened = {}
        for engine, container in containers.items():
            started = time.perf_counter()
            container.index.refresh()  # the twin builds its BM25 cache from the catalog here
            opened[engine] = time.perf_counter() - started
        chunks = containers["sqlite"].index.catalog.chunk_count()
        assert containers["postgres"].index.check().ok, "the twin index is inconsistent"
        search = interleaved_latency(containers, queries, repeats)
    finally:
        for container in containers.values():
            container.close()
    return {
        "key": spec.key,
        "label": spec.label,
        "chunks": chunks,
        "catalog_writes": writes,
        "open_and_bm25_build_s": opened,
        **search,
    }


def ingest_pair(
    paths: Sequence[Path], work_dir: Path, dsn: str, embedder: Embedder, warm_cache: Path
) -> dict[str, Any]:
    """The shipped corpus ingested into a fresh index per engine (warm embedding cache: an
    untimed first ingest fills it, so neither engine pays for embedding the other did not)."""
    out: dict[str, Any] = {}
    warm_dir = work_dir / "catalog-twins" / "ingest-warm-up"
    shutil.rmtree(warm_dir, ignore_errors=True)
    warm_dir.mkdir(parents=True)
    shutil.copyfile(warm_cache, warm_dir / "embedding_cache.sqlite")
    with Container(bench_settings(warm_dir), embedder=embedder) as container:
        container.ingest(list(paths))
    warm_cache = warm_dir / "embedding_cache.sqlite"
    for engine in ("sqlite", "postgres"):
        target = work_dir / "catalog-twins" / f"ingest-{engine}"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copyfile(warm_cache, target / "embedding_cache.sqlite")
        settings = (
            postgres_settings(target, dsn) if engine == "postgres" else bench_settings(target)
        )
        with Container(settings, embedder=embedder) as container:
            container.index.catalog.clear()
            container.index.vectors.reset()
            report = container.ingest(list(paths))
        out[engine] = {
            "chunks_written": report.chunks_written,
            "seconds_total": report.seconds_total,
            "seconds_writing": report.seconds_writing,
            "chunks_per_s": report.chunks_written / report.seconds_total,
            "writing_chunks_per_s": report.chunks_written / report.seconds_writing,
        }
        shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(warm_dir, ignore_errors=True)
    return out


def tables(rows: list[dict[str, Any]], ingest: dict[str, Any]) -> str:
    latency = []
    for r in rows:
        lat = r["latency_ms"]
        for mode in MODES:
            s, p = lat["sqlite"][mode], lat["postgres"][mode]
            latency.append(
                [
                    r["label"],
                    r["chunks"],
                    mode,
                    s["p50"],
                    p["p50"],
                    ratio(p["p50"], s["p50"]),
                    s["p95"],
                    p["p95"],
                    ratio(p["p95"], s["p95"]),
                ]
            )
    first = format_table(
        [
            "index",
            "chunks",
            "mode",
            "sqlite p50",
            "pg p50",
            "ratio",
            "sqlite p95",
            "pg p95",
            "ratio",
        ],
        latency,
        title="Search latency, ms (same queries, engines interleaved)",
    )
    writes = format_table(
        [
            "index",
            "identical BM25 top-k",
            "identical fused top-k",
            "sqlite writes/s",
            "pg writes/s",
            "ratio",
            "pg BM25 build s",
        ],
        [
            [
                r["label"],
                f"{r['identical_top_k']['lexical']}/{r['queries']}",
                f"{r['identical_top_k']['hybrid']}/{r['queries']}",
                r["catalog_writes"]["sqlite"]["chunks_per_s"],
                r["catalog_writes"]["postgres"]["chunks_per_s"],
                ratio(
                    r["catalog_writes"]["postgres"]["chunks_per_s"],
                    r["catalog_writes"]["sqlite"]["chunks_per_s"],
                ),
                r["open_and_bm25_build_s"]["postgres"],
            ]
            for r in rows
        ],
        title="Results and catalog writes (chunks/s)",
    )
    parts = [first, writes]
    if ingest:
        s, p = ingest["sqlite"], ingest["postgres"]
        parts.append(
            format_table(
                ["engine", "chunks", "ingest chunks/s", "writing chunks/s"],
                [
                    ["sqlite", s["chunks_written"], s["chunks_per_s"], s["writing_chunks_per_s"]],
                    ["postgres", p["chunks_written"], p["chunks_per_s"], p["writing_chunks_per_s"]],
                    [
                        "ratio pg/sqlite",
                        None,
                        ratio(p["chunks_per_s"], s["chunks_per_s"]),
                        ratio(p["writing_chunks_per_s"], s["writing_chunks_per_s"]),
                    ],
                ],
                title="Ingest of the shipped corpus, warm embedding cache",
            )
        )
    return "\n\n".join(parts)


def main(
    dsn: Annotated[str, typer.Option(help="An empty PostgreSQL database for the twin indexes.")],
    quick: Annotated[bool, typer.Option(help="Tiny indexes and six queries (smoke test).")] = False,
    work_dir: Annotated[Path, typer.Option(help="Where bench_ingest's indexes are.")] = (
        DEFAULT_WORK_DIR
    ),
    results_dir: Annotated[
        Path | None, typer.Option(help="Default: benchmarks/results (quick: WORK_DIR/results).")
    ] = None,
    repeats: Annotated[int, typer.Option(help="Passes over the queries per mode.")] = 2,
    only: Annotated[
        list[str] | None, typer.Option(help="Only these sizes: corpus, ungdc-1, ungdc-3, ungdc-9.")
    ] = None,
) -> None:
    """Compare the PostgreSQL catalog with SQLite on each corpus size."""
    configure_logging()
    started = time.perf_counter()
    machine = machine_description(["psycopg"])
    queries = load_queries(quick)
    embedder = Container(Settings()).embedder
    specs = [s for s in corpus_specs(work_dir, quick) if not only or s.key in only]
    rows = [measure_size(s, embedder, work_dir, quick, dsn, queries, repeats) for s in specs]
    corpus_index = next((r for r in rows if r["key"] == "corpus"), None)
    ingest = {}
    if corpus_index is not None:
        from benchmarks.corpora import index_dir

        spec = next(s for s in specs if s.key == "corpus")
        ingest = ingest_pair(
            spec.paths,
            work_dir,
            dsn,
            embedder,
            index_dir(work_dir, spec, quick) / "embedding_cache.sqlite",
        )
    typer.echo(tables(rows, ingest))
    goals = {
        r["key"]: {
            "fused_p95_ratio": ratio(
                r["latency_ms"]["postgres"]["hybrid"]["p95"],
                r["latency_ms"]["sqlite"]["hybrid"]["p95"],
            ),
            "goal": P95_GOAL_RATIO,
            "bm25_identical": r["identical_top_k"]["lexical"] == r["queries"],
        }
        for r in rows
    }
    save_results(
        NAME,
        results_dir=results_dir,
        quick=quick,
        work_dir=work_dir,
        params={
            "quick": quick,
            "repeats": repeats,
            "n_queries": len(queries),
            "embedder": embedder.name,
        },
        results={"sizes": rows, "ingest_shipped_corpus": ingest, "goals": goals},
        machine=machine,
        started=started,
    )


if __name__ == "__main__":
    typer.run(main)
