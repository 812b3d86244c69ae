"""LLM speed on this machine: the project's backend against raw ``llama_cpp.Llama``.

For each model (default, small) it measures load time, prompt processing (tokens/s) on a
~1,500-token RAG prompt built from the bilingual UN corpus, time to first token, decode
(tokens/s) and peak RSS, through ``assistant.models.factory.load_chat_model`` ("ours") and
straight through ``llama_cpp.Llama.create_chat_completion`` with the same settings ("raw").

Every measurement runs in a fresh worker process (so load time and peak RSS are its own), and
the two paths alternate run by run so drift in machine load hits both alike; the table shows
medians. Beside decode speed it states the physical bound: tokens/s cannot exceed memory
bandwidth / bytes read per token (all weights, about the GGUF size, for every token).

    .venv/bin/python -m benchmarks.bench_llm            # both models, 3 alternations
    .venv/bin/python -m benchmarks.bench_llm --models small --runs 1
    .venv/bin/python -m benchmarks.bench_llm show       # re-print a saved report

Writes benchmarks/results/llm.json.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import typer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import LLMSettings, get_settings  # noqa: E402
from assistant.models.hardware import physical_cores  # noqa: E402
from assistant.models.manager import ModelManager  # noqa: E402
from benchmarks.common import machine_description  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "llm.json"
SYSTEM = (
    "You answer questions about United Nations documents using only the numbered passages. "
    "Cite passages like [1]. Answer in the language of the question. "
    "你只根据编号段落回答关于联合国文件的问题，并用[1]这样的编号引用。"
)
QUESTIONS = (
    "委员会在哪一次会议上审议了报告？请引用段落。",
    "What did the speakers say about multilateralism? Cite the passages.",
    "反恐怖主义委员会执行局的报告提出了哪些建议？",
)
PATHS = ("ours", "raw")

_OUT_OPTION = typer.Option(RESULTS, help="Where to write the JSON report.")
_REPORT_ARGUMENT = typer.Argument(RESULTS, help="A report written by this script.")

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def corpus_passages(max_chars: int = 700) -> list[str]:
    """Paragraph-sized pieces alternating Chinese and English, as retrieval would return."""
    pieces: dict[str, list[str]] = {"zh": [], "en": []}
    for lang in pieces:
        for file in sorted((ROOT / "corpus" / lang).glob("*.txt")):
            text = " ".join(file.read_text(encoding="utf-8").split())
            step = max_chars // 2 if lang == "zh" else max_chars
            starts = range(0, min(len(text), 4 * step), step)
            pieces[lang].extend(text[i : i + step] for i in starts)
    mixed = [p for pair in zip(pieces["zh"], pieces["en"], strict=False) for p in pair]
    return [p for p in mixed if len(p) > 100]


def build_messages(count_tokens, target_tokens: int, rotation: int) -> list[dict[str, str]]:
    """System + numbered passages + question, grown until the prompt is ~``target_tokens``."""
    passages = corpus_passages()
    passages = passages[rotation * 3 :] + passages[: rotation * 3]
    question = QUESTIONS[rotation % len(QUESTIONS)]
    body: list[str] = []
    used = count_tokens(SYSTEM) + count_tokens(question) + 20
    for passage in passages:
        cost = count_tokens(passage) + 4
        if used + cost > target_tokens:
            break
        body.append(f"[{len(body) + 1}] {passage}")
        used += cost
    user = "Passages / 段落:\n" + "\n\n".join(body) + f"\n\nQuestion / 问题: {question}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def memory_bandwidth_gbs(size_mb: int = 512, repeats: int = 5) -> dict[str, float]:
    """Copy bandwidth (read + write bytes per second) with one thread and one per core."""
    src = np.ones(size_mb * (1 << 20) // 8, dtype=np.float64)
    dst = np.empty_like(src)
    results = {}
    for threads in sorted({1, physical_cores()}):
        chunks = np.array_split(np.arange(src.size), threads)
        bounds = [(c[0], c[-1] + 1) for c in chunks]
        best = float("inf")
        for _ in range(repeats):
            workers = [
                threading.Thread(target=np.copyto, args=(dst[a:b], src[a:b])) for a, b in bounds
            ]
            started = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            best = min(best, time.perf_counter() - started)
        results[f"{threads}_thread"] = 2 * src.nbytes / best / 1e9
    return results


def run_worker(path: str, name: str, messages_file: Path, settings: LLMSettings) -> dict:
    """One measurement in a fresh process: load, one streamed reply, peak RSS."""
    cmd = [
        sys.executable,
        __file__,
        "worker",
        path,
        name,
        str(messages_file),
        settings.model_dump_json(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@app.command()
def worker(path: str, name: str, messages_file: Path, settings_json: str) -> None:
    """Measure one path (ours/raw) for one model; prints one JSON line."""
    settings = LLMSettings.model_validate_json(settings_json)
    messages = json.loads(messages_file.read_text(encoding="utf-8"))
    models_dir = get_settings().paths.models_dir
    # Imports happen once per process in the app, so both paths import before the clock starts.
    import llama_cpp

    from assistant.models.backends.base import ChatMessage, GenerationParams
    from assistant.models.factory import load_chat_model

    started = time.perf_counter()
    if path == "ours":
        model = load_chat_model(settings, models_dir)
        llm = model.llama
        params = GenerationParams(max_tokens=settings.max_tokens, temperature=0.0, seed=1)
        chat = [ChatMessage(m["role"], m["content"]) for m in messages]
        load_s = time.perf_counter() - started

        def deltas():
            return model.stream(chat, params)
    else:
        llm = llama_cpp.Llama(
            model_path=str(ModelManager(models_dir).path(name)),
            n_ctx=settings.n_ctx,
            n_batch=settings.n_batch,
            n_ubatch=settings.n_batch,
            n_threads=settings.n_threads,
            n_threads_batch=settings.n_threads,
            seed=settings.seed,
            verbose=False,
        )
        load_s = time.perf_counter() - started

        def deltas():
            stream = llm.create_chat_completion(
                messages=messages,
                stream=True,
                max_tokens=settings.max_tokens,
                temperature=0.0,
                seed=1,
            )
            for chunk in stream:
                text = chunk["choices"][0]["delta"].get("content")
                if text:
                    yield text

    llama_cpp.llama_perf_context_reset(llm.ctx)
    request = time.perf_counter()
    first = last = None
    text = []
    for delta in deltas():
        last = time.perf_counter()
        first = first or last
        text.append(delta)
    perf = llama_cpp.llama_perf_context(llm.ctx)
    ttft = first - request
    result = {
        "path": path,
        "model": name,
        "load_s": load_s,
        "prompt_tokens": perf.n_p_eval,
        "generated_tokens": perf.n_eval,
        "ttft_s": ttft,
        "prompt_tok_s": perf.n_p_eval / ttft,
        "decode_tok_s": (perf.n_eval - 1) / (last - first) if perf.n_eval > 1 else None,
        "engine_prompt_tok_s": perf.n_p_eval / (perf.t_p_eval_ms / 1e3),
        "engine_decode_tok_s": perf.n_eval / (perf.t_eval_ms / 1e3) if perf.n_eval else None,
        "peak_rss_mb": peak_rss_mb(),
        "reply_head": "".join(text)[:80],
    }
    typer.echo(json.dumps(result, ensure_ascii=False))


def peak_rss_mb() -> float:
    """This process's peak RSS since exec (``ru_maxrss`` would include the forking parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


FIGURES = (
    ("load_s", "load s", "{:.2f}", False),
    ("prompt_tok_s", "prompt tok/s", "{:.1f}", True),
    ("ttft_s", "TTFT s", "{:.2f}", False),
    ("decode_tok_s", "decode tok/s", "{:.2f}", True),
    ("peak_rss_mb", "peak RSS MB", "{:.0f}", False),
    # Load-independent: time spent outside llama.cpp's own compute, per run.
    ("outside_engine_ms", "TTFT outside engine ms", "{:.0f}", False),
    ("decode_wall_vs_engine", "decode wall/engine", "{:.3f}", True),
)


def derived(run: dict) -> dict:
    """Per-run figures that a busy machine hardly moves: the cost around the engine.

    ``outside_engine_ms`` is time to first token minus llama.cpp's own prompt-evaluation time
    (template rendering, tokenisation, sampling, Python); ``decode_wall_vs_engine`` is the
    streamed decode rate over llama.cpp's internal decode rate.
    """
    engine_prompt_s = run["prompt_tokens"] / run["engine_prompt_tok_s"]
    wall_vs_engine = (
        run["decode_tok_s"] / run["engine_decode_tok_s"]
        if run["decode_tok_s"] and run["engine_decode_tok_s"]
        else None
    )
    return {
        **run,
        "outside_engine_ms": (run["ttft_s"] - engine_prompt_s) * 1e3,
        "decode_wall_vs_engine": wall_vs_engine,
    }


def summarise(runs: list[dict]) -> dict:
    runs = [derived(r) for r in runs]
    summary = {}
    for key, *_ in FIGURES:
        values = [r[key] for r in runs if r[key] is not None]
        summary[key] = statistics.median(values) if values else None
    summary["prompt_tokens"] = statistics.median(r["prompt_tokens"] for r in runs)
    summary["generated_tokens"] = statistics.median(r["generated_tokens"] for r in runs)
    return summary


def ratio(ours: float, raw: float, higher_is_better: bool) -> float:
    """How ours compares with raw as a fraction of raw, positive when ours is worse."""
    return (raw - ours) / raw if higher_is_better else (ours - raw) / raw


def summarise_model(entry: dict, bandwidth_gbs: float) -> None:
    """Fill ``entry`` (one model's runs) with medians, ours-vs-raw gaps and the decode bound."""
    summary = {p: summarise(r) for p, r in entry["runs"].items()}
    entry["median"] = summary
    entry["ours_vs_raw_worse_by"] = {
        key: ratio(summary["ours"][key], summary["raw"][key], hib) for key, _, _, hib in FIGURES
    }
    entry["decode_bound_tok_s"] = bandwidth_gbs * 1e9 / entry["file_bytes"]


@app.command()
def main(
    models: str = typer.Option("default,small", help="Comma-separated manifest names."),
    runs: int = typer.Option(3, help="Alternations per model (each runs ours and raw once)."),
    prompt_tokens: int = typer.Option(1500, help="Target prompt size in tokens."),
    max_tokens: int = typer.Option(64, help="Tokens to decode per run."),
    n_batch: int | None = typer.Option(None, help="Override llm.n_batch."),
    n_threads: int | None = typer.Option(None, help="Override llm.n_threads."),
    out: Path = _OUT_OPTION,
) -> None:
    """Benchmark both paths for each model and write the report."""
    base = get_settings().llm
    manager = ModelManager.from_settings(get_settings())
    report = {
        "machine": machine_description(),
        "memory_bandwidth_gbs": memory_bandwidth_gbs(),
        "method": __doc__.strip().splitlines()[0],
        "models": {},
    }
    for name in [m.strip() for m in models.split(",") if m.strip()]:
        manager.require(name)
        settings = base.model_copy(
            update={
                "model": name,
                "max_tokens": max_tokens,
                "n_threads": n_threads or base.n_threads or physical_cores(),
                "n_batch": n_batch or base.n_batch,
            }
        )
        from llama_cpp import Llama

        vocab = Llama(model_path=str(manager.path(name)), vocab_only=True, verbose=False)

        def count(text: str, vocab=vocab) -> int:
            return len(vocab.tokenize(text.encode(), add_bos=False))

        by_path: dict[str, list[dict]] = {p: [] for p in PATHS}
        with tempfile.TemporaryDirectory() as tmp:
            for rep in range(runs):
                messages_file = Path(tmp) / f"messages{rep}.json"
                messages = build_messages(count, prompt_tokens, rotation=rep)
                messages_file.write_text(json.dumps(messages, ensure_ascii=False), "utf-8")
                order = PATHS if rep % 2 == 0 else PATHS[::-1]
                for path in order:
                    result = run_worker(path, name, messages_file, settings)
                    by_path[path].append(result)
                    typer.echo(f"  {name} {path} run {rep + 1}: " + _brief(result), err=True)
        report["models"][name] = {
            "file_bytes": manager.entry(name).size,
            "settings": settings.model_dump(mode="json"),
            "runs": by_path,
        }
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _finish(report, out)


@app.command()
def show(path: Path = _REPORT_ARGUMENT) -> None:
    """Re-derive the summary of a saved report (e.g. after adding a figure) and print it."""
    _finish(json.loads(path.read_text(encoding="utf-8")), path)


def _finish(report: dict, out: Path) -> None:
    best_bw = max(report["memory_bandwidth_gbs"].values())
    for entry in report["models"].values():
        summarise_model(entry, best_bw)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    typer.echo(render(report))
    typer.echo(f"\nwritten to {out}")


def _brief(result: dict) -> str:
    return ", ".join(
        fmt.format(result[key]) + f" {label}"
        for key, label, fmt, _ in FIGURES
        if result.get(key) is not None
    )


def render(report: dict) -> str:
    """The Markdown table (with the machine and settings) for a finished report."""
    machine = report["machine"]
    bw = ", ".join(f"{k}: {v:.1f} GB/s" for k, v in report["memory_bandwidth_gbs"].items())
    lines = [
        f"machine: {machine['cpu_model']}, {machine['physical_cores']} cores, "
        f"{machine['ram_gib']} GiB RAM; copy bandwidth {bw}; load average "
        f"{machine['load_average_1_5_15']} at start, {report.get('load_average_at_end')} at end",
    ]
    for name, entry in report["models"].items():
        s = entry["settings"]
        lines.append(
            f"{name}: n_ctx={s['n_ctx']} n_batch={s['n_batch']} n_threads={s['n_threads']} "
            f"max_tokens={s['max_tokens']}, prompt {entry['median']['ours']['prompt_tokens']:.0f}"
            f" tokens, {len(entry['runs']['ours'])} runs per path (medians)"
        )
    lines += [
        "",
        "| model | figure | ours | raw | ours worse by | decode bound |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, entry in report["models"].items():
        for key, label, fmt, _ in FIGURES:
            ours, raw = entry["median"]["ours"][key], entry["median"]["raw"][key]
            worse = entry["ours_vs_raw_worse_by"][key] * 100
            bound = f"{entry['decode_bound_tok_s']:.1f} tok/s" if key == "decode_tok_s" else ""
            lines.append(
                f"| {name} | {label} | {fmt.format(ours)} | {fmt.format(raw)} "
                f"| {worse:+.1f}% | {bound} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("worker", "show", "main"):
        app()
    else:
        typer.run(main)
