"""What the machine offers the runtime: physical cores (threads) and a description for reports."""

from __future__ import annotations

import os
import platform
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
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def total_memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def describe_machine() -> dict[str, object]:
    """A small, JSON-ready description of this machine for benchmark reports."""
    return {
        "cpu_model": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "physical_cores": physical_cores(),
        "ram_bytes": total_memory_bytes(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
