"""``assistant doctor``: can this machine answer questions? Each check says what it found.

The checks run in the order a failure would explain the next one: the CPU, the engine build it
must run, the model files, one real generation, the index. The generation runs in the engine's
own child process, so a crash (SIGILL on an unexpected CPU) is reported, not suffered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.config import Settings

log = logging.getLogger(__name__)

# The CPU features that decide which engine kernels can run, in the order people look for them.
FEATURES_SHOWN = ("avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(settings: Settings) -> Iterator[CheckResult]:
    """Every check, one result each, in order."""
    steps: list[tuple[str, Callable[[Settings], CheckResult]]] = [
        ("cpu", check_cpu),
        ("engine build", check_engine_build),
        ("models", check_models),
        ("generation", check_generation),
        ("index", check_index),
    ]
    for name, step in steps:
        try:
            yield step(settings)
        except Exception as exc:  # a check that breaks is a failed check, not a crash
            log.debug("check %s raised", name, exc_info=True)
            yield CheckResult(name, False, f"the check itself failed: {exc}")


def check_cpu(settings: Settings) -> CheckResult:
    from assistant.models.engine.build import missing_cpu_features
    from assistant.models.hardware import cpu_flags, cpu_model, physical_cores

    flags = cpu_flags()
    shown = " ".join(f"{name}={'yes' if name in flags else 'no'}" for name in FEATURES_SHOWN)
    detail = f"{cpu_model()}, {physical_cores()} physical cores; {shown}"
    missing = missing_cpu_features()
    if missing:
        return CheckResult(
            "cpu",
            False,
            f"{detail}; lacks {', '.join(missing)}",
            "this CPU cannot run the engine's kernels: use a machine with AVX2 (x86-64 since "
            "2015), or point llm.backend=openai at a model server elsewhere",
        )
    return CheckResult("cpu", True, detail)


def check_engine_build(settings: Settings) -> CheckResult:
    from importlib.metadata import version

    from assistant.models.engine.build import engine_build_features

    features = engine_build_features()
    enabled = [name for name, on in features.items() if on]
    detail = f"xllamacpp {version('xllamacpp')}: {' '.join(enabled)}"
    risky = [name for name in enabled if name.startswith(("AMX", "AVX512"))]
    if risky:
        return CheckResult(
            "engine build",
            False,
            f"{detail}; built with {', '.join(risky)}, which other CPUs (and AMX on current "
            "kernels) cannot run",
            "reinstall the prebuilt engine: pip install --force-reinstall xllamacpp",
        )
    return CheckResult("engine build", True, f"{detail} (portable: no AMX, no AVX-512)")


def check_models(settings: Settings) -> CheckResult:
    from assistant.models.manager import ModelManager

    if settings.llm.backend != "llama_cpp":
        return CheckResult("models", True, f"backend {settings.llm.backend}: no local model file")
    manager = ModelManager.from_settings(settings)
    lines, failed = [], []
    for status in manager.list():
        configured = status.name == settings.llm.model
        if not status.present:
            lines.append(f"{status.name}: not pulled")
            if configured:
                failed.append(status.name)
            continue
        # The configured model is re-hashed; others use the remembered check (size + mtime).
        ok = manager.verify(status.name) if configured else status.verified is not False
        how = "sha256" if configured or status.verified else "unchecked"
        lines.append(f"{status.name}: {status.path.name} {how} {'ok' if ok else 'MISMATCH'}")
        if not ok:
            failed.append(status.name)
    if failed:
        fixes = "; ".join(f"assistant models pull {name}" for name in failed)
        return CheckResult("models", False, "; ".join(lines), fixes)
    return CheckResult("models", True, "; ".join(lines))


def check_generation(settings: Settings) -> CheckResult:
    from assistant.models.backends.base import ChatMessage, GenerationParams
    from assistant.models.backends.engine_backend import EngineChatModel
    from assistant.models.factory import load_chat_model

    llm = settings.llm.model_copy(update={"engine_slots": 1, "n_ctx": 512})
    model = load_chat_model(llm, settings.paths.models_dir)
    started = time.perf_counter()
    try:
        text = "".join(
            model.stream([ChatMessage("user", "Say OK.")], GenerationParams(max_tokens=1))
        )
        # Answers rest on a constrained choice with its probabilities (answer/selection.py).
        choice = getattr(model, "choose", None)
        probabilities = choice([ChatMessage("user", "Pick 1 or 2.")], "12") if choice else {}
    finally:
        if isinstance(model, EngineChatModel):
            model.supervisor.stop()
    seconds = time.perf_counter() - started
    if not text.strip():
        return CheckResult("generation", False, "the model returned no token")
    if abs(sum(probabilities.values()) - 1.0) > 1e-3:
        return CheckResult(
            "generation",
            False,
            f"{model.name} gave no probabilities for a constrained choice",
            "use the engine backend, or an OpenAI-compatible server that returns logprobs",
        )
    return CheckResult(
        "generation",
        True,
        f"{model.name}: one token and one choice in {seconds:.1f}s (engine start included)",
    )


def check_index(settings: Settings) -> CheckResult:
    from assistant.container import Container

    with Container(settings) as container:
        documents = len(container.documents.documents())
        found = container.index.check()
    detail = f"{documents} documents; " + "; ".join(found.lines())
    if not found.ok:
        return CheckResult("index", False, detail, "assistant index check --repair")
    if not documents:
        return CheckResult("index", False, "the index is empty", "assistant ingest")
    return CheckResult("index", True, detail)
