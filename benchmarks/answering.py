"""What the answer-level benchmarks share: the question subset, timing wrappers, raw LLM figures.

``bench_answer`` and ``bench_naive`` run the same subset of the development set (chosen here,
deterministically, in proportion to its slices), score answers with the evaluation harness's
own functions, and time the model through ``TimedChatModel``, which sees every streamed delta
and so can tell prompt processing (call → first token) from decoding (first → last token).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer.types import Answer, Turn
from assistant.config import Settings
from assistant.eval.dataset import CorpusFiles, EvalQuestion, doc_language, load_question_set
from assistant.models.backends.base import ChatMessage, ChatModel, GenerationParams
from assistant.models.backends.engine_backend import EngineChatModel
from benchmarks.common import DEV_SET, RESULTS_DIR, percentile
from benchmarks.ingest_worker import bench_settings

DEFAULT_SUBSET = 20
WARM_UP_QUERY = "warm-up query about the United Nations 关于联合国的热身查询"
QUICK_QUESTIONS = 1
QUICK_CONTEXT_TOKENS = 200
QUICK_REPLY = 16
LLM_RESULTS = RESULTS_DIR / "llm.json"


# --------------------------------------------------------------------------- questions


def _stratum(question: EvalQuestion, doc_langs: dict[str, str]) -> str:
    if question.is_followup:
        return "followup"
    if not question.answerable:
        return f"{question.lang}→none"
    return f"{question.lang}→{doc_language(question, doc_langs)}"


def representative(
    questions: Sequence[EvalQuestion], n: int, doc_langs: dict[str, str]
) -> list[EvalQuestion]:
    """``n`` questions in proportion to the slices (question × document language, unanswerable,
    follow-up), at least one from each, spread evenly through each slice; file order kept."""
    if n >= len(questions):
        return list(questions)
    groups: dict[str, list[EvalQuestion]] = defaultdict(list)
    for question in questions:
        groups[_stratum(question, doc_langs)].append(question)
    quota = {k: max(1, round(n * len(v) / len(questions))) for k, v in groups.items()}
    while sum(quota.values()) > n:
        quota[max(quota, key=lambda k: (quota[k], k))] -= 1
    while sum(quota.values()) < n:
        room = [k for k in groups if quota[k] < len(groups[k])]
        quota[max(room, key=lambda k: (len(groups[k]) / (quota[k] + 1), k))] += 1
    picked: set[str] = set()
    for key, members in groups.items():
        step = len(members) / quota[key] if quota[key] else 0
        picked.update(members[int(i * step)].id for i in range(quota[key]))
    return [q for q in questions if q.id in picked]


def question_subset(
    corpus_dir: Path, limit: int | None, quick: bool
) -> tuple[list[EvalQuestion], dict[str, str]]:
    """The benchmark's questions and the corpus files' languages (for slicing and scoring)."""
    doc_langs = CorpusFiles.scan(corpus_dir).langs
    questions = load_question_set(DEV_SET)
    n = limit if limit is not None else (QUICK_QUESTIONS if quick else DEFAULT_SUBSET)
    return representative(questions, n, doc_langs), doc_langs


def settings_for(model: str, index_dir: Path, quick: bool = False) -> Settings:
    """The configured settings with ``model`` as the LLM and ``index_dir`` as the index.

    ``quick`` shrinks the prompt and the reply so that a smoke test finishes in seconds.
    """
    settings = bench_settings(index_dir)
    llm = settings.llm.model_copy(update={"model": model})
    update: dict[str, Any] = {"llm": llm}
    if quick:
        update["answer"] = settings.answer.model_copy(
            update={"context_token_budget": QUICK_CONTEXT_TOKENS, "max_answer_tokens": QUICK_REPLY}
        )
    return settings.model_copy(update=update)


# --------------------------------------------------------------------------- timing


@dataclass
class CallTiming:
    """One model call: prompt size and when its first and last deltas arrived."""

    prompt_tokens: int
    started: float
    messages: list[ChatMessage] = field(default_factory=list)
    params: GenerationParams | None = None
    first: float | None = None
    last: float | None = None
    deltas: int = 0
    text: list[str] = field(default_factory=list)

    @property
    def prefill_s(self) -> float | None:
        return None if self.first is None else self.first - self.started


class TimedChatModel:
    """A ``ChatModel`` that passes everything through and remembers each call's timing."""

    def __init__(self, inner: ChatModel) -> None:
        self.inner = inner
        self.calls: list[CallTiming] = []

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        prompt = sum(self.inner.count_tokens(m.content) for m in messages)
        call = CallTiming(prompt, time.perf_counter(), list(messages), params)
        self.calls.append(call)
        for delta in self.inner.stream(messages, params):
            now = time.perf_counter()
            call.first = call.first or now
            call.last = now
            call.deltas += 1
            call.text.append(delta)
            yield delta

    def take(self) -> list[CallTiming]:
        """The calls since the last ``take``."""
        calls, self.calls = self.calls, []
        return calls


def warm_up(model: ChatModel, assistant: Any = None) -> float:
    """Load the weights and page them in with a four-token reply, and run one search (jieba
    loads its dictionary on the first Chinese query); returns the seconds taken."""
    started = time.perf_counter()
    if assistant is not None:
        assistant.retriever.search(WARM_UP_QUERY, 1)
    params = GenerationParams(max_tokens=4, temperature=0.0)
    for _ in model.stream([ChatMessage("user", "Say OK.")], params):
        pass
    return time.perf_counter() - started


def generation_figures(call: CallTiming, model: ChatModel) -> dict[str, Any]:
    """Prompt tokens, prompt processing and decode speed of one model call."""
    generated = model.count_tokens("".join(call.text)) if call.text else 0
    decode_s = (call.last - call.first) if call.first is not None and call.last else None
    return {
        "prompt_tokens": call.prompt_tokens,
        "prefill_s": call.prefill_s,
        "prompt_tok_s": call.prompt_tokens / call.prefill_s if call.prefill_s else None,
        "generated_tokens": generated,
        "decode_s": decode_s,
        "decode_tok_s": (generated - 1) / decode_s if decode_s and generated > 1 else None,
    }


def raw_replay(model: ChatModel, call: CallTiming) -> dict[str, Any] | None:
    """The same prompt and parameters sent straight to the engine, in the same run.

    A same-run comparison survives a machine whose load drifts, which figures from another run
    (llm.json) do not: the gap is the pipeline's own cost around the model call. ``None`` when
    the model is not served by the engine.
    """
    engine = getattr(model, "loaded", model)
    if not isinstance(engine, EngineChatModel) or call.params is None:
        return None
    started = time.perf_counter()
    first = last = None
    pieces: list[str] = []
    for item in engine.stream_with_timings(call.messages, call.params):
        if isinstance(item, str):
            last = time.perf_counter()
            first = first or last
            pieces.append(item)
    replay = CallTiming(call.prompt_tokens, started, call.messages, call.params, first, last)
    replay.text = pieces
    return generation_figures(replay, model)


class StreamingAsker:
    """Adapts a streaming answerer to the evaluation runner's ``ask``, timing the first text.

    ``first_text`` is when the user sees something: the first generated delta, or the whole
    refusal when the assistant refuses without calling the model.
    """

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        started = time.perf_counter()
        first = None
        final = None
        for item in self.assistant.stream(question, history):
            if isinstance(item, Answer):
                final = item
            elif item and first is None:
                first = time.perf_counter() - started
        if final is None:
            raise RuntimeError("the assistant's stream ended without an Answer")
        final.timings["first_text"] = first if first is not None else final.timings["total"]
        final.timings["wall"] = time.perf_counter() - started
        return final


# --------------------------------------------------------------------------- summaries


def latency_summary(values: Sequence[float | None]) -> dict[str, float | None]:
    present = [v for v in values if v is not None]
    return {
        "n": len(present),
        "p50": percentile(present, 50),
        "p95": percentile(present, 95),
        "mean": sum(present) / len(present) if present else None,
    }


def raw_llm_figures(path: Path = LLM_RESULTS) -> dict[str, dict[str, Any]]:
    """Median engine figures per model from ``bench_llm.py``'s report, if present."""
    if not path.is_file():
        return {}
    report = json.loads(path.read_text(encoding="utf-8"))
    figures: dict[str, dict[str, Any]] = {}
    for name, entry in (report.get("models") or {}).items():
        median = (entry.get("median") or {}).get("xllamacpp") or {}
        figures[name] = {
            "ttft_s": median.get("ttft_s"),
            "prompt_tok_s": median.get("prompt_tok_s"),
            "decode_tok_s": median.get("decode_tok_s"),
            "prompt_tokens": median.get("prompt_tokens"),
            "decode_bound_tok_s": entry.get("decode_bound_tok_s"),
            "n_threads": (entry.get("job") or {}).get("threads"),
        }
    return figures
