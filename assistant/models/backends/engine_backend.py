"""GGUF models through the supervised llama.cpp engine process: the default backend.

The model runs in a child process (:mod:`assistant.models.engine`), and this client streams from
its OpenAI-compatible ``/v1/chat/completions`` over loopback with the per-start key. Why:

* **A crash stays in the engine.** Native faults (an illegal instruction on an unexpected CPU, a
  segfault) end the child; the request that was in flight raises :class:`EngineCrashedError`,
  which the front doors show to that user in their language, and the next request starts a
  fresh engine. The app and every other conversation carry on.
* **Several answers at once.** The server's parallel slots decode concurrent requests in one
  batch (continuous batching), so four users share the weights' memory traffic instead of
  queueing behind each other.
* **The model's own chat template and tokenizer.** The server renders the GGUF's template
  (ChatML for Qwen2.5); token counts for prompt budgets come from its ``/tokenize``.
* **Prompt-prefix reuse.** ``cache_prompt`` keeps each slot's KV cache, so a follow-up turn that
  repeats the system prompt and passages pays only for its new tokens.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from assistant.bounded_cache import BoundedCache
from assistant.models.backends.base import BackendError, ChatMessage, GenerationParams
from assistant.models.backends.choice import TOP_LOGPROBS, choice_grammar, option_probabilities
from assistant.models.backends.control_tokens import defuse_control_tokens
from assistant.models.engine.supervisor import EngineEndpoint, EngineSupervisor
from assistant.models.gguf_vocab import cjk_token_ids

log = logging.getLogger(__name__)

_TOKEN_CACHE_SIZE = 4096


class EngineCrashedError(BackendError):
    """The engine died while answering; it is restarted for the next question."""


@dataclass(frozen=True)
class EngineTimings:
    """The engine's own account of one reply (llama.cpp server ``timings``)."""

    prompt_tokens: int  # evaluated for this reply
    cached_tokens: int  # reused from the slot's KV cache (a repeated prefix)
    prompt_ms: float
    generated_tokens: int
    generation_ms: float
    draft_tokens: int = 0  # proposed by speculative drafting (0 when it is off)
    draft_accepted: int = 0  # ... of which the model kept

    @property
    def acceptance(self) -> float | None:
        """Share of drafted tokens the model kept; None when nothing was drafted."""
        return self.draft_accepted / self.draft_tokens if self.draft_tokens else None

    @property
    def prompt_tokens_per_s(self) -> float:
        return 1000.0 * self.prompt_tokens / self.prompt_ms if self.prompt_ms else 0.0

    @property
    def decode_tokens_per_s(self) -> float:
        return 1000.0 * self.generated_tokens / self.generation_ms if self.generation_ms else 0.0

    @classmethod
    def from_event(cls, timings: dict) -> EngineTimings:
        return cls(
            prompt_tokens=int(timings.get("prompt_n", 0)),
            cached_tokens=int(timings.get("cache_n", 0)),
            prompt_ms=float(timings.get("prompt_ms", 0.0)),
            generated_tokens=int(timings.get("predicted_n", 0)),
            generation_ms=float(timings.get("predicted_ms", 0.0)),
            draft_tokens=int(timings.get("draft_n", 0)),
            draft_accepted=int(timings.get("draft_n_accepted", 0)),
        )


class EngineChatModel:
    """A ``ChatModel`` served by a supervised engine process."""

    def __init__(
        self,
        supervisor: EngineSupervisor,
        *,
        name: str,
        fingerprint: str,
        request_timeout_s: float = 300.0,
    ) -> None:
        self.supervisor = supervisor
        self.name = name
        self.fingerprint = fingerprint
        self.context_window = supervisor.config.n_ctx_per_slot
        self._timeout = httpx.Timeout(request_timeout_s, connect=10.0)
        self._token_counts: BoundedCache[str, int] = BoundedCache(_TOKEN_CACHE_SIZE)

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        """Yield text deltas; closing the iterator cancels the generation in the engine."""
        for item in self.stream_with_timings(messages, params):
            if isinstance(item, str):
                yield item

    def stream_with_timings(
        self, messages: list[ChatMessage], params: GenerationParams
    ) -> Iterator[str | EngineTimings]:
        """Text deltas, then the engine's :class:`EngineTimings` for the reply (benchmarks)."""
        body = {
            "messages": [
                {"role": m.role, "content": m.content} for m in defuse_control_tokens(messages)
            ],
            "stream": True,
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "seed": params.seed,
            "stop": list(params.stop),
            "cache_prompt": True,
        }
        if params.grammar:
            body["grammar"] = params.grammar
        if params.ban_cjk:
            banned = cjk_token_ids(self.supervisor.config.model_path)
            body["logit_bias"] = [[token, False] for token in banned]
        endpoint = self.supervisor.endpoint()
        try:
            with httpx.stream(
                "POST",
                f"{endpoint.base_url}/v1/chat/completions",
                json=body,
                headers=_auth(endpoint),
                timeout=self._timeout,
            ) as response:
                _raise_for_status(response)
                yield from _sse_deltas(response)
        except httpx.TransportError as exc:
            raise self._failure(endpoint, exc) from exc

    def choose(self, messages: list[ChatMessage], options: str) -> dict[str, float]:
        """One token, constrained to ``options`` by a grammar; its log-probabilities are read
        from the engine's distribution before the grammar (``top_logprobs``)."""
        body = {
            "messages": [
                {"role": m.role, "content": m.content} for m in defuse_control_tokens(messages)
            ],
            "max_tokens": 1,
            "temperature": 0.0,
            "grammar": choice_grammar(options),
            "logprobs": True,
            "top_logprobs": TOP_LOGPROBS,
            "cache_prompt": True,
        }
        endpoint = self.supervisor.endpoint()
        try:
            response = httpx.post(
                f"{endpoint.base_url}/v1/chat/completions",
                json=body,
                headers=_auth(endpoint),
                timeout=self._timeout,
            )
        except httpx.TransportError as exc:
            raise self._failure(endpoint, exc) from exc
        _raise_for_status(response)
        choice = response.json()["choices"][0]
        tokens = (choice.get("logprobs") or {}).get("content") or []
        top = tokens[0].get("top_logprobs", []) if tokens else []
        chosen = (choice.get("message") or {}).get("content", "")
        return option_probabilities(top, options, chosen)

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` alone in the model's tokenizer (special markers as plain text)."""
        return self._token_counts.get_or_compute(text, lambda: self._tokenize(text))

    def _tokenize(self, text: str) -> int:
        endpoint = self.supervisor.endpoint()
        try:
            response = httpx.post(
                f"{endpoint.base_url}/tokenize",
                json={"content": text, "add_special": False, "parse_special": False},
                headers=_auth(endpoint),
                timeout=self._timeout,
            )
        except httpx.TransportError as exc:
            raise self._failure(endpoint, exc) from exc
        _raise_for_status(response)
        return len(response.json()["tokens"])

    def _failure(self, endpoint: EngineEndpoint, exc: Exception) -> BackendError:
        if self.supervisor.report_failure(endpoint):
            return EngineCrashedError(
                "the model engine stopped while answering; it restarts for the next question"
            )
        return BackendError(f"the request to the model engine failed: {exc}")


def _auth(endpoint: EngineEndpoint) -> dict[str, str]:
    return {"Authorization": f"Bearer {endpoint.api_key}"}


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code == 200:
        return
    response.read()
    try:
        message = response.json().get("error", {}).get("message", response.text)
    except (json.JSONDecodeError, AttributeError):
        message = response.text
    raise BackendError(
        f"the model engine refused the request: HTTP {response.status_code}: {message}"
    )


def _sse_deltas(response: httpx.Response) -> Iterator[str | EngineTimings]:
    """Text deltas of an OpenAI-style event stream, then the reply's timings when sent.

    An unterminated stream is a broken one: the engine died mid-reply.
    """
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return
        event = json.loads(data)
        if "error" in event:
            raise BackendError(f"the model engine failed: {event['error']}")
        for choice in event.get("choices") or []:
            text = (choice.get("delta") or {}).get("content")
            if text:
                yield text
        if event.get("timings"):
            yield EngineTimings.from_event(event["timings"])
    raise httpx.RemoteProtocolError("the event stream ended before [DONE]")
