"""Which language to answer in: the asker's, or the one they chose.

``langdetect`` is reliable on a full sentence in one script, but questions are short and often
mix scripts ("CTED 的任务是什么？", "What does 反恐怖主义委员会执行局 do?"). For mixed-script
questions the *grammatical frame* decides: the language of the question words and particles,
not of the names quoted inside. Only when that is undecided does ``detect_language`` settle it
(its first test is the script count, ``text.script.is_chinese_text``). The assistant answers only
in Chinese or English; any other language gets English.

Chinese answers follow the question's script too: a question in Traditional characters gets
its answer in Traditional characters (``in_question_script``). The prompts, the model and the
citation check work in Simplified, the documents' script; only what the asker reads is
converted, streamed text and final answer alike, and the cited passages stay as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any, Literal

from assistant.answer.types import Answer
from assistant.text.cjk import has_han
from assistant.text.lang import detect_language
from assistant.text.variants import is_traditional, to_simplified, to_traditional

AnswerLanguage = Literal["zh", "en"]

_LATIN_WORD = re.compile(r"[A-Za-z]+")
_EN_FRAME_TEXT = """
what which who whom whose when where why how does do did is are was were will would can could
should has have had the of in on for to and or a an about list name describe explain tell me
please
"""
_EN_FRAME = frozenset(_EN_FRAME_TEXT.split())
_ZH_FRAME = (
    "什么", "哪", "谁", "何时", "何地", "如何", "怎么", "怎样", "为什么", "多少", "几",
    "是否", "吗", "呢", "的", "了", "请", "列出", "介绍", "说明", "有关", "关于",
)  # fmt: skip


def answer_language(question: str, override: str | None = "auto") -> AnswerLanguage:
    """The language of the answer: ``override`` when it is "zh" or "en", else the question's."""
    if override in ("zh", "en"):
        return override  # type: ignore[return-value]
    latin_words = _LATIN_WORD.findall(question)
    if not has_han(question):
        return "en"
    if not latin_words:
        return "zh"
    frame = _frame_language(question, latin_words)
    if frame is not None:
        return frame
    # "other" (a Latin-script language, or too few Han characters to count as Chinese): English
    return "zh" if detect_language(question) == "zh" else "en"


def _frame_language(question: str, latin_words: list[str]) -> AnswerLanguage | None:
    """Language of the question words and particles, when one side clearly has more."""
    en_hits = sum(1 for word in latin_words if word.lower() in _EN_FRAME)
    zh_hits = sum(question.count(marker) for marker in _ZH_FRAME)
    if question.rstrip().endswith(("？", "。")):
        zh_hits += 1
    if en_hits > zh_hits:
        return "en"
    if zh_hits > en_hits:
        return "zh"
    return None


AnswerStream = Callable[..., Iterator[Any]]


def in_question_script(stream: AnswerStream) -> AnswerStream:
    """Wrap ``AnswerPipeline.stream`` so that a Traditional-Chinese question is answered in
    Traditional characters; any other question passes through untouched.

    The pipeline itself reads the question in Simplified characters, as the documents are
    written: the embedder, the candidate scorer and the model's choice then compare like with
    like."""

    @functools.wraps(stream)
    def wrapper(self: object, question: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        if not is_traditional(question or ""):
            yield from stream(self, question, *args, **kwargs)
            return
        items = stream(self, to_simplified(question), *args, **kwargs)
        yield from traditional_stream(items, question.strip())

    return wrapper


def traditional_stream(items: Iterator[Any], question: str) -> Iterator[Any]:
    """Streamed text and the final ``Answer`` converted to Traditional characters.

    The text so far is converted as a whole, so that a phrase split between two deltas
    (头|发 → 頭髮, not 頭發) converts as one; its last character is held back until the next
    delta shows what follows it.
    """
    raw, sent = "", 0
    for item in items:
        if isinstance(item, Answer):
            if sent < len(converted := to_traditional(raw)):
                yield converted[sent:]
            yield traditional_answer(item, question)
            continue
        if not isinstance(item, str):  # an event (retrieved evidence): shown as written
            yield item
            continue
        raw += item
        ready = to_traditional(raw)[:-1]
        if len(ready) > sent:
            yield ready[sent:]
            sent = len(ready)


def traditional_answer(answer: Answer, question: str) -> Answer:
    """The answer's own sentences in Traditional characters, to ``question`` as it was asked;
    passages and evidence as written."""
    answer.question = question[: len(answer.question)]  # as cut, when it was too long
    if answer.standalone_question:
        answer.standalone_question = to_traditional(answer.standalone_question)
    answer.text = to_traditional(answer.text)
    answer.unsupported_sentences = [to_traditional(s) for s in answer.unsupported_sentences]
    for citation in answer.citations:
        citation.answer_sentences = [to_traditional(s) for s in citation.answer_sentences]
    return answer
