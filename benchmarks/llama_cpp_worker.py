"""One llama-cpp-python measurement, for ``bench_llm``'s engine comparison.

Standalone on purpose (standard library + ``llama_cpp`` only): it runs under whichever Python
has the llama-cpp-python build being compared, e.g. a virtual environment where it was compiled
with explicit, non-native CPU flags. Reads a JSON job on standard input, prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    job = json.loads(sys.stdin.read())
    import llama_cpp

    started = time.perf_counter()
    llm = llama_cpp.Llama(
        model_path=job["model_path"],
        n_ctx=job["n_ctx"],
        n_batch=job["n_batch"],
        n_ubatch=job["n_batch"],
        n_threads=job["threads"],
        n_threads_batch=job["threads"],
        verbose=False,
    )
    load_s = time.perf_counter() - started
    llama_cpp.llama_perf_context_reset(llm.ctx)
    request = time.perf_counter()
    first = None
    for chunk in llm.create_chat_completion(
        messages=job["messages"], stream=True, max_tokens=job["max_tokens"], temperature=0.0, seed=1
    ):
        if chunk["choices"][0]["delta"].get("content") and first is None:
            first = time.perf_counter()
    perf = llama_cpp.llama_perf_context(llm.ctx)
    print(
        json.dumps(
            {
                "load_s": load_s,
                "ttft_s": (first or time.perf_counter()) - request,
                "prompt_tokens": perf.n_p_eval,
                "prompt_tok_s": perf.n_p_eval / (perf.t_p_eval_ms / 1e3),
                "generated_tokens": perf.n_eval,
                "decode_tok_s": perf.n_eval / (perf.t_eval_ms / 1e3) if perf.n_eval else None,
                "peak_rss_mb": peak_rss_mb(),
                "build": llama_cpp.llama_print_system_info().decode(),
            }
        )
    )


if __name__ == "__main__":
    main()
