"""Load test of the running app through its public HTTP API (``/ask``, via ``gradio_client``).

Starts ``app.py`` on a free loopback port with the configured index and (by default) the small
model, then for each level (1, 4, 16 simulated users) releases all users at once, each with its
own client session asking its own eval questions (``evals/dev.jsonl``, answerable ones), and
checks every reply: no errors, the reply is for the question that user asked (same question
text and the question's language), and the answer has text.

It does so once per engine configuration in ``--slots`` (default ``1,4``), in the same run: with
one slot the engine answers one question at a time, so the k-th user in line waits for k answers
and the answers' own times add up to no more than the wall time; with four slots, four answers
decode together in one batch (continuous batching) and the rest wait in the app's queue.

    .venv/bin/python -m benchmarks.bench_load          # slots 1 and 4; 1, 4, 16 users
    .venv/bin/python -m benchmarks.bench_load --slots 4 --levels 1,4

Everything is bounded: questions per user, a per-request timeout and a deadline per level.
Writes benchmarks/results/load.json and prints the table.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    DEV_SET,
    RESULTS_DIR,
    format_table,
    loglog_slope,
    machine_description,
    percentile,
    write_results,
)

log = logging.getLogger("bench_load")


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    text: str


@dataclass
class Outcome:
    """One request as the simulated user saw it."""

    user: int
    question_id: str
    latency_s: float
    server_total_s: float | None = None
    ttft_s: float | None = None  # server side: question in to first answer text out
    error: str | None = None
    mismatch: str | None = None
    refused: bool | None = None


@dataclass
class Level:
    users: int
    outcomes: list[Outcome] = field(default_factory=list)
    wall_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        ok = [o for o in self.outcomes if not o.error and not o.mismatch]
        latencies = [o.latency_s for o in ok]
        served = [o.server_total_s for o in ok if o.server_total_s is not None]
        waits = [o.latency_s - o.server_total_s for o in ok if o.server_total_s is not None]
        mean_service = statistics.fmean(served) if served else None
        return {
            "users": self.users,
            "requests": len(self.outcomes),
            "errors": sum(1 for o in self.outcomes if o.error),
            "mismatches": sum(1 for o in self.outcomes if o.mismatch),
            "refused": sum(1 for o in ok if o.refused),
            "wall_s": round(self.wall_s, 2),
            "latency_p50_s": _round(percentile(latencies, 50)),
            "latency_p95_s": _round(percentile(latencies, 95)),
            "latency_max_s": _round(max(latencies) if latencies else None),
            "latency_mean_s": _round(statistics.fmean(latencies) if latencies else None),
            "answer_time_p50_s": _round(percentile(served, 50)),
            "ttft_p50_s": _round(percentile([o.ttft_s for o in ok if o.ttft_s], 50)),
            "queue_wait_p50_s": _round(percentile(waits, 50)),
            "throughput_per_min": _round(60 * len(ok) / self.wall_s if self.wall_s else None),
            # One answer at a time: the answers' own times add up to no more than the wall time.
            "answer_time_sum_over_wall": _round(sum(served) / self.wall_s if self.wall_s else None),
            # M/D/1-like queue, everyone arriving at once: mean latency ≈ (N+1)/2 answers.
            "mean_latency_over_queue_model": _round(
                statistics.fmean(latencies) / (mean_service * (self.users + 1) / 2)
                if latencies and mean_service
                else None
            ),
            "failures": [asdict(o) for o in self.outcomes if o.error or o.mismatch],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def load_questions(path: Path, include_unanswerable: bool) -> list[Question]:
    """Eval questions, Chinese and English alternating, so every level mixes languages."""
    items = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    items = [i for i in items if include_unanswerable or i.get("answerable", True)]
    zh = [Question(i["id"], i["lang"], i["question"]) for i in items if i["lang"] == "zh"]
    en = [Question(i["id"], i["lang"], i["question"]) for i in items if i["lang"] != "zh"]
    mixed: list[Question] = []
    for pair in zip(zh, en, strict=False):
        mixed.extend(pair)
    return mixed + zh[len(en) :] + en[len(zh) :]


# --------------------------------------------------------------------------- the app process


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_app(port: int, env_overrides: dict[str, str], log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", **env_overrides}
    env.update({"ASSISTANT_APP__HOST": "127.0.0.1", "ASSISTANT_APP__PORT": str(port)})
    with log_path.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def wait_for_app(proc: subprocess.Popen, url: str, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise TimeoutError(f"the app did not answer at {url} within {timeout:.0f}s")


def stop_app(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


# --------------------------------------------------------------------------- simulated users


def ask(client: Any, question: Question, timeout: float) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    job = client.submit(question.text, "auto", None, api_name="/ask")
    payload = job.result(timeout=timeout)
    return payload, time.perf_counter() - started


def check_reply(question: Question, payload: Any) -> str | None:
    """Why ``payload`` is not the answer to ``question``, or ``None`` when it is."""
    if not isinstance(payload, dict):
        return f"not a JSON object: {type(payload).__name__}"
    if payload.get("error"):
        return f"error field: {payload['error']}"
    if payload.get("question") != question.text.strip():
        return f"answer is for another question: {str(payload.get('question'))[:80]!r}"
    if payload.get("language") != question.lang:
        return f"answer language {payload.get('language')} for a {question.lang} question"
    if not str(payload.get("text", "")).strip():
        return "empty answer text"
    return None


def run_level(url: str, users: int, questions: list[Question], timeout: float) -> Level:
    """All ``users`` start together; each asks its own questions one after another."""
    from gradio_client import Client

    per_user = len(questions) // users
    clients = [Client(url, verbose=False) for _ in range(users)]
    level = Level(users)
    lock = threading.Lock()
    start = threading.Barrier(users + 1)

    def user(n: int) -> None:
        mine = questions[n * per_user : (n + 1) * per_user]
        start.wait()
        for question in mine:
            outcome = Outcome(user=n, question_id=question.id, latency_s=0.0)
            try:
                payload, outcome.latency_s = ask(clients[n], question, timeout)
                outcome.mismatch = check_reply(question, payload)
                if isinstance(payload, dict):
                    timings = payload.get("timings") or {}
                    outcome.server_total_s = timings.get("total")
                    outcome.ttft_s = timings.get("ttft")
                    outcome.refused = payload.get("refused")
            except Exception as exc:  # a failed request is a result of the load test
                outcome.error = f"{type(exc).__name__}: {exc}"[:300]
            with lock:
                level.outcomes.append(outcome)

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=timeout * per_user + 60)
    level.wall_s = time.perf_counter() - began
    missing = users * per_user - len(level.outcomes)
    level.outcomes.extend(
        Outcome(user=-1, question_id="?", latency_s=timeout, error="no reply before the deadline")
        for _ in range(missing)
    )
    for client in clients:
        close = getattr(client, "close", None)
        if close:
            close()
    return level


# --------------------------------------------------------------------------- main


def run_configuration(
    slots: int,
    counts: list[int],
    pool: list[Question],
    questions_per_user: int,
    env: dict[str, str],
    timeout: float,
) -> dict[str, Any]:
    """Start the app with ``slots`` engine slots, warm it up, run every level, stop it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_load_app_{port}.log"
    app = start_app(port, {**env, "ASSISTANT_LLM__ENGINE_SLOTS": str(slots)}, log_path)
    measured: list[Level] = []
    try:
        wait_for_app(app, url, 300, log_path)
        from gradio_client import Client

        warm = pool[0]
        log.info("slots %d: warming up (starts the engine): %s", slots, warm.text)
        payload, warm_s = ask(Client(url, verbose=False), warm, timeout)
        if check_reply(warm, payload):
            raise RuntimeError(f"warm-up reply is wrong: {check_reply(warm, payload)}: {payload}")
        offset = 1
        for users in counts:
            batch = pool[offset : offset + users * questions_per_user]
            offset += len(batch)
            log.info("slots %d, level: %d users x %d question(s)", slots, users, questions_per_user)
            measured.append(run_level(url, users, batch, timeout))
            log.info("  %s", {k: v for k, v in measured[-1].summary().items() if k != "failures"})
    finally:
        stop_app(app)
    app_log = log_path.read_text(errors="replace")
    found = re.search(r"\((\d+) answer\(s\) at a time\)", app_log)
    summaries = [level.summary() for level in measured]
    slope = loglog_slope(
        [s["users"] for s in summaries], [s["latency_mean_s"] or 0 for s in summaries]
    )
    return {
        "engine_slots": slots,
        "levels": summaries,
        "warm_up_s": round(warm_s, 2),
        "app_answer_concurrency": int(found.group(1)) if found else None,
        "mean_latency_vs_users_loglog_slope": _round(slope),
    }


def main(
    levels: Annotated[str, typer.Option(help="Concurrent users per level.")] = "1,4,16",
    slots: Annotated[str, typer.Option(help="Engine slots per configuration.")] = "1,4",
    questions_per_user: Annotated[int, typer.Option(help="Questions each user asks.")] = 1,
    model: Annotated[str, typer.Option(help="llm.model for the app.")] = "small",
    threads: Annotated[int, typer.Option(help="llm.n_threads; 0: the setting.")] = 0,
    max_answer_tokens: Annotated[
        int, typer.Option(help="answer.max_answer_tokens; 0: the setting.")
    ] = 0,
    index_dir: Annotated[
        Path | None, typer.Option(help="paths.index_dir (default: the setting).")
    ] = None,
    include_unanswerable: Annotated[
        bool, typer.Option(help="Also ask questions that are refused without the model.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds one request may take, queued.")] = 900.0,
    results: Annotated[Path, typer.Option(help="Where to write the JSON.")] = RESULTS_DIR
    / "load.json",
) -> None:
    """Run the load test for each engine configuration and write the results."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    started = time.perf_counter()
    machine = machine_description(extra_packages=["gradio", "gradio_client"])
    counts = [int(x) for x in levels.split(",") if x.strip()]
    slot_counts = [int(x) for x in slots.split(",") if x.strip()]
    pool = load_questions(DEV_SET, include_unanswerable)
    needed = sum(counts) * questions_per_user + 1
    if needed > len(pool):
        raise typer.BadParameter(f"{needed} questions needed, {len(pool)} available")
    env = {"ASSISTANT_LLM__MODEL": model}
    if threads:
        env["ASSISTANT_LLM__N_THREADS"] = str(threads)
    if max_answer_tokens:
        env["ASSISTANT_ANSWER__MAX_ANSWER_TOKENS"] = str(max_answer_tokens)
    if index_dir:
        env["ASSISTANT_PATHS__INDEX_DIR"] = str(index_dir)
    # Every configuration is asked the same questions, so their figures compare.
    configurations = [
        run_configuration(n, counts, pool, questions_per_user, env, timeout) for n in slot_counts
    ]
    out = {
        "configurations": configurations,
        "all_ok": all(
            s["errors"] == 0 and s["mismatches"] == 0 for c in configurations for s in c["levels"]
        ),
    }
    _add_ratios(out)
    params = {
        "levels": counts,
        "slots": slot_counts,
        "questions_per_user": questions_per_user,
        "model": model,
        "n_threads": threads,
        "max_answer_tokens": max_answer_tokens,
        "index_dir": str(index_dir) if index_dir else "(settings)",
        "include_unanswerable": include_unanswerable,
        "timeout_s": timeout,
        "api": "/ask via gradio_client, one client session per user, loopback",
    }
    write_results(results, "load", params=params, results=out, machine=machine, started=started)
    headers = [
        "slots",
        "users",
        "requests",
        "errors",
        "mixed-up",
        "p50 s",
        "p95 s",
        "max s",
        "answer p50 s",
        "wait p50 s",
        "answers/min",
        "sum(answer)/wall",
    ]
    rows = [
        [c["engine_slots"], s["users"], s["requests"], s["errors"], s["mismatches"],
         s["latency_p50_s"], s["latency_p95_s"], s["latency_max_s"], s["answer_time_p50_s"],
         s["queue_wait_p50_s"], s["throughput_per_min"], s["answer_time_sum_over_wall"]]
        for c in configurations
        for s in c["levels"]
    ]  # fmt: skip
    typer.echo(format_table(headers, rows, title=f"Load test ({model}, /ask, loopback)"))
    for line in out.get("ratios", []):
        typer.echo(line)
    typer.echo(f"all ok: {out['all_ok']}; wrote {results}")
    if not out["all_ok"]:
        raise typer.Exit(code=1)


def _add_ratios(out: dict[str, Any]) -> None:
    """Each configuration against the first (one slot), level by level, as ratios."""
    base, *others = out["configurations"]
    lines = []
    for other in others:
        for mine, ref in zip(other["levels"], base["levels"], strict=True):
            p50 = _ratio(mine["latency_p50_s"], ref["latency_p50_s"])
            p95 = _ratio(mine["latency_p95_s"], ref["latency_p95_s"])
            rate = _ratio(mine["throughput_per_min"], ref["throughput_per_min"])
            lines.append(
                f"{mine['users']} users, {other['engine_slots']} slots vs "
                f"{base['engine_slots']}: p50 x{p50}, p95 x{p95}, answers/min x{rate}"
            )
    out["ratios"] = lines


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


if __name__ == "__main__":
    typer.run(main)
