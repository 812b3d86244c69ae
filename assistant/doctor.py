"""``assistant doctor``: can this machine answer questions? Each check says what it found.

The checks run in the order a failure would explain the next one: the CPU, the engine build it
must run, the model files, the model server (when answers come from one), one real generation,
the catalog database, the Chroma server (when vectors live in one), the index. The generation
runs in the engine's own child process, so a crash (SIGILL on an unexpected CPU) is reported,
not suffered. In a team deployment every host runs `assistant doctor` to see that it reaches
the shared database, Chroma server and model server with its settings.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

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
        ("speculative", check_speculative),
        ("model server", check_model_server),
        ("generation", check_generation),
        ("catalog", check_catalog),
        ("chroma", check_chroma),
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

    from assistant.models.engine.build import engine_build_features, engine_cpu_variant

    features = engine_build_features()
    enabled = [name for name, on in features.items() if on]
    variant = engine_cpu_variant(features)
    detail = f"xllamacpp {version('xllamacpp')}: {' '.join(enabled)}"
    risky = [name for name in enabled if name.startswith(("AMX", "AVX512"))]
    if risky:
        return CheckResult(
            "engine build",
            False,
            f"{detail}; built with {', '.join(risky)}, which other CPUs (and AMX on current "
            f"kernels) cannot run; {variant.describe()}",
            "reinstall the prebuilt engine: pip install --force-reinstall xllamacpp",
        )
    return CheckResult(
        "engine build", True, f"{detail} (portable: no AMX, no AVX-512); {variant.describe()}"
    )


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


def check_speculative(settings: Settings) -> CheckResult:
    """``llm.speculative``: off, or what drafts and whether its draft model is on disk."""
    from assistant.models.factory import speculative_config
    from assistant.models.manager import ModelManager, ModelMissingError

    llm = settings.llm
    if llm.backend != "llama_cpp" or llm.speculative == "off":
        return CheckResult("speculative", True, "off")
    manager = ModelManager.from_settings(settings)
    try:
        # The model's own file is the models check's business; here it only tells a draft
        # that is the model itself from a real one.
        model_path = manager.path(llm.model) if llm.model in manager.manifest else Path(llm.model)
        spec = speculative_config(llm, model_path, settings.paths.models_dir, manager.manifest)
    except ModelMissingError as exc:
        return CheckResult(
            "speculative",
            False,
            str(exc),
            f"assistant models pull {llm.draft_model}, or set llm.speculative: off",
        )
    if not spec.enabled:
        return CheckResult("speculative", True, "off (the draft model is the model itself)")
    draft = f", draft model {spec.draft_model_path.name}" if spec.draft_model_path else ""
    return CheckResult(
        "speculative",
        True,
        f"{'+'.join(spec.types)}{draft}, up to {spec.draft_max} tokens a step",
    )


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


def _get_json(url: str, headers: dict[str, str], timeout: float) -> object:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def _reason(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


_START_MODEL = (
    "start the model server (llama-server … --port PORT, see docs/DEPLOYMENT.md) or set "
    "llm.openai_base_url (ASSISTANT_LLM__OPENAI_BASE_URL)"
)


def check_model_server(settings: Settings) -> CheckResult:
    """With ``llm.backend: openai``: the server answers ``/models`` and serves our model."""
    import os

    llm = settings.llm
    if llm.backend != "openai":
        return CheckResult("model server", True, f"backend {llm.backend}: no model server")
    base = llm.openai_base_url.rstrip("/")
    key = os.environ.get(llm.openai_api_key_env, "")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        listing = _get_json(f"{base}/models", headers, min(llm.request_timeout_s, 10.0))
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            return CheckResult(
                "model server",
                False,
                f"{base} refused the key: {_reason(exc)}",
                f"put the server's --api-key in ${llm.openai_api_key_env} "
                "(llm.openai_api_key_env names the variable)",
            )
        return CheckResult("model server", False, f"{base}: {_reason(exc)}", _START_MODEL)
    except Exception as exc:
        return CheckResult(
            "model server", False, f"{base} does not answer: {_reason(exc)}", _START_MODEL
        )
    data = listing.get("data", []) if isinstance(listing, dict) else []
    names = sorted(str(m.get("id")) for m in data if isinstance(m, dict))
    if names and llm.openai_model not in names:
        return CheckResult(
            "model server",
            False,
            f"{base} serves {', '.join(names)}, not {llm.openai_model!r}",
            f"set llm.openai_model to one of: {', '.join(names)}",
        )
    return CheckResult("model server", True, f"{base} serves {', '.join(names) or 'a model'}")


def check_catalog(settings: Settings) -> CheckResult:
    """The catalog opens (the database answers, its schema is migrated) and what it holds."""
    from assistant.index.catalog import CatalogError, open_catalog

    try:
        catalog = open_catalog(settings, settings.paths.index_dir)
    except CatalogError as exc:
        fix = (
            "start PostgreSQL or correct catalog.dsn / catalog.password_file (docs/DEPLOYMENT.md)"
            if settings.catalog.mode == "postgres"
            else "check that paths.index_dir is a writable folder on a local disk"
        )
        return CheckResult("catalog", False, str(exc), fix)
    try:
        detail = (
            f"{catalog.describe()}: schema {catalog.schema_version()}, "
            f"{len(catalog.documents())} documents, version {catalog.version()}"
        )
        marks = catalog.writes_in_progress()
    finally:
        catalog.close()
    if marks:
        detail += f"; {len(marks)} document write(s) in progress or interrupted"
    return CheckResult("catalog", True, detail)


def check_chroma(settings: Settings) -> CheckResult:
    """With ``chroma.mode: http``: the Chroma server's heartbeat answers."""
    chroma = settings.chroma
    if chroma.mode != "http":
        return CheckResult("chroma", True, f"embedded in {settings.paths.index_dir / 'chroma'}")
    url = f"http://{chroma.host}:{chroma.port}/api/v2/heartbeat"
    headers = {}
    if chroma.auth_token is not None:
        headers["Authorization"] = f"Bearer {chroma.auth_token.get_secret_value()}"
    try:
        _get_json(url, headers, 10.0)
    except Exception as exc:
        return CheckResult(
            "chroma",
            False,
            f"no Chroma server at {chroma.host}:{chroma.port}: {_reason(exc)}",
            "start it (chroma run --path DIR --host HOST --port PORT) or set chroma.host / "
            "chroma.port (ASSISTANT_CHROMA__HOST, ASSISTANT_CHROMA__PORT)",
        )
    return CheckResult(
        "chroma", True, f"server at {chroma.host}:{chroma.port}, collection {chroma.collection}"
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
