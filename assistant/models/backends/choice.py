"""Constrained single-token choices and the probabilities behind them, for every backend.

A choice is asked as a chat whose reply must be one of a few characters (a grammar enforces it
where the server takes one); the confidence is read from the model's distribution over its
first token *before* the grammar, so "none of these" keeps the probability the model gave it
even when another option was sampled.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping

TOP_LOGPROBS = 20  # enough to hold every option of a choice (at most ten digits)

# Every character but the CJK ideographs, their punctuation and full-width forms, kana and
# hangul, on one line: what an English sentence may hold. For servers that take a grammar and
# whose vocabulary is not known here (the engine bans the tokens by a logit bias instead,
# ``gguf_vocab``: the grammar made its decoding 12-20x slower).
NO_CJK_GRAMMAR = (
    r"root ::= [^\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    r"\uff00-\uffef\n]+"
)


def choice_grammar(options: str) -> str:
    """GBNF for exactly one of ``options`` (single characters)."""
    alternatives = " | ".join(json.dumps(option) for option in options)
    return f"root ::= {alternatives}"


def option_probabilities(
    top: Iterable[Mapping[str, object]], options: str, chosen: str
) -> dict[str, float]:
    """The options' share of the probability mass among the top tokens (``token`` and
    ``logprob`` per entry); an option outside the top tokens has none. When no option is among
    them (a distribution the grammar had to overrule), the sampled option gets it all."""
    mass = {option: 0.0 for option in options}
    for entry in top:
        token = str(entry.get("token", "")).strip()
        if token in mass:
            mass[token] += math.exp(float(entry.get("logprob", -math.inf)))  # type: ignore[arg-type]
    total = sum(mass.values())
    if total <= 0.0:
        return {option: float(option == chosen.strip()) for option in options}
    return {option: value / total for option, value in mass.items()}
