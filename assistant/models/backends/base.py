"""The one interface every LLM backend implements: chat messages in, streamed text out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class GenerationParams:
    max_tokens: int = 384
    temperature: float = 0.0
    seed: int = 42
    stop: list[str] = field(default_factory=list)
    grammar: str | None = None  # GBNF the reply must follow (the engine enforces it at decoding)
    ban_cjk: bool = False  # no CJK character in the reply (an English answer), at decoding


class BackendError(RuntimeError):
    """The model backend failed (server gone, file unreadable); the message says what to do."""


class ChatModel(Protocol):
    """A loaded model that streams a reply to a chat."""

    name: str  # e.g. "default" or the file name

    @property
    def fingerprint(self) -> str:
        """sha256 of the weights where known, else a descriptive id."""
        ...

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        """Yield text deltas of the assistant's reply as they are generated."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` in the model's own tokenizer (for prompt budgets)."""
        ...


class ChoiceModel(Protocol):
    """A model that can be asked to choose one of a few single-character options.

    Choosing is what a small model does well (which of these sentences answers the question?);
    the probabilities it gives the options, read before sampling, are the confidence the
    answering pipeline calibrates its refusals on.
    """

    def choose(self, messages: list[ChatMessage], options: str) -> dict[str, float]:
        """The probability of each option (one character each) as the reply's first token,
        renormalised over the options; the reply is constrained to them."""
        ...
