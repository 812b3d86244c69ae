"""Quote-then-answer: read the model's verbatim quotes, check them, and hide them while streaming.

In this mode the model first copies the passage sentences that answer the question ("Quote [1]:
…", "引文[1]：…") and then writes "Answer:"/"回答：" and the answer. Copying is what small
models do best, and a quote can be checked *verbatim* against the passage (ignoring whitespace
and width), so a verified quote is the evidence shown to the user and tells post-hoc
attribution which passage the answer came from, whether or not the model wrote markers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.packing import PackedPassage
from assistant.answer.support import passage_sentences
from assistant.text.sentences import split_sentences

_QUOTE_LINE = re.compile(
    r"^\s*(?:quote|引文|引用)\s*[\[【]?\s*(\d{1,3})?\s*[\]】]?\s*[:：]\s*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)
_ANSWER_LABEL = re.compile(r"(?:^|\n)\s*(?:answer|回答|答案|答)\s*[:：]\s*", re.IGNORECASE)
_NOISE = re.compile(r"[\s\"“”'‘’「」『』]+")
_MIN_QUOTE_CHARS = 6


@dataclass(frozen=True)
class Quote:
    number: int | None
    text: str


def normalise(text: str) -> str:
    """Compare form: NFKC (full-width to half-width), no whitespace or quote marks, lower case."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


def split_quote_output(raw: str) -> tuple[list[Quote], str]:
    """The quotes and the answer part of a quote-then-answer reply.

    Without an answer label the whole reply minus its quote lines is the answer, so a model
    that skips the format still produces an answer.
    """
    quotes = [
        Quote(int(m.group(1)) if m.group(1) else None, m.group(2).strip())
        for m in _QUOTE_LINE.finditer(raw)
    ]
    label = _ANSWER_LABEL.search(raw)
    answer = raw[label.end() :] if label else _QUOTE_LINE.sub("", raw)
    return quotes, answer.strip()


def verify_quotes(
    quotes: Sequence[Quote], packed: Sequence[PackedPassage]
) -> dict[int, tuple[str, ...]]:
    """Passage number → the passage sentences a quote reproduces verbatim.

    A quote is looked up in the passage it names first, then in the others (models misnumber).
    Each sentence of a quote is checked on its own, so a partly invented quote still yields
    its genuine sentences and nothing else.
    """
    found: dict[int, list[str]] = {}
    for quote in quotes:
        order = sorted(packed, key=lambda p: p.number != quote.number)
        for piece in _quote_pieces(quote.text):
            for item in order:
                evidence = _matching_sentences(piece, item.passage.text)
                if evidence:
                    bucket = found.setdefault(item.number, [])
                    bucket.extend(s for s in evidence if s not in bucket)
                    break
    return {number: tuple(sentences) for number, sentences in found.items()}


def _quote_pieces(text: str) -> list[str]:
    pieces = [text[s:e] for s, e in split_sentences(text)] or [text]
    return [p for p in pieces if len(normalise(p)) >= _MIN_QUOTE_CHARS]


def _matching_sentences(piece: str, passage_text: str) -> list[str]:
    needle = normalise(piece).rstrip("。.;；")
    if not needle or needle not in normalise(passage_text):
        return []
    matches = []
    for sentence in passage_sentences(passage_text):
        key = normalise(sentence)
        if needle in key or (len(key) >= _MIN_QUOTE_CHARS and key in needle):
            matches.append(sentence)
    return matches


class AnswerSectionFilter:
    """Streams only the answer part of a quote-then-answer reply.

    Text before the answer label is held back; once the label is seen, everything after it
    passes through. If the reply ends without a label, ``finish`` releases the non-quote text.
    """

    def __init__(self) -> None:
        self._buffer = ""
        self._open = False

    def feed(self, delta: str) -> str:
        if self._open:
            return delta
        self._buffer += delta
        label = _ANSWER_LABEL.search(self._buffer)
        if label is None:
            return ""
        self._open = True
        return self._buffer[label.end() :].lstrip()

    def finish(self) -> str:
        """Whatever should still be shown after the stream ended."""
        if self._open:
            return ""
        _quotes, answer = split_quote_output(self._buffer)
        return answer
