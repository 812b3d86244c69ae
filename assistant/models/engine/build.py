"""What the engine was built for, and whether this CPU can run it.

The engine's CPU kernels are compiled for one instruction-set level; run on a CPU without it,
the first matrix multiplication raises SIGILL. The prebuilt wheel targets AVX2 + FMA + F16C +
BMI2 (every x86-64 CPU since 2015) with no AMX or AVX-512 code, so it runs wherever it is
installed or cached. These helpers read the build's own report in a child process, so asking
never loads native code into the caller.
"""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
from pathlib import Path

from assistant.models.hardware import cpu_flags

# llama.cpp's feature names (ggml_cpu_has_*) → the /proc/cpuinfo flag each needs.
_CPUINFO_FLAG = {
    "SSE3": "pni",
    "SSSE3": "ssse3",
    "AVX": "avx",
    "AVX2": "avx2",
    "F16C": "f16c",
    "FMA": "fma",
    "BMI2": "bmi2",
    "AVX_VNNI": "avx_vnni",
    "AVX512": "avx512f",
    "AVX512_VBMI": "avx512vbmi",
    "AVX512_VNNI": "avx512_vnni",
    "AVX512_BF16": "avx512_bf16",
    "AMX_INT8": "amx_int8",
}
_REPORT = "import xllamacpp; print(xllamacpp.get_system_info())"


def engine_library() -> Path:
    """The engine's native library file (for disassembly checks and the doctor)."""
    spec = importlib.util.find_spec("xllamacpp")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the engine package xllamacpp is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return next(folder.glob("xllamacpp*.so"))


@functools.lru_cache(maxsize=1)
def engine_system_info() -> str:
    """llama.cpp's one-line build report, e.g. ``CPU : SSE3 = 1 | AVX2 = 1 | …``."""
    result = subprocess.run(
        [sys.executable, "-c", _REPORT], capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        raise RuntimeError(f"the engine could not report its build: {result.stderr.strip()[-300:]}")
    return result.stdout.strip().splitlines()[-1]


def engine_build_features() -> dict[str, bool]:
    """The build report as ``{"AVX2": True, "LLAMAFILE": True, …}``."""
    report = engine_system_info().split(":", 1)[-1]
    features: dict[str, bool] = {}
    for item in report.split("|"):
        name, _, value = item.partition("=")
        if name.strip():
            features[name.strip()] = value.strip() == "1"
    return features


def missing_cpu_features(features: dict[str, bool] | None = None) -> list[str]:
    """Instruction sets the engine was built with that this CPU does not report."""
    features = engine_build_features() if features is None else features
    flags = cpu_flags()
    if not flags:  # not Linux/x86: nothing to compare against
        return []
    return [
        name
        for name, enabled in features.items()
        if enabled and name in _CPUINFO_FLAG and _CPUINFO_FLAG[name] not in flags
    ]
