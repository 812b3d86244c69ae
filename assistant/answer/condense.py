"""Rewrite a follow-up ("what about 2010?", "那执行局呢？") into a standalone question.

Retrieval sees one query, so a follow-up must carry its context. The model rewrites it with
a bounded history (the last ``history_turns`` exchanges, answers shortened), because a long
history slows the first token and small models lose the thread in it anyway. Without history
the question is returned untouched and no model is called; when the model answers instead of
rewriting (no question in its reply), the previous question is joined to the follow-up.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from assistant.answer.markers import strip_markers
from assistant.answer.prompts import PromptLibrary
from assistant.answer.types import Turn
from assistant.models.backends.base import ChatMessage, ChatModel, GenerationParams

logger = logging.getLogger(__name__)

CONDENSE_PROMPTS = ("condense", "condense_turn", "condense_examples")
_ANSWER_CHARS = 300
_MAX_TOKENS = 96
_LABEL = re.compile(
    r"^\s*(?:standalone question|rewritten question|question|独立问题|改写后的问题|问题)"
    r"\s*[:：]\s*",
    re.IGNORECASE,
)
_QUOTES = "\"'“”‘’「」"
_QUESTION_WORDS = re.compile(
    r"[?？]\s*$|什么|哪|谁|多少|几|如何|怎么|为什么|是否|吗|呢"
    r"|^\s*(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|"
    r"could|will|would|has|have|had|should)\b",
    re.IGNORECASE,
)


def looks_like_question(text: str) -> bool:
    """A question mark or a question word: small models sometimes answer instead of rewriting."""
    return bool(_QUESTION_WORDS.search(text))


def fallback_question(question: str, history: Sequence[Turn]) -> str:
    """The previous question joined to the follow-up: crude, but it keeps the subject."""
    return f"{history[-1].question.strip()} {question.strip()}" if history else question


def format_history(history: Sequence[Turn], labels: tuple[str, str]) -> str:
    """Earlier turns as plain lines; answers lose their citation markers and are shortened."""
    lines = []
    for turn in history:
        answer, _markers = strip_markers(turn.answer)
        answer = " ".join(answer.split())
        if len(answer) > _ANSWER_CHARS:
            answer = answer[:_ANSWER_CHARS] + "…"
        lines.append(f"{labels[0]}{turn.question.strip()}")
        lines.append(f"{labels[1]}{answer}")
    return "\n".join(lines)


def clean_rewrite(raw: str, original: str) -> str:
    """The first non-empty line of the model's reply, without labels or quotes.

    Falls back to the original question when the reply is empty or absurdly long (the model
    answered instead of rewriting).
    """
    for line in raw.splitlines():
        line = _LABEL.sub("", line).strip().strip(_QUOTES).strip()
        if line:
            if len(line) > 4 * len(original) + 200:
                break
            return line
    logger.warning("condense gave no usable question; using the follow-up as it is")
    return original


def example_turns(text: str) -> list[ChatMessage]:
    """Worked examples from ``condense_examples``: blocks split by ``---``, reply after ``=>``."""
    messages: list[ChatMessage] = []
    for block in re.split(r"^---\s*$", text, flags=re.MULTILINE):
        user, _arrow, reply = block.strip().rpartition("\n=> ")
        if user and reply:
            messages += [ChatMessage("user", user.strip()), ChatMessage("assistant", reply.strip())]
    return messages


def condense_messages(
    question: str, history: Sequence[Turn], prompts: PromptLibrary, lang: str
) -> list[ChatMessage]:
    """Instruction as the system message, worked examples as earlier turns, then the real one.

    Small models follow demonstrated turns far better than a described task; without them the
    1.5B model answers a follow-up such as "那执行局呢？" instead of rewriting it.
    """
    labels = ("用户：", "助手：") if lang == "zh" else ("User: ", "Assistant: ")
    turn = prompts.get("condense_turn", lang).render(
        history=format_history(history, labels), question=question.strip()
    )
    return [
        ChatMessage("system", prompts.get("condense", lang).text),
        *example_turns(prompts.get("condense_examples", lang).text),
        ChatMessage("user", turn),
    ]


def condense_question(
    question: str,
    history: Sequence[Turn],
    model: ChatModel,
    prompts: PromptLibrary,
    lang: str,
    *,
    max_turns: int,
    seed: int = 42,
) -> str:
    """The standalone form of ``question`` given ``history`` (unchanged when there is none)."""
    recent = list(history)[-max_turns:] if max_turns > 0 else []
    if not recent:
        return question
    messages = condense_messages(question, recent, prompts, lang)
    params = GenerationParams(max_tokens=_MAX_TOKENS, temperature=0.0, seed=seed, stop=["\n"])
    raw = "".join(model.stream(messages, params))
    rewritten = clean_rewrite(raw, question)
    if rewritten == question or not looks_like_question(rewritten):
        logger.warning("condense gave %r, not a question; joining the turns instead", rewritten)
        return fallback_question(question, recent)
    logger.info("condensed follow-up %r -> %r", question, rewritten)
    return rewritten
