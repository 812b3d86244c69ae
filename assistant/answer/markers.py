"""Find, strip and write citation markers in answer text.

Models write citations in many shapes: ``[1]``, ``[1, 2]``, ``[1][2]``, ``[1-3]``, full-width
``【1】`` or ``[passage 2]``. They are all read into passage numbers here, removed from the text,
and written back later in one canonical form (``[1][2]``) after they have been checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.text.cjk import is_han

_MARKER = re.compile(
    r"[ \t]*[\[【]\s*(?:passages?|sources?|段落|来源|引文)?\s*"
    r"(\d{1,3}(?:\s*(?:[,，、;；]|-|–|and|和)\s*\d{1,3})*)\s*[\]】]",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d{1,3}")
_RANGE = re.compile(r"(\d{1,3})\s*[-–]\s*(\d{1,3})")
_TRAILING_PUNCT = re.compile(r"[。．.!！?？;；:：,，]+[\"”’」』)）]*\s*$")
_MAX_RANGE = 20


@dataclass(frozen=True)
class Marker:
    position: int  # offset in the stripped text where the marker stood
    numbers: tuple[int, ...]


def marker_numbers(inner: str) -> tuple[int, ...]:
    """Numbers inside one marker, with ranges expanded: "1-3, 5" → (1, 2, 3, 5)."""
    numbers: list[int] = []
    for start, end in _RANGE.findall(inner):
        low, high = int(start), int(end)
        if low <= high <= low + _MAX_RANGE:
            numbers.extend(range(low, high + 1))
        else:
            numbers.extend((low, high))
    rest = _RANGE.sub(" ", inner)
    numbers.extend(int(n) for n in _NUMBER.findall(rest))
    return tuple(dict.fromkeys(numbers))


def strip_markers(text: str) -> tuple[str, list[Marker]]:
    """The text without citation markers, and where each marker stood in that text."""
    pieces: list[str] = []
    markers: list[Marker] = []
    cursor = 0
    length = 0
    for match in _MARKER.finditer(text):
        piece = text[cursor : match.start()]
        pieces.append(piece)
        length += len(piece)
        markers.append(Marker(length, marker_numbers(match.group(1))))
        cursor = match.end()
    pieces.append(text[cursor:])
    return "".join(pieces), markers


def render_markers(numbers: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def insert_markers(sentence: str, numbers: list[int]) -> str:
    """Put markers at the end of a sentence, before its closing punctuation.

    English gets a space before the marker ("report [1]."), Chinese none ("报告[1]。").
    """
    if not numbers:
        return sentence
    body = sentence.rstrip()
    trailing_space = sentence[len(body) :]
    punct = _TRAILING_PUNCT.search(body)
    head, tail = (body[: punct.start()], body[punct.start() :]) if punct else (body, "")
    head = head.rstrip()
    space = "" if not head or is_han(head[-1]) else " "
    return f"{head}{space}{render_markers(numbers)}{tail}{trailing_space}"
