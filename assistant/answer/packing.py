"""Fit the retrieved passages into the model's context, best first, as clearly marked data.

Each passage becomes ``<passage id="n" ref="S/2018/208 ¶12">…</passage>``: the id is the
number the model cites, the ref tells it (and the user) where the text is from. Everything
between the tags is data; the system prompt says so, and any tag-like text inside a passage is
defused so that a document cannot close its own block and smuggle in instructions.

The budget is counted with the model's own tokenizer because Chinese and English text cost
very different numbers of tokens per character, and the prompt length decides the time to the
first token on a CPU.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assistant.schema import Passage

_TAG = re.compile(r"</?\s*passage\b[^>]*>?", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\u3000]+")
_MIN_TRUNCATED_TOKENS = 60


@dataclass(frozen=True)
class PackedPassage:
    number: int  # the [n] the model sees and cites
    passage: Passage
    text: str  # the passage text as shown to the model (possibly cut at the budget)
    block: str  # the full delimited block
    tokens: int


def passage_block(number: int, passage: Passage, text: str) -> str:
    """The delimited block for one passage."""
    ref = passage.label.replace('"', "'")
    return f'<passage id="{number}" ref="{ref}">\n{text}\n</passage>'


def clean_for_prompt(text: str) -> str:
    """Passage text as the model should see it: tags defused, whitespace tidied."""
    text = _TAG.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)
    text = _SPACES.sub(" ", text)
    text = _BLANK_LINES.sub("\n", text)
    return "\n".join(line.strip() for line in text.splitlines()).strip()


def pack_passages(
    passages: Sequence[Passage],
    budget_tokens: int,
    count_tokens: Callable[[str], int],
    max_passages: int | None = None,
    shown_text: Mapping[str, str] | None = None,
) -> list[PackedPassage]:
    """Take passages in rank order while they fit in ``budget_tokens``.

    A passage that does not fit is skipped (a later, shorter one may still fit), except the
    first: the best passage is cut at the budget rather than dropped, because an answer from a
    truncated best passage beats no answer at all. ``shown_text`` maps a chunk id to what of
    that passage the model sees (default: all of it; see ``focus``).
    """
    packed: list[PackedPassage] = []
    used = 0
    for passage in passages:
        if max_passages is not None and len(packed) >= max_passages:
            break
        number = len(packed) + 1
        shown = shown_text.get(passage.chunk_id, passage.text) if shown_text else passage.text
        text = clean_for_prompt(shown)
        block = passage_block(number, passage, text)
        tokens = count_tokens(block) + 2  # the blank line between blocks
        if used + tokens > budget_tokens:
            if packed:
                continue
            text = _truncate_to(text, budget_tokens, _block_cost(passage, count_tokens))
            if not text:
                break
            block = passage_block(number, passage, text)
            tokens = count_tokens(block) + 2
        packed.append(PackedPassage(number, passage, text, block, tokens))
        used += tokens
    return packed


def _block_cost(passage: Passage, count_tokens: Callable[[str], int]) -> Callable[[str], int]:
    return lambda text: count_tokens(passage_block(1, passage, text))


def render_passages(packed: Sequence[PackedPassage]) -> str:
    return "\n\n".join(p.block for p in packed)


def _truncate_to(text: str, budget: int, cost: Callable[[str], int]) -> str:
    """The longest prefix of ``text`` (by binary search on characters) costing ≤ ``budget``."""
    if budget < _MIN_TRUNCATED_TOKENS:
        return ""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if cost(text[:middle] + " …") <= budget - 2:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + " …" if low else ""
