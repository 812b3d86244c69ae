"""What the answer-level benchmarks share: the question subset, timing wrappers, summaries.

``bench_answer`` and ``bench_naive`` run the same subset of the development set (chosen here,
deterministically, in proportion to its slices) and score answers with the evaluation harness's
own functions. ``TimedChatModel`` sits between the pipeline and the model and times every call
the pipeline makes: the evidence choice (``choose``: one constrained token) and every streamed
reply (a translation), with the engine's own account of each where the engine serves the model
(prompt tokens evaluated and reused from the KV cache, prompt milliseconds, tokens generated).
``StreamingAsker`` times, from outside, what a user sees: the evidence, then the answer's text.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from assistant.answer.types import Answer, RetrievedEvidence, Turn
from assistant.config import Settings
from assistant.eval.dataset import CorpusFiles, EvalQuestion, doc_language, load_question_set
from assistant.models.backends.base import ChatMessage, ChatModel, GenerationParams
from assistant.models.backends.engine_backend import EngineChatModel, EngineTimings
from benchmarks.common import DEV_SET, percentile
from benchmarks.ingest_worker import bench_settings

DEFAULT_SUBSET = 20
WARM_UP_QUERY = "warm-up query about the United Nations 关于联合国的热身查询"
QUICK_QUESTIONS = 1
QUICK_CANDIDATES = 3  # a shorter choice prompt for a smoke test
COMPLETIONS_PATH = "/v1/chat/completions"


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

    ``quick`` shows the model fewer candidate sentences, so that a smoke test's one choice
    call reads a shorter prompt.
    """
    settings = bench_settings(index_dir)
    llm = settings.llm.model_copy(update={"model": model})
    update: dict[str, Any] = {"llm": llm}
    if quick:
        update["answer"] = settings.answer.model_copy(
            update={"select_candidates": QUICK_CANDIDATES}
        )
    return settings.model_copy(update=update)


# --------------------------------------------------------------------------- timing


@dataclass
class CallTiming:
    """One model call: its kind, when it started, its first and last text, and its size.

    ``kind`` is ``choose`` (the evidence choice: one constrained token, no stream) or
    ``stream`` (a reply written token by token: a translation). ``engine`` is the engine's own
    account of the call when the engine serves the model.
    """

    kind: str
    started: float
    messages: list[ChatMessage] = field(default_factory=list)
    params: GenerationParams | None = None
    prompt_tokens: int | None = None  # the whole prompt, a prefix reused from the cache included
    first: float | None = None
    last: float | None = None
    ended: float | None = None
    deltas: int = 0
    text: list[str] = field(default_factory=list)
    engine: EngineTimings | None = None

    @property
    def prefill_s(self) -> float | None:
        """Call → first text: prompt processing (and, for a choice, its one token)."""
        return None if self.first is None else self.first - self.started

    @property
    def wall_s(self) -> float | None:
        return None if self.ended is None else self.ended - self.started


class TimedChatModel:
    """A chat model that passes everything through and remembers each call's timing.

    Served by the engine, a streamed reply is read with the engine's timings
    (``stream_with_timings``: the same request, its last event kept), and a choice's reply body
    is read for the ``timings`` and ``usage`` the engine puts in it (``choose`` itself returns
    only the probabilities). Prompt tokens are never counted before a call: a ``/tokenize``
    round trip there would be counted in the time to first text.
    """

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

    def engine(self) -> EngineChatModel | None:
        """The engine client behind the model (loading it), or ``None`` for another backend."""
        model = getattr(self.inner, "loaded", self.inner)
        return model if isinstance(model, EngineChatModel) else None

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        call = CallTiming("stream", time.perf_counter(), list(messages), params)
        self.calls.append(call)
        engine = self.engine()
        items: Iterator[Any] = (
            engine.stream_with_timings(messages, params)
            if engine is not None
            else iter(self.inner.stream(messages, params))
        )
        for item in items:
            if isinstance(item, EngineTimings):
                call.engine = item
                continue
            now = time.perf_counter()
            if call.first is None:
                call.first = now
            call.last = now
            call.deltas += 1
            call.text.append(item)
            yield item
        call.ended = time.perf_counter()
        call.prompt_tokens = (
            call.engine.prompt_tokens + call.engine.cached_tokens
            if call.engine is not None
            else sum(self.inner.count_tokens(m.content) for m in messages)
        )

    def choose(self, messages: list[ChatMessage], options: str) -> dict[str, float]:
        call = CallTiming("choose", time.perf_counter(), list(messages))
        self.calls.append(call)
        with completion_replies() as replies:
            probabilities = self.inner.choose(messages, options)  # type: ignore[attr-defined]
        call.ended = call.first = call.last = time.perf_counter()
        call.deltas = 1
        reply = replies[-1] if replies else {}
        if reply.get("timings"):
            call.engine = EngineTimings.from_event(reply["timings"])
        usage = reply.get("usage") or {}
        call.prompt_tokens = usage.get("prompt_tokens") or (
            call.engine.prompt_tokens + call.engine.cached_tokens if call.engine else None
        )
        return probabilities

    def take(self) -> list[CallTiming]:
        """The calls since the last ``take``."""
        calls, self.calls = self.calls, []
        return calls


@contextmanager
def completion_replies() -> Iterator[list[dict[str, Any]]]:
    """The JSON bodies of the non-streamed chat completions posted inside the block.

    ``httpx.post`` is wrapped for the duration (the backends look it up at call time); the
    body is read again from the response the backend itself reads, so the call is unchanged.
    """
    replies: list[dict[str, Any]] = []
    post = httpx.post

    def recording(url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
        response = post(url, *args, **kwargs)
        if str(url).endswith(COMPLETIONS_PATH) and response.status_code == 200:
            with suppress(ValueError):  # not JSON: nothing to read, the backend will say why
                replies.append(response.json())
        return response

    httpx.post = recording  # type: ignore[assignment]
    try:
        yield replies
    finally:
        httpx.post = post  # type: ignore[assignment]


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


def stop_engine(model: Any) -> None:
    """Stop the engine process behind ``model`` (a later call starts it again): a baseline run
    in another process should not share the machine with an idle engine's memory."""
    inner = getattr(model, "inner", model)
    # a lazy model's ``loaded`` would start the engine just to stop it: read what it holds
    supervisor = getattr(getattr(inner, "_model", inner), "supervisor", None)
    if supervisor is not None:
        supervisor.stop()


def call_figures(call: CallTiming) -> dict[str, Any]:
    """One call as the results keep it: wall time, first text, and the engine's figures."""
    engine = call.engine
    streamed = call.kind == "stream"  # a choice's one token has no decode speed to speak of
    figures: dict[str, Any] = {
        "kind": call.kind,
        "wall_s": call.wall_s,
        "first_text_s": call.prefill_s if streamed else None,
        "prompt_tokens": call.prompt_tokens,
        "evaluated_tokens": engine.prompt_tokens if engine else None,
        "cached_tokens": engine.cached_tokens if engine else None,
        "prompt_ms": engine.prompt_ms if engine else None,
        "prompt_tok_s": (engine.prompt_tokens_per_s or None) if engine else None,
        "generated_tokens": engine.generated_tokens if engine else None,
        "decode_tok_s": (engine.decode_tokens_per_s or None) if engine and streamed else None,
    }
    return figures


def generation_figures(call: CallTiming, model: ChatModel) -> dict[str, Any]:
    """Prompt tokens, prompt processing and decode speed of one streamed call, from outside
    the engine (wall clock between deltas); the engine's token count where it gave one."""
    if call.engine is not None:
        generated = call.engine.generated_tokens
    else:
        generated = model.count_tokens("".join(call.text)) if call.text else 0
    decode_s = (call.last - call.first) if call.first is not None and call.last else None
    return {
        "prompt_tokens": call.prompt_tokens,
        "prefill_s": call.prefill_s,
        "prompt_tok_s": (
            call.prompt_tokens / call.prefill_s if call.prefill_s and call.prompt_tokens else None
        ),
        "generated_tokens": generated,
        "decode_s": decode_s,
        "decode_tok_s": (generated - 1) / decode_s if decode_s and generated > 1 else None,
    }


class StreamingAsker:
    """Adapts a streaming answerer to the evaluation runner's ``ask``, timing what is shown.

    Asked with ``evidence_events`` as the app asks, so the timings hold, seen from outside:
    ``evidence_seen`` (the candidate sentences arrive), ``first_text`` (the first text of the
    answer, or of the refusal), ``first_shown`` (whichever came first) and ``wall``.
    """

    def __init__(self, assistant: Any, evidence_events: bool = True) -> None:
        self.assistant = assistant
        self.evidence_events = evidence_events

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        started = time.perf_counter()
        first = seen = None
        final = None
        kwargs = {"evidence_events": True} if self.evidence_events else {}
        for item in self.assistant.stream(question, history, **kwargs):
            now = time.perf_counter() - started
            if isinstance(item, Answer):
                final = item
            elif isinstance(item, RetrievedEvidence):
                seen = now if seen is None else seen
            elif item and first is None:
                first = now
        if final is None:
            raise RuntimeError("the assistant's stream ended without an Answer")
        total = final.timings["total"]
        final.timings["first_text"] = first if first is not None else total
        final.timings["first_shown"] = min(t for t in (first, seen, total) if t is not None)
        if seen is not None:
            final.timings["evidence_seen"] = seen
        final.timings["wall"] = time.perf_counter() - started
        return final


# --------------------------------------------------------------------------- summaries


def latency_summary(values: Sequence[float | None]) -> dict[str, float | None]:
    """Count, median, p90, p95 and mean of the values present (``None`` is left out)."""
    present = [v for v in values if v is not None]
    return {
        "n": len(present),
        "p50": percentile(present, 50),
        "p90": percentile(present, 90),
        "p95": percentile(present, 95),
        "mean": sum(present) / len(present) if present else None,
    }


def prompt_throughput(calls: Sequence[dict[str, Any]]) -> float | None:
    """Prompt tokens evaluated per second over all ``calls`` together (the engine's figures).

    A call whose prompt was all but one token in the KV cache has a per-call speed that only
    measures the fixed cost of a step; the pooled figure weighs each call by its work.
    """
    done = [c for c in calls if c.get("evaluated_tokens") and c.get("prompt_ms")]
    seconds = sum(c["prompt_ms"] for c in done) / 1000.0
    return sum(c["evaluated_tokens"] for c in done) / seconds if seconds else None
