"""The one front door for a question: every entry reads its question through ``read_question``.

The browser, Gradio's ``/ask``, the OpenAI-compatible API, the MCP tools, the CLI and
``AnswerPipeline.stream`` itself all call it, so a question is cleaned, cut and refused the same way
whichever door it came in by, before anything embeds, renders, stores or queues it:

- control characters (``Cc``: an ANSI escape, a NUL) and format characters (``Cf``: bidi
  overrides such as U+202E, zero-width spaces, a byte order mark) are removed; newline and tab
  stay, and so do the zero-width joiner and non-joiner, which are parts of emoji and of words in
  some scripts. Lone surrogates (JSON allows ``"\\ud800"``; nothing downstream can encode them)
  go too;
- a question with nothing left but whitespace is refused with ``EmptyQuestionError``, whose
  message is the same sentence everywhere (``empty_question_message``);
- a question longer than ``answer.max_question_chars`` is cut to that length, and the caller
  is told (``Question.notice``): one pasted book must not hold an answer slot for a minute.

Chat-template tokens and HTML are text, not control characters: they pass here and are made
harmless where they would act (``models.backends.control_tokens`` before a prompt is rendered,
escaping before the chat shows a message).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_KEPT_CONTROLS = frozenset("\n\t\u200c\u200d")  # newline, tab, ZWNJ, ZWJ
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_INVISIBLE = frozenset("\u200c\u200d")

_MESSAGES: dict[str, dict[str, str]] = {
    "empty_question": {
        "en": "Please type a question about the documents.",
        "zh": "请输入一个关于文件内容的问题。",
    },
    "question_cut": {
        "en": "The question was {length} characters long; only its first {limit} were used.",
        "zh": "问题长达 {length} 个字符，只使用了前 {limit} 个字符。",
    },
}


def _message(key: str, lang: str | None) -> str:
    """One language's sentence ("zh", "en"), or both side by side when it is not known."""
    texts = _MESSAGES[key]
    if lang in texts:
        return texts[lang]
    return f"{texts['en']} / {texts['zh']}"


def empty_question_message(lang: str | None = None) -> str:
    """What every door says to an empty question (both languages when ``lang`` is unknown)."""
    return _message("empty_question", lang)


class EmptyQuestionError(ValueError):
    """The question was empty, whitespace or invisible characters only; the message asks for one.

    ``code`` names the error for machine callers (the APIs' error objects).
    """

    code = "empty_question"

    def __init__(self, lang: str | None = None) -> None:
        super().__init__(empty_question_message(lang))


@dataclass(frozen=True)
class Question:
    """A question as every door passes it on: cleaned, and cut to the limit."""

    text: str
    length: int  # of the cleaned question before it was cut
    limit: int

    @property
    def cut(self) -> bool:
        return self.length > self.limit

    def notice(self, lang: str | None = None) -> str:
        """What to tell the asker about the cut ("" when nothing was cut)."""
        if not self.cut:
            return ""
        return _message("question_cut", lang).format(length=self.length, limit=self.limit)


def clean_question(text: str | None) -> str:
    """``text`` without control, format and surrogate characters, and without outer whitespace."""
    kept = (
        ch
        for ch in (text or "")
        if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in _REMOVED_CATEGORIES
    )
    return "".join(kept).strip()


def read_question(text: str | None, limit: int, lang: str | None = None) -> Question:
    """The question behind ``text``, cleaned and cut to ``limit`` characters.

    Raises ``EmptyQuestionError`` (its message in ``lang``, else in both languages) when nothing
    visible is left.
    """
    cleaned = clean_question(text)
    if not any(ch not in _INVISIBLE and not ch.isspace() for ch in cleaned):
        raise EmptyQuestionError(lang)
    # Cut, then trimmed again, so reading a question twice (a door, then the assistant) gives
    # the same text.
    return Question(text=cleaned[:limit].rstrip(), length=len(cleaned), limit=limit)
