"""Any OpenAI-compatible chat endpoint: vLLM, Ollama, llama.cpp's server, a hosted service.

This is the scale-out path: when one machine is not enough, the model runs elsewhere and this
backend streams from it. The API key is read from the environment variable named in settings
(never from the settings file), and local servers that need no key get a placeholder.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator
from typing import Any

from assistant.models.backends.base import BackendError, ChatMessage, GenerationParams
from assistant.models.backends.choice import (
    NO_CJK_GRAMMAR,
    TOP_LOGPROBS,
    choice_grammar,
    option_probabilities,
)
from assistant.models.backends.control_tokens import defuse_control_tokens
from assistant.text.cjk import is_cjk

log = logging.getLogger(__name__)

_NO_KEY = "not-needed"


class OpenAIChatModel:
    """Streams replies from ``base_url`` (``.../v1``) for model ``model``."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        timeout_s: float = 120.0,
        max_retries: int = 1,
    ) -> None:
        import openai

        self._openai = openai
        self.base_url = base_url
        self.model = model
        self.name = model
        self.fingerprint = f"openai:{base_url}#{model}"
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=os.environ.get(api_key_env) or _NO_KEY,
            timeout=timeout_s,
            max_retries=max_retries,
        )

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        errors = self._openai
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=_wire(messages),
                stream=True,
                max_tokens=params.max_tokens,
                temperature=params.temperature,
                seed=params.seed,
                stop=list(params.stop) or None,
                extra_body=_extra_body(params),
            )
            for chunk in response:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except errors.OpenAIError as exc:
            raise self._backend_error(exc) from exc

    def choose(self, messages: list[ChatMessage], options: str) -> dict[str, float]:
        """One token with its top log-probabilities; llama.cpp's server also takes the grammar
        that keeps the reply to the options (others ignore it, and the options' share of the
        top tokens is used all the same)."""
        errors = self._openai
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=_wire(messages),
                max_tokens=1,
                temperature=0.0,
                logprobs=True,
                top_logprobs=TOP_LOGPROBS,
                extra_body={"grammar": choice_grammar(options)},
            )
        except errors.OpenAIError as exc:
            raise self._backend_error(exc) from exc
        choice = response.choices[0]
        content = choice.logprobs.content if choice.logprobs else None
        top = (
            [{"token": t.token, "logprob": t.logprob} for t in content[0].top_logprobs]
            if content
            else []
        )
        return option_probabilities(top, options, choice.message.content or "")

    def _backend_error(self, exc: Exception) -> BackendError:
        """What went wrong with a request, said the same way for every kind of request."""
        errors = self._openai
        if isinstance(exc, errors.APIConnectionError | errors.APITimeoutError):
            return BackendError(
                f"cannot reach the OpenAI-compatible server at {self.base_url} ({exc}); "
                "start it or set llm.openai_base_url (ASSISTANT_LLM__OPENAI_BASE_URL)"
            )
        if isinstance(exc, errors.APIStatusError):
            return BackendError(
                f"the server at {self.base_url} refused the request for model "
                f"{self.model!r}: HTTP {exc.status_code}: {exc.message}"
            )
        return BackendError(f"the request to {self.base_url} failed: {exc}")

    def count_tokens(self, text: str) -> int:
        """An estimate (:func:`estimate_tokens`): the remote tokenizer is not reachable here."""
        return estimate_tokens(text)


def estimate_tokens(text: str) -> int:
    """An upper-leaning token count without a tokenizer.

    One token per CJK character, Chinese punctuation included (real tokenizers average 1.2-1.5
    Han characters per token and give "，" and "。" one each), and one per 3.5 other characters
    (English averages about 4), so prompt budgets stay safe.
    """
    cjk = sum(1 for ch in text if is_cjk(ch))
    return cjk + math.ceil((len(text) - cjk) / 3.5)


def _extra_body(params: GenerationParams) -> dict[str, str] | None:
    """llama.cpp's server takes a grammar; a CJK ban is one there (the remote vocabulary, for a
    logit bias, is not known here)."""
    grammar = params.grammar or (NO_CJK_GRAMMAR if params.ban_cjk else None)
    return {"grammar": grammar} if grammar else None


def _wire(messages: list[ChatMessage]) -> list[Any]:
    """The messages as the request carries them: role and content, control tokens defused."""
    return [{"role": m.role, "content": m.content} for m in defuse_control_tokens(messages)]
