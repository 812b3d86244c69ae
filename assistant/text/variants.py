"""Traditional and Simplified Chinese: one form for matching, the asker's form for reading.

Colleagues in Hong Kong, Macao and Taiwan write 委員會 and 會議 where the UN's Chinese documents
print 委员会 and 会议. Matching (BM25 tokens, the glossary, the citation check's word overlap)
folds both to Simplified with OpenCC's phrase-aware ``t2s`` conversion, so either form finds the
other; the stored and displayed text is never changed. An answer to a question written in
Traditional characters is converted back with ``s2t`` before the asker sees it.

OpenCC (``opencc`` on PyPI, 1.4.2) ships its dictionaries inside the wheel; converters are built
once per process. Converting is character- and phrase-level and keeps every non-Han character
(digits, Latin letters, the ``[1]`` citation markers) as it is.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from assistant.text.cjk import HAN_RE

# A question counts as Traditional when it has at least this many characters whose Simplified
# form differs, and more of them than characters that exist only in Simplified.
_MIN_TRADITIONAL_CHARS = 1


class _Converter:
    """One OpenCC converter, safe to share between threads."""

    def __init__(self, config: str) -> None:
        import opencc

        self._converter = opencc.OpenCC(config)
        self._lock = threading.Lock()

    def __call__(self, text: str) -> str:
        with self._lock:
            return self._converter.convert(text)


@lru_cache(maxsize=4)
def _converter(config: str) -> _Converter:
    return _Converter(config)


def to_simplified(text: str) -> str:
    """``text`` with Traditional characters folded to Simplified (Simplified text unchanged)."""
    if not HAN_RE.search(text):
        return text
    return _converter("t2s")(text)


def to_traditional(text: str) -> str:
    """``text`` in Traditional characters (OpenCC standard ``s2t``)."""
    if not HAN_RE.search(text):
        return text
    return _converter("s2t")(text)


def is_traditional(text: str) -> bool:
    """Whether ``text`` is written in Traditional characters.

    Most characters are the same in both scripts; the ones that tell are those that change
    when folded to Simplified (會, 議, 員) against those that change when converted to
    Traditional (会, 议, 员). Counted character by character, so names quoted in the other
    script do not flip a question whose own words are clear.
    """
    han = "".join(HAN_RE.findall(text))
    if not han:
        return False
    simplified = to_simplified(han)
    traditional = to_traditional(han)
    if len(simplified) != len(han) or len(traditional) != len(han):
        return simplified != han and traditional == han
    traditional_only = sum(a != b for a, b in zip(han, simplified, strict=True))
    simplified_only = sum(a != b for a, b in zip(han, traditional, strict=True))
    return traditional_only >= _MIN_TRADITIONAL_CHARS and traditional_only > simplified_only
