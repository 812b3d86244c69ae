"""Cross-lingual retrieval quality of the configured embedder on the UN Parallel Corpus dev set.

Each English sentence must retrieve its Chinese translation among all the Chinese sentences by
cosine similarity, and each Chinese sentence its English one: recall@1/5/10 over the first
2,000 pairs (the set the reference figure, recall@1 0.977 en→zh for USE multilingual v3, was
measured on) and over all 4,000. A few Chinese sentences occur twice with different English
sources; retrieving an identical copy of the translation counts as a hit (the two cannot be
told apart), and the strict by-position figure is kept beside it.

    .venv/bin/python -m benchmarks.bench_crosslingual
    .venv/bin/python -m benchmarks.bench_crosslingual --quick   # first 200 pairs
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from assistant.config import Settings
from assistant.container import Container
from assistant.logging_setup import configure_logging
from benchmarks.common import (
    DEFAULT_WORK_DIR,
    UNPC_TSV,
    format_table,
    machine_description,
    ratio,
    save_results,
)

logger = logging.getLogger(__name__)

NAME = "crosslingual"
KS: tuple[int, ...] = (1, 5, 10)
REFERENCE_RECALL_AT_1 = 0.977  # USE multilingual v3, en→zh, 2,000 pairs
REFERENCE_PAIRS = 2000
QUICK_PAIRS = 200


def load_pairs(path: Path, limit: int | None = None) -> tuple[list[str], list[str]]:
    """English and Chinese sentences in file order. Split on tabs: fields hold bare quotes."""
    english: list[str] = []
    chinese: list[str] = []
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        en_col, zh_col = header.index("en"), header.index("zh")
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            english.append(fields[en_col])
            chinese.append(fields[zh_col])
            if limit is not None and len(english) == limit:
                break
    return english, chinese


def recall(sims: np.ndarray, targets: list[str], ks: tuple[int, ...]) -> dict[str, float]:
    """Recall@k of row i retrieving column i (or a column with the same text as column i)."""
    n = sims.shape[0]
    k_max = min(max(ks), sims.shape[1])
    top = np.argpartition(-sims, k_max - 1, axis=1)[:, :k_max]
    order = np.take_along_axis(sims, top, axis=1).argsort(axis=1)[:, ::-1]
    top = np.take_along_axis(top, order, axis=1)
    gold = np.arange(n)[:, None]
    text_hit = np.array([[targets[j] == targets[i] for j in row] for i, row in enumerate(top)])
    out: dict[str, float] = {}
    for k in ks:
        out[f"recall@{k}"] = float(text_hit[:, :k].any(axis=1).mean())
        out[f"recall@{k}_strict"] = float((top[:, :k] == gold).any(axis=1).mean())
    correct = np.diag(sims)[:, None]
    ranks = 1 + (sims > correct).sum(axis=1)
    out["mrr_strict"] = float((1.0 / ranks).mean())
    return out


def evaluate(
    en_vecs: np.ndarray, zh_vecs: np.ndarray, en: list[str], zh: list[str], n: int
) -> dict[str, Any]:
    sims = en_vecs[:n] @ zh_vecs[:n].T
    return {
        "pairs": n,
        "en→zh": recall(sims, zh[:n], KS),
        "zh→en": recall(sims.T.copy(), en[:n], KS),
    }


def main(
    quick: Annotated[bool, typer.Option(help=f"Only the first {QUICK_PAIRS} pairs.")] = False,
    work_dir: Annotated[Path, typer.Option(help="Quick results go under it.")] = DEFAULT_WORK_DIR,
    results_dir: Annotated[
        Path | None, typer.Option(help="Default: benchmarks/results (quick: WORK_DIR/results).")
    ] = None,
    tsv: Annotated[Path, typer.Option(help="The en/zh parallel sentences.")] = UNPC_TSV,
) -> None:
    """Recall@k of English↔Chinese translation retrieval with the configured embedder."""
    configure_logging()
    started = time.perf_counter()
    machine = machine_description()
    settings = Settings()
    en, zh = load_pairs(tsv, QUICK_PAIRS if quick else None)
    load_started = time.perf_counter()
    embedder = Container(settings).embedder
    load_s = time.perf_counter() - load_started
    t0 = time.perf_counter()
    en_vecs = embedder.embed(en)
    en_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    zh_vecs = embedder.embed(zh)
    zh_s = time.perf_counter() - t0
    sizes = [QUICK_PAIRS // 2, QUICK_PAIRS] if quick else [REFERENCE_PAIRS, len(en)]
    runs = [evaluate(en_vecs, zh_vecs, en, zh, n) for n in sizes]

    rows = [
        [f"{direction}, {run['pairs']:,} pairs"]
        + [run[direction][f"recall@{k}"] for k in KS]
        + [run[direction]["recall@1_strict"], run[direction]["mrr_strict"]]
        for run in runs
        for direction in ("en→zh", "zh→en")
    ]
    typer.echo(
        format_table(
            ["direction", *(f"R@{k}" for k in KS), "R@1 strict", "MRR strict"],
            rows,
            title=f"Cross-lingual retrieval, {embedder.name}",
            digits=3,
        )
    )
    reference = next((r for r in runs if r["pairs"] == REFERENCE_PAIRS), None)
    comparison = None
    if reference is not None:
        value = reference["en→zh"]["recall@1"]
        comparison = {
            "value": value,
            "reference": REFERENCE_RECALL_AT_1,
            "ratio": ratio(value, REFERENCE_RECALL_AT_1),
        }
        typer.echo(
            f"en→zh R@1 among {REFERENCE_PAIRS:,} pairs: {value:.3f} "
            f"(reference {REFERENCE_RECALL_AT_1}, ratio {comparison['ratio']:.3f})"
        )
    speed = {
        "model_load_s": load_s,
        "en_sentences_per_s": ratio(len(en), en_s),
        "zh_sentences_per_s": ratio(len(zh), zh_s),
        "en_mean_chars": sum(map(len, en)) / len(en),
        "zh_mean_chars": sum(map(len, zh)) / len(zh),
    }
    typer.echo(
        f"embedding speed: {speed['en_sentences_per_s']:.1f} en and "
        f"{speed['zh_sentences_per_s']:.1f} zh sentences/s "
        f"(batch {settings.embedder.batch_size})"
    )
    save_results(
        NAME,
        results_dir=results_dir,
        quick=quick,
        work_dir=work_dir,
        params={
            "quick": quick,
            "tsv": str(tsv),
            "embedder": embedder.name,
            "embedder_settings": settings.embedder.model_dump(mode="json"),
        },
        results={"runs": runs, "reference_comparison": comparison, "embedding_speed": speed},
        machine=machine,
        started=started,
    )


if __name__ == "__main__":
    typer.run(main)
