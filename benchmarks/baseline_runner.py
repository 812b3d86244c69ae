"""Answer the benchmark's questions with an older version of the pipeline, in its own process.

``bench_answer --baseline REF`` checks REF out into a git worktree and starts this script as
``python -P baseline_runner.py ...`` with ``PYTHONPATH=<worktree>``, so ``import assistant``
finds the older code (``-P`` keeps this folder off ``sys.path``: nothing here may shadow it).
That is why the script imports nothing from ``benchmarks`` (that package would be the older
one too) and uses only the API every version since the streaming pipeline has kept:

* ``Settings()`` and ``model_copy`` for the model, the index folder and a few answer settings;
* ``Container(settings)``: ``.ingest(paths)``, ``.assistant``, ``.chat_model``, ``.close()``;
* ``assistant.stream(question, history)`` yielding text deltas, perhaps a ``RetrievedEvidence``
  (with ``evidence_events=True`` where the signature has it) and a final ``Answer`` whose
  ``timings`` may hold ``first_evidence``, ``ttft`` and ``total``; only those are read.

The first text and the evidence are also timed here, from outside, the same way the new
pipeline is timed by ``benchmarks.answering.StreamingAsker``, so the two are comparable even
where a version's own timings mean something slightly different.

    PYTHONPATH=WORKTREE python -P benchmarks/baseline_runner.py --questions Q.json \
        --out OUT.json --model default --index-dir DIR [--ingest PATH ...]
"""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger("baseline_runner")

OWN_TIMINGS = ("first_evidence", "ttft", "total")  # what every version's Answer reports
NOISY_LOGGERS = ("httpx", "httpcore", "chromadb", "urllib3", "jieba")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The parent's instructions (argparse: this script may import only the standard library
    and the older ``assistant``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True, help="JSON from the parent")
    parser.add_argument("--out", type=Path, required=True, help="where to write the records")
    parser.add_argument("--model", required=True, help="manifest name of the chat model")
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument(
        "--ingest", type=Path, action="append", default=[], help="build the index from these"
    )
    parser.add_argument(
        "--answer-overrides", default="{}", help="JSON: answer settings of this version's names"
    )
    parser.add_argument("--warm-up-query", default="warm-up query")
    return parser.parse_args(argv)


def split_overrides(known: set[str], overrides: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The overrides this version has a setting for, and the names it does not know (a newer
    or older setting: left out and reported rather than failing the run)."""
    kept = {k: v for k, v in overrides.items() if k in known}
    return kept, sorted(set(overrides) - known)


def build_settings(model: str, index_dir: Path, overrides: dict[str, Any]) -> tuple[Any, list]:
    """This version's configured settings with the model, index and answer overrides set."""
    from assistant.config import Settings

    settings = Settings()
    kept, ignored = split_overrides(set(type(settings.answer).model_fields), overrides)
    update = {
        "paths": settings.paths.model_copy(update={"index_dir": index_dir}),
        "llm": settings.llm.model_copy(update={"model": model}),
        "answer": settings.answer.model_copy(update=kept),
    }
    return settings.model_copy(update=update), ignored


def ingest(container: Any, paths: list[Path]) -> dict[str, Any]:
    """Build the index with this version's own ingest: the index it answers from is its own."""
    started = time.perf_counter()
    report = container.ingest(paths)
    return {
        "wall_s": time.perf_counter() - started,
        "seconds_total": getattr(report, "seconds_total", None),
        "chunks_written": getattr(report, "chunks_written", None),
    }


def warm_up(container: Any, query: str) -> float:
    """As the parent warms the new pipeline up: one search (jieba's dictionary, the embedder)
    and a four-token reply (the weights paged in); the seconds taken."""
    from assistant.models.backends.base import ChatMessage, GenerationParams

    started = time.perf_counter()
    container.assistant.retriever.search(query, 1)
    params = GenerationParams(max_tokens=4, temperature=0.0)
    for _ in container.chat_model.stream([ChatMessage("user", "Say OK.")], params):
        pass
    return time.perf_counter() - started


def ask(assistant: Any, entry: dict[str, Any], evidence_events: bool) -> dict[str, Any]:
    """One question through the older pipeline, timed from outside as the parent times the new
    one; an error is recorded, not raised (one broken question must not lose the run)."""
    from assistant.answer.types import Answer, Turn

    history = [Turn(t["question"], t["answer"]) for t in entry.get("history", [])]
    kwargs = {"evidence_events": True} if evidence_events else {}
    record: dict[str, Any] = {"id": entry["id"], "error": None}
    started = time.perf_counter()
    first_text = evidence_seen = None
    final = None
    try:
        for item in assistant.stream(entry["question"], history, **kwargs):
            now = time.perf_counter() - started
            if isinstance(item, Answer):
                final = item
            elif isinstance(item, str):
                if item and first_text is None:
                    first_text = now
            elif evidence_seen is None:  # a RetrievedEvidence
                evidence_seen = now
        if final is None:
            raise RuntimeError("the assistant's stream ended without an Answer")
    except Exception as exc:
        logger.exception("question %s failed", entry["id"])
        record["error"] = f"{type(exc).__name__}: {exc}"
    wall = time.perf_counter() - started
    own = dict(final.timings) if final is not None else {}
    timings = {k: float(own[k]) for k in OWN_TIMINGS if own.get(k) is not None}
    timings["first_text"] = first_text if first_text is not None else timings.get("total")
    shown = [t for t in (first_text, evidence_seen) if t is not None]
    timings["first_shown"] = min(shown) if shown else timings.get("total")
    timings["evidence_seen"] = evidence_seen
    timings["wall"] = wall
    record["timings"] = timings
    record["refused"] = getattr(final, "refused", None)
    return record


def stop_engine(container: Any) -> None:
    """Stop this version's engine process now rather than when it notices its parent is gone,
    so it holds no memory while the parent goes on measuring."""
    model = container.__dict__.get("chat_model")  # only if it was built
    # a lazy model's ``loaded`` would start the engine just to stop it: read what it holds
    supervisor = getattr(getattr(model, "_model", model), "supervisor", None)
    if supervisor is not None:
        supervisor.stop()


def main(argv: list[str] | None = None) -> None:
    """Ingest when asked, warm up, answer every question, write the records."""
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s"
    )
    for noisy in NOISY_LOGGERS:  # a line per request otherwise
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = parse_args(argv)
    import assistant
    from assistant.container import Container

    logger.info("pipeline code from %s", Path(assistant.__file__).resolve().parent)
    payload = json.loads(args.questions.read_text(encoding="utf-8"))
    overrides = json.loads(args.answer_overrides)
    settings, ignored = build_settings(args.model, args.index_dir, overrides)
    if ignored:
        logger.warning("this version has no answer settings %s: left out", ignored)
    container = Container(settings)
    out: dict[str, Any] = {
        "assistant_package": str(Path(assistant.__file__).resolve().parent),
        "model": args.model,
        "ignored_overrides": ignored,
        "answer_settings": settings.answer.model_dump(mode="json"),
        "load_average_at_start": list(os.getloadavg()),
        "ingest": ingest(container, args.ingest) if args.ingest else None,
    }
    try:
        out["load_and_warm_up_s"] = warm_up(container, args.warm_up_query)
        out["model_name"] = getattr(container.chat_model, "name", args.model)
        assistant_ = container.assistant
        evidence_events = "evidence_events" in inspect.signature(assistant_.stream).parameters
        out["evidence_events"] = evidence_events
        records = []
        for entry in payload["questions"]:
            logger.info("baseline %s: %s", args.model, entry["id"])
            records.append(ask(assistant_, entry, evidence_events))
        out["questions"] = records
    finally:
        container.close()
        stop_engine(container)
    out["load_average_at_end"] = list(os.getloadavg())
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
