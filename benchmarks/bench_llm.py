"""The model engine on this machine: the prebuilt engine against a portable source build.

Compares, for each model, the project's engine (llama.cpp's server from the prebuilt
``xllamacpp`` wheel, in its supervised child process) with ``llama-cpp-python`` compiled from
source with explicit, non-native CPU flags (AVX2 + AVX-512/VNNI, no AMX), on the same ~1,500-token
RAG prompt from the bilingual corpus, with the same threads, context and batch: engine start
(load) time, prompt processing (tokens/s), time to first token, decode (tokens/s) and peak RSS.
Runs alternate A B B A so drift in machine load hits both alike; the table gives medians and the
ratio engine/source-build. Install figures (wheel install vs source compile) are measured
outside the run and passed in, since a 9-minute compile is not repeated per benchmark.

    .venv/bin/python -m benchmarks.bench_llm --lcp-python /tmp/lcp-venv/bin/python
    .venv/bin/python -m benchmarks.bench_llm --models small --runs 2
    .venv/bin/python -m benchmarks.bench_llm show       # re-print a saved report
    .venv/bin/python -m benchmarks.bench_llm speculative --configs off,draft,ngram

Writes benchmarks/results/llm.json (with the CPU model and flags); ``speculative`` (see
``speculative.py``: speculative decoding against plain decoding on the pipeline's translation
requests, in one run) writes benchmarks/results/llm_speculative.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import typer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.logging_setup import configure_logging  # noqa: E402
from assistant.models.backends.base import ChatMessage, GenerationParams  # noqa: E402
from assistant.models.backends.engine_backend import EngineChatModel, EngineTimings  # noqa: E402
from assistant.models.backends.openai_backend import estimate_tokens  # noqa: E402
from assistant.models.engine import EngineConfig, EngineSupervisor  # noqa: E402
from assistant.models.engine.build import engine_system_info  # noqa: E402
from assistant.models.hardware import cpu_flags, physical_cores  # noqa: E402
from assistant.models.manager import ModelManager  # noqa: E402
from benchmarks.common import machine_description  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "llm.json"
SPECULATIVE_RESULTS = ROOT / "benchmarks" / "results" / "llm_speculative.json"
WORKER = ROOT / "benchmarks" / "llama_cpp_worker.py"
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
ENGINES = ("xllamacpp", "llama-cpp-python")
FLAGS_RECORDED = ("avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")
FIGURES = (
    ("load_s", "engine start / load s", "{:.2f}", False),
    ("prompt_tok_s", "prompt tok/s", "{:.1f}", True),
    ("ttft_s", "TTFT s", "{:.2f}", False),
    ("decode_tok_s", "decode tok/s", "{:.2f}", True),
    ("peak_rss_mb", "peak RSS MB", "{:.0f}", False),
)

_OUT_OPTION = typer.Option(RESULTS, help="Where to write the JSON report.")
_REPORT_ARGUMENT = typer.Argument(RESULTS, help="A report written by this script.")
_SPECULATIVE_OUT_OPTION = typer.Option(SPECULATIVE_RESULTS, help="Where to write the JSON report.")

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


def run_engine(model_path: Path, messages: list[dict], job: dict) -> dict:
    """One measurement of the project's engine: a fresh engine process, one streamed reply."""
    config = EngineConfig(
        model_path,
        n_ctx_per_slot=job["n_ctx"],
        slots=1,
        threads=job["threads"],
        batch=job["n_batch"],
    )
    supervisor = EngineSupervisor(config)
    started = time.perf_counter()
    endpoint = supervisor.endpoint()
    load_s = time.perf_counter() - started
    model = EngineChatModel(supervisor, name=model_path.name, fingerprint="bench")
    chat = [ChatMessage(m["role"], m["content"]) for m in messages]
    params = GenerationParams(max_tokens=job["max_tokens"], temperature=0.0, seed=1)
    request = time.perf_counter()
    first, timings = None, None
    try:
        for item in model.stream_with_timings(chat, params):
            if isinstance(item, EngineTimings):
                timings = item
            elif first is None:
                first = time.perf_counter()
        rss = _peak_rss_of(endpoint.pid)
    finally:
        supervisor.stop()
    assert timings is not None, "the engine sent no timings"
    return {
        "load_s": load_s,
        "ttft_s": (first or time.perf_counter()) - request,
        "prompt_tokens": timings.prompt_tokens,
        "prompt_tok_s": timings.prompt_tokens_per_s,
        "generated_tokens": timings.generated_tokens,
        "decode_tok_s": timings.decode_tokens_per_s,
        "peak_rss_mb": rss,
    }


def run_llama_cpp_python(python: str, model_path: Path, messages: list[dict], job: dict) -> dict:
    """One measurement of llama-cpp-python, in a fresh process of the given Python."""
    payload = json.dumps({**job, "model_path": str(model_path), "messages": messages})
    done = subprocess.run(
        [python, str(WORKER)], input=payload, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _peak_rss_of(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _lcp_available(python: str) -> str | None:
    """The build report of llama-cpp-python under ``python``, or None when it is not there."""
    probe = "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


@app.command()
def main(
    models: str = typer.Option("default,small", help="Comma-separated manifest names."),
    runs: int = typer.Option(2, help="Alternations per model (each runs both engines once)."),
    prompt_tokens: int = typer.Option(1500, help="Target prompt size in tokens."),
    max_tokens: int = typer.Option(64, help="Tokens to decode per run."),
    threads: int = typer.Option(0, help="CPU threads (0: physical cores)."),
    lcp_python: str = typer.Option(
        sys.executable, help="A Python with the llama-cpp-python build to compare against."
    ),
    install_json: str = typer.Option(
        "{}", help='Install figures measured outside the run, e.g. {"xllamacpp": {...}}.'
    ),
    out: Path = _OUT_OPTION,
) -> None:
    """Benchmark both engines for each model and write the report."""
    manager = ModelManager.from_settings(get_settings())
    lcp_build = _lcp_available(lcp_python)
    if lcp_build is None:
        typer.echo(
            f"llama-cpp-python is not importable with {lcp_python}: measuring the engine alone"
        )
    flags = cpu_flags()
    report = {
        "machine": machine_description(),
        "cpu_flags": {name: name in flags for name in FLAGS_RECORDED},
        "memory_bandwidth_gbs": memory_bandwidth_gbs(),
        "method": __doc__.strip().splitlines()[0],
        "builds": {"xllamacpp": engine_system_info(), "llama-cpp-python": lcp_build},
        "install": json.loads(install_json),
        "models": {},
    }
    job = {
        "n_ctx": 4096,
        "n_batch": 512,
        "threads": threads or physical_cores(),
        "max_tokens": max_tokens,
    }
    engines = ENGINES if lcp_build else ENGINES[:1]
    for name in [m.strip() for m in models.split(",") if m.strip()]:
        path = manager.require(name)
        by_engine: dict[str, list[dict]] = {e: [] for e in engines}
        for rep in range(runs):
            messages = build_messages(estimate_tokens, prompt_tokens, rotation=rep)
            for engine in engines if rep % 2 == 0 else engines[::-1]:
                if engine == "xllamacpp":
                    result = run_engine(path, messages, job)
                else:
                    result = run_llama_cpp_python(lcp_python, path, messages, job)
                by_engine[engine].append(result)
                typer.echo(f"  {name} {engine} run {rep + 1}: " + _brief(result), err=True)
        report["models"][name] = {
            "file_bytes": manager.entry(name).size,
            "job": job,
            "runs": by_engine,
        }
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _finish(report, out)


@app.command()
def speculative(
    configs: str = typer.Option(
        "off,draft,ngram", help="Comma-separated: off, draft, ngram, draft+ngram."
    ),
    model: str = typer.Option("default", help="The model that writes (manifest name)."),
    draft: str = typer.Option("small", help="The draft model (manifest name)."),
    draft_max: int = typer.Option(4, help="Tokens drafted per step."),
    draft_p_min: float = typer.Option(0.75, help="The draft model's cut-off probability."),
    limit: int = typer.Option(24, help="Translation requests replayed (0: all)."),
    threads: int = typer.Option(0, help="CPU threads (0: physical cores)."),
    out: Path = _SPECULATIVE_OUT_OPTION,
) -> None:
    """Speculative decoding vs plain decoding on the pipeline's translation requests."""
    from benchmarks import speculative as spec
    from benchmarks.common import format_table, write_results
    from benchmarks.translation_workload import interleave, translation_requests

    configure_logging()
    started = time.perf_counter()
    settings = get_settings()
    machine = machine_description()
    every = interleave(translation_requests(settings))
    requests = every[:limit] if limit and limit < len(every) else every[:-1]
    draft_path = ModelManager.from_settings(settings).require(draft).resolve()
    chosen = spec.variants(
        [c.strip() for c in configs.split(",") if c.strip()], draft_path, draft_max, draft_p_min
    )
    results = spec.run(settings, requests, chosen, model, threads, warm_up=every[-1])
    params = {
        "configs": configs,
        "model": model,
        "draft": draft,
        "draft_max": draft_max,
        "draft_p_min": draft_p_min,
        "limit": limit,
        "workload": "translation requests of the cross-lingual dev questions",
    }
    write_results(out, "llm_speculative", params=params, results=results, machine=machine,
                  started=started)  # fmt: skip
    typer.echo(
        f"machine: {machine['cpu_model']}, load {machine['load_average_1_5_15']} at start, "
        f"{[round(x, 2) for x in os.getloadavg()]} at end; flags: "
        + " ".join(f for f, on in results["cpu_flags"].items() if on)
    )
    typer.echo(
        format_table(
            spec.TABLE_HEADERS,
            spec.table_rows(results["summary"]),
            title=f"speculative decoding, {model} model, {len(requests)} translation requests",
        )
    )
    typer.echo(f"\nwritten to {out}")


@app.command()
def show(path: Path = _REPORT_ARGUMENT) -> None:
    """Re-print the summary of a saved report."""
    _finish(json.loads(path.read_text(encoding="utf-8")), path)


def summarise_model(entry: dict, bandwidth_gbs: float) -> None:
    """Medians per engine, the engine/source-build ratio of each figure, the decode bound."""
    entry["median"] = {
        engine: {
            key: statistics.median(r[key] for r in runs if r.get(key) is not None)
            for key, *_ in FIGURES
        }
        for engine, runs in entry["runs"].items()
    }
    if len(entry["median"]) == 2:
        ours, theirs = (entry["median"][e] for e in ENGINES)
        entry["ratio_xllamacpp_over_llama_cpp_python"] = {
            key: ours[key] / theirs[key] if theirs[key] else None for key, *_ in FIGURES
        }
    entry["decode_bound_tok_s"] = bandwidth_gbs * 1e9 / entry["file_bytes"]


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
    """The Markdown tables (machine, flags, builds, install, speed) for a finished report."""
    machine = report["machine"]
    flags = " ".join(f"{k}={'yes' if v else 'no'}" for k, v in report["cpu_flags"].items())
    lines = [
        f"machine: {machine['cpu_model']}, {machine['physical_cores']} cores, "
        f"{machine['ram_gib']} GiB RAM; {flags}; load average "
        f"{machine['load_average_1_5_15']} at start, {report.get('load_average_at_end')} at end",
    ]
    for engine, build in report["builds"].items():
        lines.append(f"{engine} build: {build}")
    for engine, figures in report.get("install", {}).items():
        lines.append(f"{engine} install: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    lines += [
        "",
        "| model | figure | xllamacpp (prebuilt) | llama-cpp-python (source build) | ratio "
        "| decode bound |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, entry in report["models"].items():
        medians = entry["median"]
        ratios = entry.get("ratio_xllamacpp_over_llama_cpp_python", {})
        for key, label, fmt, _ in FIGURES:
            ours = medians["xllamacpp"][key]
            theirs = medians.get("llama-cpp-python", {}).get(key)
            ratio = ratios.get(key)
            bound = f"{entry['decode_bound_tok_s']:.1f} tok/s" if key == "decode_tok_s" else ""
            lines.append(
                f"| {name} | {label} | {fmt.format(ours)} | "
                f"{fmt.format(theirs) if theirs is not None else '—'} | "
                f"{f'{ratio:.2f}' if ratio else '—'} | {bound} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("show", "main", "speculative"):
        app()
    else:
        typer.run(main)
