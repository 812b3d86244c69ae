"""What the machine offers the runtime: physical cores for threads, the CPU model and its flags."""

from __future__ import annotations

import os
from pathlib import Path


def physical_cores() -> int:
    """Physical cores this process may use.

    llama.cpp's matrix kernels saturate a core's vector units, so a second hyper-thread on the
    same core adds contention rather than speed; one thread per physical core is the usual best.
    CPUs outside this process's affinity mask (containers, taskset) are not counted.
    """
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    usable = usable or 1
    cores = _cores_from_cpuinfo()
    return max(1, min(usable, cores)) if cores else usable


def _cores_from_cpuinfo() -> int | None:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    pairs: set[tuple[str, str]] = set()
    physical = core = ""
    for line in [*text.splitlines(), ""]:
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "physical id":
            physical = value
        elif key == "core id":
            core = value
        elif not key and core:
            pairs.add((physical, core))
            physical = core = ""
    return len(pairs) or None


def cpu_model() -> str:
    """The CPU's marketing name, e.g. "Intel(R) Xeon(R) Processor @ 2.60GHz"."""
    for line in _cpuinfo_lines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            return value.strip()
    return "unknown CPU"


def cpu_flags() -> set[str]:
    """The feature flags the kernel reports for the first CPU (empty where unknown)."""
    for line in _cpuinfo_lines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return set(value.split())
    return set()


def _cpuinfo_lines() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
