"""What llama.cpp's runtime-dispatched CPU variants would buy over the engine's AVX2 build.

No registry reachable here ships llama.cpp's *server* with the dynamically loaded CPU variants
(GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS: ``libggml-cpu-haswell/skylakex/icelake/zen4/
sapphirerapids.so`` …); the one prebuilt set of them is inside node-llama-cpp's
``@node-llama-cpp/linux-x64`` npm package (Node bindings, no server). This benchmark uses that
set to measure, on this machine and in one run, prompt processing and decode speed of:

* ``xllamacpp``: the project's engine (static AVX2 build), raw-prompt ``/completion``;
* each named variant, loaded by ggml's own dispatcher from node-llama-cpp's folder with every
  other ``libggml-cpu-*.so`` moved aside (so the variant under test is the one ggml loads;
  the worker prints the loaded backend's build report to prove it).

Same model, prompt text, threads and batch everywhere; the order rotates per run so drifting
load hits all alike; ratios are against xllamacpp. The folder is restored afterwards.

    npm i -E node-llama-cpp@3.21.1 --prefix /tmp/nlc --ignore-scripts
    .venv/bin/python -m benchmarks.bench_cpu_variants --node-dir /tmp/nlc

Writes benchmarks/results/llm_cpu_variants.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import typer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.models.backends.openai_backend import estimate_tokens  # noqa: E402
from assistant.models.engine import EngineConfig, EngineSupervisor  # noqa: E402
from assistant.models.engine.build import engine_cpu_variant, engine_system_info  # noqa: E402
from assistant.models.hardware import cpu_flags, physical_cores  # noqa: E402
from assistant.models.manager import ModelManager  # noqa: E402
from benchmarks.bench_llm import build_messages  # noqa: E402
from benchmarks.common import format_table, machine_description, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "llm_cpu_variants.json"
WORKER = ROOT / "benchmarks" / "cpu_variant_worker.mjs"
BINS = Path("node_modules/@node-llama-cpp/linux-x64/bins/linux-x64")
FLAGS_RECORDED = (
    "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vbmi", "avx512_vnni", "avx512_bf16",
    "amx_tile", "amx_int8",
)  # fmt: skip
_OUT = typer.Option(RESULTS, help="Where to write the JSON report.")
_NODE_DIR = typer.Option(..., help="Folder holding node_modules/node-llama-cpp.")


@contextlib.contextmanager
def only_variant(bins: Path, variant: str) -> Iterator[None]:
    """Leave ``libggml-cpu-<variant>.so`` as the only CPU backend in ``bins``; restore after."""
    moved = []
    try:
        for lib in bins.glob("libggml-cpu-*.so"):
            if lib.name != f"libggml-cpu-{variant}.so":
                lib.rename(lib.with_suffix(".so.off"))
                moved.append(lib)
        if not (bins / f"libggml-cpu-{variant}.so").is_file():
            raise FileNotFoundError(f"no libggml-cpu-{variant}.so in {bins}")
        yield
    finally:
        for lib in moved:
            lib.with_suffix(".so.off").rename(lib)


def run_variant(node_dir: Path, variant: str, job: dict[str, Any]) -> dict[str, Any]:
    with only_variant(node_dir / BINS, variant):
        payload = json.dumps({**job, "node_modules": str(node_dir / "node_modules")})
        done = subprocess.run(
            ["node", str(WORKER)], input=payload, capture_output=True, text=True, timeout=900
        )
    if done.returncode != 0:
        raise RuntimeError(f"{variant}: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_xllamacpp(model_path: Path, job: dict[str, Any]) -> dict[str, Any]:
    config = EngineConfig(model_path, n_ctx_per_slot=4096, slots=1, threads=job["threads"],
                          batch=job["batch"])  # fmt: skip
    supervisor = EngineSupervisor(config)
    try:
        endpoint = supervisor.endpoint()
        body = {"prompt": job["prompt"], "n_predict": job["max_tokens"], "temperature": 0.0,
                "cache_prompt": False, "ignore_eos": True}  # fmt: skip
        response = httpx.post(
            f"{endpoint.base_url}/completion",
            json=body,
            headers={"Authorization": f"Bearer {endpoint.api_key}"},
            timeout=900,
        )
        response.raise_for_status()
        timings = response.json()["timings"]
    finally:
        supervisor.stop()
    return {
        "prompt_tokens": timings["prompt_n"],
        "prompt_tok_s": timings["prompt_per_second"],
        "generated_tokens": timings["predicted_n"],
        "decode_tok_s": timings["predicted_per_second"],
        "system_info": engine_system_info(),
    }


def main(
    node_dir: Path = _NODE_DIR,
    variants: str = typer.Option("", help="Comma-separated; default: haswell and this CPU's best"),
    model: str = typer.Option("default", help="Manifest name."),
    runs: int = typer.Option(2, help="Rotations (each measures every engine once)."),
    prompt_tokens: int = typer.Option(1000, help="Target prompt size."),
    max_tokens: int = typer.Option(48, help="Tokens decoded."),
    threads: int = typer.Option(0, help="CPU threads (0: physical cores)."),
    out: Path = _OUT,
) -> None:
    """Measure xllamacpp and the dispatched variants; print the table; write the JSON."""
    # A terminated run still puts the moved-aside CPU backends back (``only_variant``).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    settings = get_settings()
    machine = machine_description()
    model_path = ModelManager.from_settings(settings).require(model).resolve()
    best = engine_cpu_variant().best_for_cpu  # never sapphirerapids: AMX is excluded
    names = [v.strip() for v in variants.split(",") if v.strip()] or sorted({"haswell", best})
    messages = build_messages(estimate_tokens, prompt_tokens, rotation=0)
    prompt = "\n\n".join(m["content"] for m in messages)
    job = {"model_path": str(model_path), "prompt": prompt, "max_tokens": max_tokens,
           "threads": threads or physical_cores(), "batch": 512}  # fmt: skip
    engines = ["xllamacpp", *names]
    by_engine: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
    for rep in range(runs):
        order = engines[rep % len(engines) :] + engines[: rep % len(engines)]
        for engine in order:
            if engine == "xllamacpp":
                result = run_xllamacpp(model_path, job)
            else:
                result = run_variant(node_dir, engine, job)
            result["load_1min"] = round(os.getloadavg()[0], 2)
            by_engine[engine].append(result)
            typer.echo(
                f"run {rep + 1} {engine}: prompt {result['prompt_tok_s']:.1f} tok/s, decode "
                f"{result['decode_tok_s']:.2f} tok/s, load {result['load_1min']}",
                err=True,
            )
    medians = {
        e: {k: statistics.median(r[k] for r in rs) for k in ("prompt_tok_s", "decode_tok_s")}
        for e, rs in by_engine.items()
    }
    base = medians["xllamacpp"]
    ratios = {e: {k: m[k] / base[k] for k in m} for e, m in medians.items()}
    flags = cpu_flags()
    results = {
        "runs": by_engine,
        "median": medians,
        "ratio_vs_xllamacpp": ratios,
        "cpu_flags": {f: f in flags for f in FLAGS_RECORDED},
        "best_variant_for_cpu_without_amx": best,
    }
    params = {"model": model, "variants": names, "runs": runs, "prompt_tokens": prompt_tokens,
              "max_tokens": max_tokens, "threads": job["threads"],
              "node_llama_cpp": _node_version(node_dir)}  # fmt: skip
    write_results(out, "llm_cpu_variants", params=params, results=results, machine=machine,
                  started=started)  # fmt: skip
    typer.echo(
        f"machine: {machine['cpu_model']}, load {machine['load_average_1_5_15']} at start, "
        f"{[round(x, 2) for x in os.getloadavg()]} at end; flags: "
        + " ".join(f for f, on in results["cpu_flags"].items() if on)
    )
    rows = [
        [e, medians[e]["prompt_tok_s"], ratios[e]["prompt_tok_s"], medians[e]["decode_tok_s"],
         ratios[e]["decode_tok_s"]]
        for e in engines
    ]  # fmt: skip
    typer.echo(
        format_table(
            ("engine / CPU variant", "prompt tok/s", "ratio", "decode tok/s", "ratio"),
            rows,
            title=f"{model} model, ~{prompt_tokens}-token prompt, {job['threads']} threads",
        )
    )
    typer.echo(f"\nwritten to {out}")


def _node_version(node_dir: Path) -> str | None:
    package = node_dir / "node_modules" / "node-llama-cpp" / "package.json"
    try:
        return json.loads(package.read_text())["version"]
    except (OSError, KeyError, json.JSONDecodeError):
        return None


if __name__ == "__main__":
    typer.run(main)
