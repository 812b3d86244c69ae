"""The chat messages for one answer, in one of two styles, from the prompt files.

- ``direct``: answer with [n] markers.
- ``quote_then_answer``: copy the answering sentences first, then answer (see ``quotes.py``).

Both show the model one worked example per language as a previous exchange (few-shot): small
models follow a demonstrated format far better than a described one. The example pairs a
question with a passage in the *other* language, because that is the case they get wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.answer.packing import PackedPassage, render_passages
from assistant.answer.prompts import Prompt, PromptLibrary
from assistant.models.backends.base import ChatMessage

Strategy = Literal["direct", "quote_then_answer"]

STOP = ["<passage", "\nQuestion:", "\n问题：", "\n问题:"]


@dataclass(frozen=True)
class AnswerPrompt:
    messages: list[ChatMessage]
    used: list[Prompt]  # for Answer.prompt_hashes


def build_answer_prompt(
    question: str,
    packed: Sequence[PackedPassage],
    lang: str,
    prompts: PromptLibrary,
    strategy: Strategy = "direct",
    guide: str = "",
) -> AnswerPrompt:
    """The messages; ``guide`` lists the question's parts and the facts found for them
    (``guide.py``), shown after the question, with a worked example of the same shape."""
    system = prompts.get("system", lang)
    template = prompts.get("answer_quote" if strategy == "quote_then_answer" else "answer", lang)
    example_passages = prompts.get("example_passages", lang)
    example_question = prompts.get("example_question", lang)
    example_answer = prompts.get(
        "example_answer_quote" if strategy == "quote_then_answer" else "example_answer", lang
    )
    example_guide = prompts.get("example_guide", lang)
    shown_example_guide = example_guide.text if strategy == "direct" else ""
    messages = [
        ChatMessage("system", system.text),
        ChatMessage(
            "user",
            _tidy(
                template.render(
                    passages=example_passages.text,
                    question=example_question.text,
                    guide=shown_example_guide,
                )
            ),
        ),
        ChatMessage("assistant", example_answer.text),
        ChatMessage(
            "user",
            _tidy(
                template.render(
                    passages=render_passages(packed), question=question.strip(), guide=guide
                )
            ),
        ),
    ]
    used = [system, template, example_passages, example_question, example_guide, example_answer]
    return AnswerPrompt(messages, used)


def _tidy(text: str) -> str:
    """No blank line where an empty guide was left out."""
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def prompt_overhead_tokens(
    lang: str, prompts: PromptLibrary, count_tokens, strategy: Strategy = "direct"
) -> int:
    """Tokens the prompt costs without passages, to subtract from the context window."""
    built = build_answer_prompt("", [], lang, prompts, strategy)
    return sum(count_tokens(m.content) + 4 for m in built.messages)
