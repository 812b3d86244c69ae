"""One typed settings object for the whole assistant.

Where a value comes from, later sources overriding earlier ones:

1. defaults in code (this module);
2. the **profile**: ``settings/<name>.yaml`` in the repository, chosen by ``ASSISTANT_PROFILE``
   (``default``, the built-in values and no file; ``test``, hermetic test runs; ``server``, a
   team deployment with a Chroma server and model servers, see ``docs/DEPLOYMENT.md``);
3. the user's file, ``assistant.yaml`` in the working directory or the path in
   ``ASSISTANT_CONFIG``;
4. environment variables with the prefix ``ASSISTANT_`` and ``__`` between nested names
   (``ASSISTANT_LLM__MODEL=small``);
5. values passed to ``Settings(...)``.

A profile may shut out sources 3 and 4 (``sources:`` in its file): the ``test`` profile does, so
that a developer's ``assistant.yaml`` or exported variables never change what a test sees.

Thresholds fitted on data are not copied here: ``answer.min_relevance`` is read from the
calibration file that ``assistant calibrate`` writes (``paths.calibration_file``) unless a file,
the environment or the caller sets it.
"""

from __future__ import annotations

import json
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROFILES_DIR = PROJECT_ROOT / "settings"
PROFILE_ENV = "ASSISTANT_PROFILE"
DEFAULT_PROFILE = "default"


class SettingsError(ValueError):
    """The settings cannot be assembled (unknown profile, missing calibration); says the fix."""


class _Section(BaseModel):
    """A group of settings. A key it does not know is an error, not silently ignored: a typo,
    or a setting that was removed, would otherwise leave the user believing it took effect."""

    model_config = ConfigDict(extra="forbid")


def _default_models_dir() -> Path:
    """Models live in a stable per-user cache so that a fresh clone reuses a pulled file."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "assistant" / "models"


class PathSettings(_Section):
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    models_dir: Path = Field(default_factory=_default_models_dir)
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    runs_dir: Path = PROJECT_ROOT / "evals" / "runs"
    feedback_file: Path = PROJECT_ROOT / "feedback" / "feedback.jsonl"
    glossary_file: Path = PROJECT_ROOT / "assistant" / "text" / "data" / "glossary.tsv"
    # Written by `assistant calibrate`; thresholds fitted on data are read from it.
    calibration_file: Path = PROJECT_ROOT / "evals" / "calibration.json"


class ChunkSettings(_Section):
    """Chunk sizes are in *units*: one CJK character or one Latin word each.

    Characters under-count English and words under-count Chinese; units treat both fairly and
    are close to the embedder's own token counts for either language.
    """

    max_units: int = 220
    overlap_units: int = 40


class IngestSettings(_Section):
    """How files are read (``assistant/ingest/loaders``).

    A PDF page whose text layer holds fewer than ``text_layer_min_chars`` letters, digits or
    Han characters (or is mostly debris) and that draws an image is a scan: it is rendered at
    ``ocr_dpi`` and recognised by OCR, keeping recognised lines scored at least
    ``ocr_min_confidence``. ``ocr: false`` turns that off (scanned pages are then reported as
    having no text). ``ocr_threads``: pages of a file recognised at once, each by its own
    engine on one onnxruntime thread; ``None`` for one per physical core.
    ``embed_workers``: threads that embed an ingest's chunks (and the BM25 vocabulary) side by
    side, each on one BLAS thread, while the ingest reads and writes; ``None`` for one per
    physical core (1 embeds on one core, as queries are).
    ``ocr_line_rotation`` runs PP-OCR's direction classifier on every line (for lines printed
    upside down); off, because on upright scans it turned a line with curly quotes and a
    superscript upside down and lost it (1 line of 300 in the benchmark's ten pages).
    ``ocr_detector_side``: the text detector sees the page scaled to at most this many pixels
    on its longer side (PaddleOCR's default, 960); recognition reads the full-size page.
    """

    ocr: bool = True
    ocr_dpi: int = 150
    ocr_min_confidence: float = 0.5
    ocr_threads: int | None = None
    ocr_line_rotation: bool = False
    ocr_detector_side: int = Field(default=960, ge=320)
    text_layer_min_chars: int = 20
    embed_workers: int | None = None


class EmbedderSettings(_Section):
    kind: Literal["use", "sentence-transformers"] = "use"
    path: Path | None = None  # model directory for sentence-transformers
    batch_size: int = 64
    # BLAS threads for USE. One is fastest on a 2-core machine: its matrices are small, and a
    # second thread spin-waits against the LLM or the other core's work (3-5x more CPU time,
    # measured). None: one per physical core.
    threads: int | None = 1


class ChromaSettings(_Section):
    mode: Literal["persistent", "http"] = "persistent"
    host: str = "127.0.0.1"
    port: int = 8000
    auth_token: SecretStr | None = None
    collection: str = "passages"
    # Candidates HNSW examines per query. At Chroma's default (100) the dense side's top 40
    # changed from one process to the next (the 40th passage of a dev question came and went,
    # and with it a rank-5 hit); at 1000 it is the exact top 40 every time, and a search of
    # 22k passages still takes milliseconds. Applied to an existing collection when it opens.
    search_ef: int = Field(default=1000, ge=10)


class CatalogSettings(_Section):
    """Where the catalog (documents, passages, uploads, feedback, audit log) lives.

    ``sqlite`` is the embedded default: ``index_dir/catalog.sqlite``, shared only by processes on
    one host. ``postgres`` puts it in a PostgreSQL database that app processes on several hosts
    share (docs/DEPLOYMENT.md); each host then keeps BM25 as a local cache rebuilt when the
    catalog's version changes. The DSN is a ``SecretStr`` because it may carry a password; the
    password can instead come from ``password_file`` (one line, ``chmod 600``), which wins.
    """

    mode: Literal["sqlite", "postgres"] = "sqlite"
    dsn: SecretStr | None = None  # postgresql://user@host:5432/dbname
    password_file: Path | None = None
    pool_size: int = 4  # connections per process: answers, uploads and the admin run together
    connect_timeout_s: float = 5.0

    @model_validator(mode="after")
    def _dsn_for_postgres(self) -> CatalogSettings:
        if self.mode == "postgres" and not (self.dsn and self.dsn.get_secret_value().strip()):
            raise SettingsError(
                "catalog.mode is postgres but catalog.dsn is not set: set "
                "ASSISTANT_CATALOG__DSN=postgresql://USER@HOST:5432/DBNAME (password in the DSN "
                "or in the file named by catalog.password_file)"
            )
        return self


class RetrievalSettings(_Section):
    """The retriever's parts (assistant/index/factory.py) and their weights.

    Sides: dense (multilingual cosine), BM25 over the question's own tokens, and BM25 over its
    terms in the other language (glossary, then the term bridge for the rest). They are fused
    by language-routed weighted fusion (index/fusion.py) with a prior on the language the
    question is about (index/routing.py). Features measured and rejected are recorded in
    evals/retrieval_experiments.md, not kept as switches here.
    """

    top_k: int = 8
    dense_candidates: int = 40
    lexical_candidates: int = 40
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    # The dense side enters fusion as cosine x this scale (cosines mean the same in every
    # query); 0: min-max like the keyword sides.
    dense_cosine_scale: float = 2.0
    language_prior_weight: float = 1.0
    language_prior_temperature: float = 0.05
    glossary_expansion: bool = True
    # Cross-lingual keyword search (assistant/index/term_bridge.py): each query term is also
    # searched as its nearest corpus terms of the other language, in a BM25 run of its own.
    term_translation: bool = True
    term_min_similarity: float = 0.7
    terms_per_token: int = 2
    crosslingual_weight: float = 1.0
    # Dictionary query translation (assistant/retrieval/dictionary.py, CC-CEDICT): each source
    # term's corpus translations as one group of alternatives, in a BM25 run of its own.
    dictionary_translation: bool = True
    dictionary_weight: float = 1.0
    dictionary_terms_per_token: int = 4
    # Answer-type prior (assistant/retrieval/answer_type.py): a passage holding a figure of the
    # type a part of the question asks for (a meeting, a date, an amount …) gains up to this
    # much fused score, by how rare that type is among the first ``answer_type_pool`` hits.
    answer_type_weight: float = 0.75
    answer_type_pool: int = 20


class LLMSettings(_Section):
    # "llama_cpp": GGUF models in a supervised llama.cpp engine process (assistant/models/engine)
    backend: Literal["llama_cpp", "transformers", "openai"] = "llama_cpp"
    model: str = "default"  # manifest name, a .gguf path or a transformers directory
    n_ctx: int = 4096  # per conversation (engine slot)
    n_threads: int | None = None  # None: physical cores
    n_batch: int = 512
    # Answers the engine decodes together (continuous batching); more wait in the app's queue.
    engine_slots: int = 4
    engine_start_timeout_s: float = 180.0
    # Speculative decoding in the engine (assistant/models/engine/config.py): "draft" lets
    # ``draft_model`` (a manifest name or .gguf path; same tokenizer as ``model``) propose
    # ``draft_max_tokens`` tokens that the model checks in one batch; "ngram" proposes the
    # tokens that followed the current n-gram earlier in the prompt or answer (prompt lookup).
    # At temperature 0 the text is the model's own either way. Off: on 2 CPU cores checking a
    # batch costs nearly as much as decoding it, so neither wins (benchmarks/README.md).
    speculative: Literal["off", "draft", "ngram"] = "off"
    draft_model: str = "small"
    draft_max_tokens: int = Field(default=4, ge=1, le=64)
    draft_min_prob: float = Field(default=0.75, ge=0.0, le=1.0)
    temperature: float = 0.0
    seed: int = 42
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "local"
    openai_api_key_env: str = "OPENAI_API_KEY"
    request_timeout_s: float = 300.0


class AnswerSettings(_Section):
    # Refusal threshold for relevance_signal; None: read from paths.calibration_file (the
    # threshold `assistant calibrate` fitted for that signal on evals/dev.jsonl). A cheap first
    # filter only: the calibrated choice confidence (confidence.py) makes the real decision.
    min_relevance: float | None = None
    relevance_signal: Literal["dense", "lexical", "sentence", "combined"] = "dense"
    relevance_top_n: int = 3  # passages whose evidence the refusal decision looks at
    history_turns: int = 4
    language: Literal["auto", "zh", "en"] = "auto"
    max_question_chars: int = 1000  # longer questions are cut, with a warning
    # Evidence selection (candidates.py, selection.py): the sentences of the first
    # `candidate_passages` retrieved passages are ranked by a cheap scorer and the best
    # `select_candidates` (at most 9) are shown to the model, which chooses one or none.
    candidate_passages: int = 6
    select_candidates: int = 6
    # What a wrong answer costs against a right one when `assistant calibrate` chooses the
    # confidence threshold (a declined question costs nothing). The labels it is fitted on are
    # strict (a right answer in other words than the gold span can count as wrong), so 1 here
    # already weighs a real wrong answer more; 2 declined 58 % of the answerable tune questions
    # (evals/answer_experiments.md). The fitted model and threshold: paths.calibration_file.
    wrong_answer_cost: float = 1.0
    glossary_hints: bool = True  # translations of Chinese sentences get the glossary's names
    # ... and English renderings of their other content terms: CC-CEDICT's senses that UN
    # English uses (assistant/text/term_rendering.py).
    term_hints: bool = True
    support_min_overlap: float = 0.5  # citation check: share of content words in the passage
    support_min_cosine: float = 0.4  # ... across languages: embedding cosine with a sentence
    support_min_cosine_with_numbers: float = 0.3  # ... lower bar when all figures match
    support_min_cosine_same_language: float = 0.75  # same language: near-verbatim paraphrase
    # When a sentence's added figures all match, this share of support_min_overlap of its
    # added words is enough (the wording around a right figure is often the model's own).
    support_figure_overlap_factor: float = 0.5
    # Share of a sentence's added figures that must occur in the passage (support.py).
    support_min_figure_share: float = 0.5
    # Weight of the matching-figures share when ranking passages and evidence sentences.
    support_figure_weight: float = 0.5
    # Evidence sentences shown: those scoring at least this share of the best one.
    evidence_relative_cutoff: float = 0.8


class AppSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 7860
    admin_user_env: str = "ASSISTANT_ADMIN_USER"
    admin_password_env: str = "ASSISTANT_ADMIN_PASSWORD"
    admin_credentials_file: Path | None = None
    # Failed admin logins: the n-th failure in a row from one client makes it wait
    # base * 2**(n-1) seconds (capped) before its next attempt.
    login_base_delay_s: float = 1.0
    login_max_delay_s: float = 300.0
    concurrency_limit: int | None = None  # None: chosen from the LLM backend
    max_upload_mb: int = 50
    ui_language: Literal["zh", "en"] = "en"  # the app's starting interface language


class ApiKeySetting(_Section):
    """One API key as stored: its name (who holds it, shown in logs) and the SHA-256 of the key.

    The key itself is never stored: ``assistant api-key add NAME`` prints it once.
    """

    name: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ApiSettings(_Section):
    """The OpenAI-compatible chat API and the MCP server over HTTP (``assistant/api``).

    Both are off until at least one key is configured, in ``keys`` or in ``keys_file`` (lines
    ``name:sha256``, as ``assistant api-key add`` writes them). Each key may send
    ``requests_per_minute`` requests; answers beyond the engine's slots wait, at most
    ``max_waiting`` of them for at most ``max_wait_s`` seconds, and the rest are turned away at
    once with 503 and ``Retry-After: retry_after_s``. Failed keys slow the client down like
    failed admin logins (``app.login_base_delay_s``, ``app.login_max_delay_s``).
    """

    keys: list[ApiKeySetting] = Field(default_factory=list)
    keys_file: Path | None = PROJECT_ROOT / "api-keys.txt"
    model_name: str = "un-docs-assistant"  # the one model /v1/models lists
    requests_per_minute: int = 30
    max_waiting: int = 8
    max_wait_s: float = 300.0
    retry_after_s: int = 10
    mcp_http: bool = True  # the MCP server at /mcp on the app (with the same keys)


class EvalSettings(_Section):
    """Regression gate of ``assistant eval``: how far a metric may fall below the baseline.

    Rates (hit@k, accuracies, precision/recall) may drop by at most ``gate_tolerance`` (absolute),
    or by the per-metric value in ``gate_tolerances``; latencies are judged only when
    ``gate_check_latency`` is on, as a ratio, because shared machines make timings noisy.
    """

    gate_tolerance: float = 0.02
    gate_tolerances: dict[str, float] = Field(default_factory=dict)
    gate_check_latency: bool = False
    gate_latency_ratio: float = 1.5


class SourceSettings(_Section):
    """Which outside sources a profile lets in: the ``sources:`` key of a profile file only."""

    user_file: bool = True  # ./assistant.yaml or the file named by ASSISTANT_CONFIG
    environment: bool = True  # ASSISTANT_* variables


class Settings(BaseSettings):
    """Everything configurable, in one object passed down from the front doors."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    paths: PathSettings = Field(default_factory=PathSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    catalog: CatalogSettings = Field(default_factory=CatalogSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    app: AppSettings = Field(default_factory=AppSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    evaluation: EvalSettings = Field(default_factory=EvalSettings)
    profile: str = DEFAULT_PROFILE  # recorded from ASSISTANT_PROFILE; setting it does nothing

    @model_validator(mode="after")
    def _calibrated_thresholds(self) -> Settings:
        """Fill the thresholds fitted on data from the calibration file (unless set)."""
        if self.answer.min_relevance is None:
            self.answer.min_relevance = calibrated_min_relevance(
                self.paths.calibration_file, self.answer.relevance_signal
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        profile = os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE
        profile_file = profile_path(profile)
        allowed = SourceSettings.model_validate(_read_yaml(profile_file).get("sources", {}))
        sources: list[PydanticBaseSettingsSource] = [
            _ProfileName(settings_cls, profile),
            init_settings,
        ]
        if allowed.environment:
            sources.append(env_settings)
        user_file = Path(os.environ.get("ASSISTANT_CONFIG", "assistant.yaml"))
        if allowed.user_file and user_file.is_file():
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=user_file))
        if profile_file is not None:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=profile_file))
        return tuple(sources)


class _ProfileName(PydanticBaseSettingsSource):
    """Records which profile the settings were built with (first source: nothing overrides it)."""

    def __init__(self, settings_cls: type[BaseSettings], profile: str) -> None:
        super().__init__(settings_cls)
        self._profile = profile

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return {"profile": self._profile}


def profile_names() -> list[str]:
    """``default`` and every ``settings/<name>.yaml``."""
    return sorted({DEFAULT_PROFILE, *(p.stem for p in PROFILES_DIR.glob("*.yaml"))})


def profile_path(profile: str) -> Path | None:
    """The file of ``profile`` (None for ``default`` without a file); unknown names raise."""
    path = PROFILES_DIR / f"{profile}.yaml"
    if path.is_file():
        return path
    if profile == DEFAULT_PROFILE:
        return None
    raise SettingsError(
        f"unknown settings profile {profile!r} ({PROFILE_ENV}); "
        f"choose one of {', '.join(profile_names())}"
    )


def _read_yaml(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def read_calibration(calibration_file: Path) -> dict[str, Any]:
    """What ``assistant calibrate`` recorded (``eval/calibration.py`` writes it), or ``{}`` when
    the file does not exist yet. The one reader of the file: a damaged file says how to fix it
    wherever it is read."""
    if not calibration_file.is_file():
        return {}
    try:
        recorded = json.loads(calibration_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(
            f"{calibration_file} is not a calibration file ({exc}): run "
            "`assistant calibrate evals/dev.jsonl` to write it again"
        ) from exc
    if not isinstance(recorded, dict):
        raise SettingsError(
            f"{calibration_file} is not a calibration file (not a JSON object): run "
            "`assistant calibrate evals/dev.jsonl` to write it again"
        )
    return recorded


def calibrated_min_relevance(calibration_file: Path, signal: str) -> float:
    """The refusal threshold ``assistant calibrate`` fitted for ``signal``.

    The file holds the chosen signal's threshold and, under ``alternatives``, every other
    signal's, so switching ``answer.relevance_signal`` needs no new calibration run. With no
    threshold for the signal the gate refuses nothing before the model (0.0) and says how to
    calibrate: ``assistant calibrate`` itself must be able to start without one.
    """
    recorded = read_calibration(calibration_file)
    if recorded.get("signal") == signal:
        return float(recorded["threshold"])
    alternative = recorded.get("alternatives", {}).get(signal)
    if alternative is not None:
        return float(alternative["threshold"])
    logger.warning(
        "no refusal threshold for relevance signal %s in %s: nothing is refused before the "
        "model until `assistant calibrate evals/dev.jsonl --signal %s`",
        signal,
        calibration_file,
        signal,
    )
    return 0.0


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
