"""Speculative decoding against plain decoding, on the text the answering pipeline streams.

Every configuration gets its own engine, all loaded at once (same model, threads and slots as
the app's settings); each translation request of the development set
(``translation_workload.py``) is then sent to every engine in turn, the order rotating from one
request to the next, so a change in the shared machine's load falls on all configurations
alike. Per configuration: decode tokens/s (the engine's own generation time), the request's
wall time (prompt + decode, what the user waits for), drafted and accepted tokens, and whether
the text is character for character the one plain decoding wrote at temperature 0. Ratios are
against "off", from medians over the same requests.

    .venv/bin/python -m benchmarks.bench_llm speculative --limit 24
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.models.backends.engine_backend import EngineChatModel, EngineTimings
from assistant.models.engine import EngineConfig, EngineSupervisor
from assistant.models.engine.config import SpeculativeConfig
from assistant.models.hardware import cpu_flags, physical_cores
from assistant.models.manager import ModelManager
from benchmarks.translation_workload import ModelRequest

log = logging.getLogger(__name__)

FLAGS_RECORDED = (
    "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "avx512vbmi",
    "amx_tile", "amx_int8",
)  # fmt: skip


@dataclass(frozen=True)
class Variant:
    """One engine configuration under test."""

    name: str
    speculative: SpeculativeConfig


def variants(names: Sequence[str], draft_path: Path, draft_max: int, p_min: float) -> list[Variant]:
    """``off``, ``draft``, ``ngram``, ``draft+ngram`` as engine configurations; ``NAME@N`` drafts
    at most N tokens a step instead of ``draft_max`` (``draft@2``), for a sweep in one run."""
    out = []
    for name in names:
        kind, _, tokens = name.partition("@")
        n = int(tokens) if tokens else draft_max
        draft = {"draft_model_path": draft_path, "draft_max": n, "draft_p_min": p_min}
        made = {
            "off": SpeculativeConfig(),
            "draft": SpeculativeConfig(types=("draft",), **draft),
            "ngram": SpeculativeConfig(types=("ngram-simple",), draft_max=n),
            "draft+ngram": SpeculativeConfig(types=("draft", "ngram-simple"), **draft),
        }
        if kind not in made or (kind == "off" and tokens):
            raise ValueError(f"unknown configuration {name!r}: use {sorted(made)}, e.g. draft@2")
        out.append(Variant(name, made[kind]))
    return out


def run(
    settings: Settings,
    requests: Sequence[ModelRequest],
    chosen: Sequence[Variant],
    model: str,
    threads: int,
    warm_up: ModelRequest,
) -> dict[str, Any]:
    """Start one engine per variant, send each ``warm_up`` (not measured), replay ``requests``
    on all of them, return the figures."""
    manager = ModelManager.from_settings(settings)
    model_path = manager.require(model)
    engines: dict[str, EngineChatModel] = {}
    started: dict[str, float] = {}
    try:
        for variant in chosen:
            config = EngineConfig(
                model_path.resolve(),
                n_ctx_per_slot=settings.llm.n_ctx,
                slots=settings.llm.engine_slots,
                threads=threads or physical_cores(),
                batch=settings.llm.n_batch,
                speculative=variant.speculative,
            )
            supervisor = EngineSupervisor(config, start_timeout_s=600)
            t0 = time.perf_counter()
            supervisor.endpoint()
            started[variant.name] = time.perf_counter() - t0
            engines[variant.name] = EngineChatModel(supervisor, name=model, fingerprint="bench")
        for engine in engines.values():  # pages the model in; not measured
            _one(engine, warm_up)
        rss = {name: _rss_mb(engine) for name, engine in engines.items()}
        rows = _replay(engines, requests)
    finally:
        for engine in engines.values():
            engine.supervisor.stop()
    return {
        "model": model,
        "threads": threads or physical_cores(),
        "slots": settings.llm.engine_slots,
        "variants": {v.name: _describe(v.speculative) for v in chosen},
        "engine_start_s": started,
        "rss_mb_after_load": rss,
        "requests": rows,
        "summary": summarise(rows, [v.name for v in chosen]),
        "cpu_flags": {flag: flag in cpu_flags() for flag in FLAGS_RECORDED},
    }


def _replay(engines: dict[str, EngineChatModel], requests: Sequence[ModelRequest]) -> list[dict]:
    names = list(engines)
    rows = []
    for i, request in enumerate(requests):
        order = names[i % len(names) :] + names[: i % len(names)]
        row: dict[str, Any] = {"label": request.label, "order": order, "by_variant": {}}
        for name in order:
            row["by_variant"][name] = _one(engines[name], request)
        base = row["by_variant"].get("off", {}).get("text")
        for figures in row["by_variant"].values():
            figures["same_text_as_off"] = None if base is None else figures["text"] == base
        row["load_1min"] = round(os.getloadavg()[0], 2)
        rows.append(row)
        log.info(
            "%d/%d %s: %s",
            i + 1,
            len(requests),
            request.label,
            ", ".join(
                f"{n} {f['decode_tok_s']:.1f} tok/s {f['wall_s']:.1f}s"
                for n, f in row["by_variant"].items()
            ),
        )
    return rows


def _one(engine: EngineChatModel, request: ModelRequest) -> dict[str, Any]:
    t0 = time.perf_counter()
    pieces: list[str] = []
    timings: EngineTimings | None = None
    for item in engine.stream_with_timings(list(request.messages), request.params):
        if isinstance(item, EngineTimings):
            timings = item
        else:
            pieces.append(item)
    wall = time.perf_counter() - t0
    if timings is None:
        raise RuntimeError("the engine sent no timings")
    return {
        "text": "".join(pieces),
        "wall_s": wall,
        "prompt_tokens": timings.prompt_tokens,
        "prompt_ms": timings.prompt_ms,
        "generated_tokens": timings.generated_tokens,
        "decode_ms": timings.generation_ms,
        "decode_tok_s": timings.decode_tokens_per_s,
        "draft_tokens": timings.draft_tokens,
        "draft_accepted": timings.draft_accepted,
    }


def summarise(rows: Sequence[dict], names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per variant: medians, token-weighted decode speed, acceptance, same-text share, and the
    ratios against "off" (per request first, then the median of those ratios)."""
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        figures = [r["by_variant"][name] for r in rows]
        tokens = sum(f["generated_tokens"] for f in figures)
        decode_s = sum(f["decode_ms"] for f in figures) / 1000
        drafted = sum(f["draft_tokens"] for f in figures)
        same = [f["same_text_as_off"] for f in figures if f["same_text_as_off"] is not None]
        entry: dict[str, Any] = {
            "requests": len(figures),
            "generated_tokens": tokens,
            "decode_tok_s_overall": tokens / decode_s if decode_s else None,
            "decode_tok_s_median": statistics.median(f["decode_tok_s"] for f in figures),
            "wall_s_median": statistics.median(f["wall_s"] for f in figures),
            "wall_s_total": sum(f["wall_s"] for f in figures),
            "drafted": drafted,
            "accepted": sum(f["draft_accepted"] for f in figures),
            "acceptance": (
                sum(f["draft_accepted"] for f in figures) / drafted if drafted else None
            ),
            "same_text_as_off": f"{sum(same)}/{len(same)}" if same else None,
        }
        if name != "off" and "off" in names:
            base = [r["by_variant"]["off"] for r in rows]
            entry["ratio_decode_tok_s_vs_off"] = statistics.median(
                f["decode_tok_s"] / b["decode_tok_s"]
                for f, b in zip(figures, base, strict=True)
                if b["decode_tok_s"]
            )
            entry["ratio_wall_vs_off"] = statistics.median(
                f["wall_s"] / b["wall_s"] for f, b in zip(figures, base, strict=True)
            )
            entry["ratio_wall_total_vs_off"] = entry["wall_s_total"] / sum(
                b["wall_s"] for b in base
            )
        out[name] = entry
    return out


def table_rows(summary: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """Rows for ``format_table`` with :data:`TABLE_HEADERS`."""
    return [
        [
            name,
            s["requests"],
            s["decode_tok_s_overall"],
            s.get("ratio_decode_tok_s_vs_off"),
            s["wall_s_median"],
            s.get("ratio_wall_vs_off"),
            s.get("ratio_wall_total_vs_off"),
            s["acceptance"],
            s["same_text_as_off"] or "—",
        ]
        for name, s in summary.items()
    ]


TABLE_HEADERS = (
    "config",
    "requests",
    "decode tok/s",
    "decode ratio",
    "wall s p50",
    "wall ratio p50",
    "wall ratio total",
    "acceptance",
    "same text",
)


def _describe(spec: SpeculativeConfig) -> dict[str, Any]:
    return {
        "types": list(spec.types),
        "draft_model": spec.draft_model_path.name if spec.draft_model_path else None,
        "draft_max": spec.draft_max,
        "draft_p_min": spec.draft_p_min,
    }


def _rss_mb(engine: EngineChatModel) -> float | None:
    pid = engine.supervisor.pid
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
