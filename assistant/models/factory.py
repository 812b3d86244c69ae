"""Build the configured ``ChatModel`` from settings: the one place a backend is chosen.

``llm.model`` may be a manifest name (``default``, ``small``), a path to a ``.gguf`` file, or a
transformers model directory; ``llm.backend = "openai"`` ignores it and talks to
``llm.openai_base_url`` instead. GGUF models run in a supervised engine process
(:mod:`assistant.models.engine`), never inside the caller's process.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from assistant.config import LLMSettings
from assistant.models.backends.base import BackendError, ChatModel
from assistant.models.engine.config import SpeculativeConfig
from assistant.models.hardware import physical_cores
from assistant.models.manager import ModelManager, ModelMissingError
from assistant.models.model_manifest import Manifest, UnknownModelError, load_manifest

log = logging.getLogger(__name__)


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
        speculative = speculative_config(settings, path, models_dir, manifest)
        return _load_gguf(path, settings, name=path.name, fingerprint=None, speculative=speculative)
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
    speculative = speculative_config(settings, path, models_dir, manifest)
    return _load_gguf(path, settings, name=name, fingerprint=entry.sha256, speculative=speculative)


def speculative_config(
    settings: LLMSettings, model_path: Path, models_dir: Path, manifest: Manifest
) -> SpeculativeConfig:
    """``llm.speculative`` as the engine takes it; the draft model must already be on disk.

    The draft is a manifest name (pulled by ``assistant models pull``, checked by size like the
    main model) or a .gguf path: nothing is downloaded here. A draft that is the model itself
    would only double the work, so it turns drafting off with a warning.
    """
    if settings.speculative == "off":
        return SpeculativeConfig()
    limits = SpeculativeConfig(
        draft_max=settings.draft_max_tokens, draft_p_min=settings.draft_min_prob
    )
    if settings.speculative == "ngram":
        return replace(limits, types=("ngram-simple",))
    draft = settings.draft_model
    if draft in manifest:
        draft_path = ModelManager(models_dir, manifest).require(draft)
    else:
        draft_path = Path(draft).expanduser()
        if draft_path.suffix.lower() != ".gguf" or not draft_path.is_file():
            raise ModelMissingError(
                f"llm.draft_model {draft!r} is neither a manifest name "
                f"({', '.join(manifest.names)}) nor a .gguf file"
            )
    if draft_path.resolve() == model_path.resolve():
        log.warning("llm.draft_model is the model itself: speculative decoding stays off")
        return SpeculativeConfig()
    return replace(limits, types=("draft",), draft_model_path=draft_path.resolve())


def _load_gguf(
    path: Path,
    settings: LLMSettings,
    *,
    name: str,
    fingerprint: str | None,
    speculative: SpeculativeConfig,
) -> ChatModel:
    from assistant.models.backends.engine_backend import EngineChatModel
    from assistant.models.engine import EngineConfig, EngineSupervisor

    config = EngineConfig(
        model_path=path.resolve(),
        n_ctx_per_slot=settings.n_ctx,
        slots=settings.engine_slots,
        threads=settings.n_threads or physical_cores(),
        batch=settings.n_batch,
        speculative=speculative,
    )
    return EngineChatModel(
        EngineSupervisor(config, start_timeout_s=settings.engine_start_timeout_s),
        name=name,
        fingerprint=fingerprint or f"gguf:{path.name}:{path.stat().st_size}",
        request_timeout_s=settings.request_timeout_s,
    )
