"""Build the configured ``ChatModel`` from settings: the one place a backend is chosen.

``llm.model`` may be a manifest name (``default``, ``small``), a path to a ``.gguf`` file, or a
transformers model directory; ``llm.backend = "openai"`` ignores it and talks to
``llm.openai_base_url`` instead. GGUF models run in a supervised engine process
(:mod:`assistant.models.engine`), never inside the caller's process.
"""

from __future__ import annotations

from pathlib import Path

from assistant.config import LLMSettings
from assistant.models.backends.base import BackendError, ChatModel
from assistant.models.hardware import physical_cores
from assistant.models.manager import ModelManager, ModelMissingError
from assistant.models.model_manifest import Manifest, UnknownModelError, load_manifest


def load_chat_model(
    settings: LLMSettings, models_dir: Path, manifest: Manifest | None = None
) -> ChatModel:
    """The chat model ``settings`` describe; a GGUF model gets its own engine process."""
    if settings.backend == "openai":
        from assistant.models.backends.openai_backend import OpenAIChatModel

        return OpenAIChatModel(
            settings.openai_base_url,
            settings.openai_model,
            api_key_env=settings.openai_api_key_env,
            timeout_s=settings.request_timeout_s,
        )
    manifest = manifest or load_manifest()
    spec = settings.model
    if spec in manifest:
        return _load_manifest_model(spec, settings, models_dir, manifest)
    path = Path(spec).expanduser()
    if spec.strip() and path.is_dir():  # Path("") is the working directory, not a model
        from assistant.models.backends.transformers_backend import TransformersChatModel

        return TransformersChatModel(path)
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise ModelMissingError(f"no GGUF file at {path}")
        return _load_gguf(path, settings, name=path.name, fingerprint=None)
    known = ", ".join(manifest.names)
    raise UnknownModelError(
        f"unknown model {spec!r}: use a manifest name ({known}), a .gguf file path "
        "or a transformers model directory"
    )


def _load_manifest_model(
    name: str, settings: LLMSettings, models_dir: Path, manifest: Manifest
) -> ChatModel:
    if settings.backend == "transformers":
        raise BackendError(
            f"model {name!r} is a GGUF file: use backend 'llama_cpp', "
            "or point llm.model at a transformers model directory"
        )
    manager = ModelManager(models_dir, manifest)
    path = manager.require(name)
    if manager.status(name).verified is False:
        raise ModelMissingError(
            f"model {name!r} at {path} failed verification: run `assistant models pull {name}`"
        )
    entry = manifest.get(name)
    return _load_gguf(path, settings, name=name, fingerprint=entry.sha256)


def _load_gguf(
    path: Path, settings: LLMSettings, *, name: str, fingerprint: str | None
) -> ChatModel:
    from assistant.models.backends.engine_backend import EngineChatModel
    from assistant.models.engine import EngineConfig, EngineSupervisor

    config = EngineConfig(
        model_path=path.resolve(),
        n_ctx_per_slot=settings.n_ctx,
        slots=settings.engine_slots,
        threads=settings.n_threads or physical_cores(),
        batch=settings.n_batch,
    )
    return EngineChatModel(
        EngineSupervisor(config, start_timeout_s=settings.engine_start_timeout_s),
        name=name,
        fingerprint=fingerprint or f"gguf:{path.name}:{path.stat().st_size}",
        request_timeout_s=settings.request_timeout_s,
    )
