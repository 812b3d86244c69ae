"""Query latency at scale: dense, BM25 and fused retrieval on indexes of growing size.

The indexes are the ones ``bench_ingest`` builds (reused from the work directory when present,
built here otherwise). The queries are the development set's questions (follow-ups joined to the
question before them, as the retrieval-only evaluation does) plus a few generic ones. Every mode
gets a fresh retriever per pass (``Container.new_retriever``, warmed up as the app does), so
each query pays for its own embedding, as a new question does; a separate pass times the parts
(embedding, query preparation, Chroma, BM25) alone.

    .venv/bin/python -m benchmarks.bench_retrieval
    .venv/bin/python -m benchmarks.bench_retrieval --quick
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.config import Settings
from assistant.container import Container
from assistant.eval.dataset import load_question_set
from assistant.eval.runner import retrieval_query
from assistant.logging_setup import configure_logging
from assistant.models.embedders import Embedder
from benchmarks.common import (
    DEFAULT_WORK_DIR,
    DEV_SET,
    format_table,
    loglog_slope,
    machine_description,
    percentile,
    ratio,
    save_results,
)
from benchmarks.corpora import CorpusSpec, corpus_specs, ensure_index
from benchmarks.ingest_worker import bench_settings

logger = logging.getLogger(__name__)

NAME = "retrieval"
MODES: tuple[str, ...] = ("dense", "lexical", "hybrid")
TARGET_P95_MS = 150.0
GENERIC_QUERIES: tuple[str, ...] = (
    "climate change and rising sea levels",
    "reform of the Security Council",
    "nuclear disarmament on the Korean peninsula",
    "refugees and migration",
    "Sustainable Development Goals and the 2030 Agenda",
    "气候变化对小岛屿国家的影响",
    "安全理事会改革",
    "打击恐怖主义融资",
)
WARM_UP = "warm-up query about the United Nations 联合国的热身查询"  # loads jieba too


def load_queries(quick: bool) -> list[str]:
    """Development-set questions (as the retrieval evaluation asks them) and generic queries."""
    questions = [retrieval_query(q) for q in load_question_set(DEV_SET)]
    generic = list(GENERIC_QUERIES)
    if quick:
        return questions[:4] + generic[:1] + generic[-1:]
    return questions + generic


def _ms(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, process CPU ms) of one call; CPU time is steadier on a shared machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _summary(values: list[float]) -> dict[str, float | None]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "mean": sum(values) / len(values) if values else None,
        "max": max(values) if values else None,
    }


def fresh_retriever(container: Container) -> tuple[Any, float]:
    """The configured retriever (as the app builds it), warmed up; and the warm-up seconds."""
    retriever = container.new_retriever()
    started = time.perf_counter()
    retriever.warm_up()
    return retriever, time.perf_counter() - started


def time_modes(container: Container, queries: list[str], repeats: int) -> dict[str, Any]:
    """Latency of ``Retriever.search`` per mode, a fresh retriever (empty query cache) per pass."""
    top_k = container.settings.retrieval.top_k
    out: dict[str, Any] = {}
    for mode in MODES:
        wall: list[float] = []
        cpu: list[float] = []
        for _ in range(repeats):
            retriever, _ = fresh_retriever(container)
            retriever.search(WARM_UP, top_k, mode=mode)
            for query in queries:
                w, c = _ms(lambda q=query, r=retriever, m=mode: r.search(q, top_k, mode=m))
                wall.append(w)
                cpu.append(c)
        out[mode] = {"wall_ms": _summary(wall), "cpu_ms": _summary(cpu), "n": len(wall)}
    return out


def time_parts(container: Container, queries: list[str]) -> dict[str, Any]:
    """Steps of a fused search alone: query embedding, query preparation (tokens, glossary and
    term-bridge and dictionary expansion), one Chroma query, one BM25 query."""
    r, index, embedder = container.settings.retrieval, container.index, container.embedder
    retriever, _ = fresh_retriever(container)
    parts: dict[str, list[float]] = {"embed": [], "prepare": [], "chroma": [], "bm25": []}
    for query in queries:
        vector = embedder.embed([query])[0]
        tokens = index.tokens(query)
        parts["embed"].append(_ms(lambda q=query: embedder.embed([q]))[0])
        parts["prepare"].append(_ms(lambda q=query: retriever.prepare(q))[0])
        parts["chroma"].append(
            _ms(lambda v=vector: index.vectors.query(v, max(r.top_k, r.dense_candidates)))[0]
        )
        parts["bm25"].append(
            _ms(lambda t=tokens: index.lexical.search(t, max(r.top_k, r.lexical_candidates)))[0]
        )
    return {name: _summary(values) for name, values in parts.items()}


def measure(
    spec: CorpusSpec,
    embedder: Embedder,
    work_dir: Path,
    quick: bool,
    queries: list[str],
    repeats: int,
) -> dict[str, Any]:
    target = ensure_index(spec, work_dir, quick)
    settings = bench_settings(target)
    container = Container(settings, embedder=embedder)
    opened = time.perf_counter()
    index = container.index
    open_s = time.perf_counter() - opened
    try:
        _, warm_s = fresh_retriever(container)
        row = {
            "key": spec.key,
            "label": spec.label,
            "index_dir": str(target),
            "documents": len(index.documents()),
            "chunks": index.catalog.chunk_count(),
            "open_s": open_s,
            "warm_up_s": warm_s,
            "modes": time_modes(container, queries, repeats),
            "parts_ms": time_parts(container, queries),
        }
    finally:
        container.close()
    return row


def tables(rows: list[dict[str, Any]], slopes: dict[str, float | None]) -> str:
    latency_rows = []
    for r in rows:
        m = r["modes"]
        latency_rows.append(
            [r["label"], r["chunks"]]
            + [m[mode]["wall_ms"][q] for mode in MODES for q in ("p50", "p95")]
            + [m["hybrid"]["cpu_ms"]["p95"]]
        )
    latency = format_table(
        [
            "index",
            "chunks",
            "dense p50",
            "dense p95",
            "bm25 p50",
            "bm25 p95",
            "fused p50",
            "fused p95",
            "fused CPU p95",
        ],
        latency_rows,
        title="Retrieval latency, ms (top_k from settings; query embedding included)",
    )
    parts = format_table(
        [
            "index",
            "embed p50",
            "prepare p50",
            "chroma p50",
            "chroma p95",
            "bm25 p50",
            "bm25 p95",
            "open index s",
            "warm-up s",
        ],
        [
            [
                r["label"],
                r["parts_ms"]["embed"]["p50"],
                r["parts_ms"]["prepare"]["p50"],
                r["parts_ms"]["chroma"]["p50"],
                r["parts_ms"]["chroma"]["p95"],
                r["parts_ms"]["bm25"]["p50"],
                r["parts_ms"]["bm25"]["p95"],
                r["open_s"],
                r["warm_up_s"],
            ]
            for r in rows
        ],
        title="Parts of a fused search, ms",
    )
    grow = format_table(
        ["growth with chunks (UNGDC sizes)", "log-log slope"],
        [[k.replace("_", " "), v] for k, v in slopes.items()],
    )
    return "\n\n".join([latency, parts, grow])


def growth(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    ungdc = [r for r in rows if r["key"].startswith("ungdc")]
    chunks = [r["chunks"] for r in ungdc]
    out: dict[str, float | None] = {}
    for mode in MODES:
        p50 = [r["modes"][mode]["wall_ms"]["p50"] for r in ungdc]
        out[f"{mode}_p50"] = loglog_slope(chunks, p50)
    for part in ("chroma", "bm25"):
        out[f"{part}_p50"] = loglog_slope(chunks, [r["parts_ms"][part]["p50"] for r in ungdc])
    return out


def main(
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
    """Time dense, BM25 and fused retrieval on each corpus size's index."""
    configure_logging()
    started = time.perf_counter()
    machine = machine_description()
    queries = load_queries(quick)
    embedder = Container(Settings()).embedder  # one embedder for every size's index
    specs = [s for s in corpus_specs(work_dir, quick) if not only or s.key in only]
    rows = [measure(spec, embedder, work_dir, quick, queries, repeats) for spec in specs]
    slopes = growth(rows)
    typer.echo(tables(rows, slopes))
    goals: dict[str, Any] = {}
    largest = next((r for r in rows if r["key"] == "ungdc-9"), None)
    if largest is not None:
        p95 = largest["modes"]["hybrid"]["wall_ms"]["p95"]
        goals["fused_p95_ms_nine_sessions"] = {
            "value": p95,
            "target": TARGET_P95_MS,
            "met": p95 < TARGET_P95_MS,
            "share_of_target": ratio(p95, TARGET_P95_MS),
        }
        typer.echo(
            f"target fused p95 at nine sessions: {p95:.1f} ms vs {TARGET_P95_MS:.0f} ms "
            f"-> {'met' if p95 < TARGET_P95_MS else 'MISSED'}"
        )
    save_results(
        NAME,
        results_dir=results_dir,
        quick=quick,
        work_dir=work_dir,
        params={
            "quick": quick,
            "repeats": repeats,
            "n_queries": len(queries),
            "top_k": Settings().retrieval.top_k,
            "retrieval_settings": Settings().retrieval.model_dump(),
            "embedder": embedder.name,
            "embedder_settings": Settings().embedder.model_dump(mode="json"),
        },
        results={"sizes": rows, "growth_slopes": slopes, "targets": goals},
        machine=machine,
        started=started,
    )


if __name__ == "__main__":
    typer.run(main)
