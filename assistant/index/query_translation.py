"""Query translation with the local LLM, so that a question can be searched in both languages.

An English question about Chinese reports shares no keyword with them, and the term bridge
translates words one by one ("consider" → 考虑, where the documents say 审议). A whole-question
translation by the chat model gives BM25 and the embedder a question in the documents' own
language. It costs one short LLM generation before retrieval, so translations are cached per
(model, prompt, question) in a small sqlite file, and the model is loaded only on a cache miss.

The prompt is ``prompts/<question lang>/translate_query.md``: its first paragraph is the system
instruction, and every further paragraph is one worked example of two lines, a question and its
translation, sent as an earlier user/assistant turn. A small model follows examples given as
chat turns far better than examples inside one long instruction (which it tends to copy or
answer).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.models.backends.base import BackendError, ChatMessage, ChatModel, GenerationParams
from assistant.text.cjk import han_ratio

logger = logging.getLogger(__name__)

PROMPT_NAME = "translate_query"
_MAX_TOKENS = 96
# A question above this share of Han characters is Chinese (short questions quote English
# symbols such as "S/2018/208", so a plain majority would misjudge them).
_HAN_SHARE_ZH = 0.2


def question_language(text: str) -> str:
    """ "zh" or "en": the script a question is written in (cheap and stable on short text)."""
    return "zh" if han_ratio(text) > _HAN_SHARE_ZH else "en"


def other_language(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


@dataclass(frozen=True)
class TranslationPrompt:
    """The system instruction and worked examples of one ``translate_query`` file."""

    system: str
    examples: tuple[tuple[str, str], ...]
    sha256: str

    @classmethod
    def load(cls, path: Path) -> TranslationPrompt:
        raw = path.read_bytes()
        paragraphs = [p.strip() for p in raw.decode("utf-8").split("\n\n") if p.strip()]
        if not paragraphs:
            raise ValueError(f"{path} is empty")
        examples = []
        for paragraph in paragraphs[1:]:
            lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
            if len(lines) != 2:
                raise ValueError(f"{path}: an example is a question line and a translation line")
            examples.append((lines[0], lines[1]))
        return cls(paragraphs[0], tuple(examples), hashlib.sha256(raw).hexdigest())

    def messages(self, question: str) -> list[ChatMessage]:
        messages = [ChatMessage("system", self.system)]
        for source, target in self.examples:
            messages += [ChatMessage("user", source), ChatMessage("assistant", target)]
        messages.append(ChatMessage("user", question))
        return messages


class TranslationCache:
    """Translations keyed by sha256(model, prompt hash, question); safe across threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS translations ("
            " key TEXT PRIMARY KEY, question TEXT NOT NULL, translation TEXT NOT NULL,"
            " seconds REAL NOT NULL)"
        )
        self._db.commit()
        self._lock = threading.Lock()

    @staticmethod
    def key(model: str, prompt_sha: str, question: str) -> str:
        return hashlib.sha256(f"{model}\x00{prompt_sha}\x00{question}".encode()).hexdigest()

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT translation FROM translations WHERE key = ?", (key,)
            ).fetchone()
        return row[0] if row else None

    def put(self, key: str, question: str, translation: str, seconds: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?)",
                (key, question, translation, seconds),
            )
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()


class QueryTranslator:
    """Translates a question into the other corpus language; ``None`` when it cannot."""

    def __init__(
        self,
        load_model: Callable[[], ChatModel],
        model_id: str,
        prompts_dir: Path,
        cache: TranslationCache,
        max_tokens: int = _MAX_TOKENS,
    ) -> None:
        """``load_model`` is called on the first cache miss only; ``model_id`` names the model
        in cache keys without loading it (a configured model name or file)."""
        self._load_model = load_model
        self._model: ChatModel | None = None
        self.model_id = model_id
        self.prompts_dir = Path(prompts_dir)
        self.cache = cache
        self.max_tokens = max_tokens
        self._prompts: dict[str, TranslationPrompt] = {}
        self._lock = threading.Lock()
        self.last_seconds = 0.0  # generation time of the latest call (0 on a cache hit)

    def prompt(self, lang: str) -> TranslationPrompt:
        if lang not in self._prompts:
            self._prompts[lang] = TranslationPrompt.load(
                self.prompts_dir / lang / f"{PROMPT_NAME}.md"
            )
        return self._prompts[lang]

    def translate(self, question: str) -> str | None:
        """``question`` in the other language, from the cache or the model."""
        question = " ".join(question.split())
        if not question:
            return None
        prompt = self.prompt(question_language(question))
        key = TranslationCache.key(self.model_id, prompt.sha256, question)
        cached = self.cache.get(key)
        self.last_seconds = 0.0
        if cached is not None:
            return cached or None
        started = time.perf_counter()
        try:
            raw = "".join(
                self._chat_model().stream(
                    prompt.messages(question),
                    GenerationParams(max_tokens=self.max_tokens, temperature=0.0, stop=["\n"]),
                )
            )
        except BackendError as exc:
            logger.warning("query translation failed, searching the question alone: %s", exc)
            return None
        self.last_seconds = time.perf_counter() - started
        translation = clean_translation(raw)
        self.cache.put(key, question, translation, self.last_seconds)
        logger.info("translated in %.1f s: %r -> %r", self.last_seconds, question, translation)
        return translation or None

    def _chat_model(self) -> ChatModel:
        with self._lock:
            if self._model is None:
                self._model = self._load_model()
            return self._model


def clean_translation(raw: str) -> str:
    """The first line of the reply, without the quotes or labels small models add."""
    line = next((line.strip() for line in raw.splitlines() if line.strip()), "")
    for label in ("Translation:", "English:", "Chinese:", "译文：", "英文：", "中文："):
        if line.startswith(label):
            line = line[len(label) :].strip()
    return line.strip("\"'“”「」")
