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
from dataclasses import dataclass
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


# llama.cpp's CPU variants (the names of its runtime-dispatched ``libggml-cpu-<name>.so``
# libraries under GGML_CPU_ALL_VARIANTS), best first, each with the build features it needs
# beyond the next. A static build is named by the best variant its features satisfy, so the
# doctor says "haswell" for an AVX2 build on any machine and the same word a dispatched build
# would load.
CPU_VARIANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sapphirerapids", ("AMX_INT8", "AVX512_BF16", "AVX512_VNNI", "AVX512_VBMI", "AVX512")),
    ("zen4", ("AVX512_BF16", "AVX512_VNNI", "AVX512_VBMI", "AVX512")),
    ("icelake", ("AVX512_VNNI", "AVX512_VBMI", "AVX512")),
    ("skylakex", ("AVX512",)),
    ("haswell", ("AVX2", "FMA", "F16C", "BMI2")),
    ("sandybridge", ("AVX",)),
    ("sse42", ("SSSE3",)),
)


@dataclass(frozen=True)
class CpuVariant:
    """Which CPU code the engine runs, and what this CPU offers that it leaves unused."""

    name: str  # "haswell", "icelake", ... ("x64": baseline SSE only)
    features: tuple[str, ...]  # the build's instruction-set features
    best_for_cpu: str  # the variant this CPU could run (AMX excluded: see ``variant_for``)
    unused: tuple[str, ...]  # CPU features a better variant would use

    def describe(self) -> str:
        text = f"CPU variant {self.name} ({' '.join(self.features)})"
        if self.unused:
            text += (
                f"; this CPU could run {self.best_for_cpu}: "
                f"{', '.join(self.unused)} unused by this build"
            )
        return text


def variant_for(features: dict[str, bool], *, allow_amx: bool = False) -> str:
    """The best variant whose required features are all on; AMX only when allowed (its tile
    code faults with SIGILL where the kernel has not granted tile state to every thread)."""
    for name, needs in CPU_VARIANTS:
        if "AMX_INT8" in needs and not allow_amx:
            continue
        if all(features.get(need) for need in needs):
            return name
    return "x64"


def engine_cpu_variant(
    features: dict[str, bool] | None = None, flags: set[str] | None = None
) -> CpuVariant:
    """The engine build's CPU variant, and the one this CPU (its /proc/cpuinfo flags) allows."""
    features = engine_build_features() if features is None else features
    flags = cpu_flags() if flags is None else flags
    isa = tuple(name for name, on in features.items() if on and name in _CPUINFO_FLAG)
    running = variant_for(features)
    cpu_features = {name: flag in flags for name, flag in _CPUINFO_FLAG.items()}
    best = variant_for(cpu_features) if flags else running
    unused = tuple(
        name
        for name in dict(CPU_VARIANTS)[best]
        if best != running and cpu_features.get(name) and not features.get(name)
    ) if best in dict(CPU_VARIANTS) else ()  # fmt: skip
    return CpuVariant(running, isa, best, unused)


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
