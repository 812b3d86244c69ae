"""The answer composed from the chosen sentences: the code writes it, not the model.

Every figure and term the user reads comes from a sentence the model chose, and that sentence is
its citation:

* a sentence in the answer's language is the answer, verbatim, with its ``[n]``;
* a sentence in the other language is shown translated (``translation.py``: the model writes
  the translation with the sentence's figures, glossary names and term renderings given; an
  English translation cannot contain a CJK character), the figures of the asked kinds that
  the translation lost listed as the parsers read them, and the original beside it in
  quotation marks so the reader can check;
* a question part of a typed kind (a date, a count, a meeting) that the first sentence holds no
  figure for takes the next most probable sentence that does, if it is probable enough too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from assistant.answer.candidates import Candidate
from assistant.answer.prompts import Prompt, PromptLibrary
from assistant.answer.translation import (
    sentence_terms,
    stream_translation,
    translation_messages,
)
from assistant.models.backends.base import ChatModel
from assistant.text.cjk import has_han
from assistant.text.figures import Figure, extract_figures, render
from assistant.text.glossary import Glossary
from assistant.text.question import QuestionAnalysis
from assistant.text.term_rendering import TermRenderer

_MAX_FIGURES = 4  # figures of the asked kinds given for one sentence
_MAX_EVIDENCE = 2  # sentences one answer rests on
_TRANSLATION_TOKENS_PER_CHAR = {"en": 1.0, "zh": 0.8}  # generous: a translation is not cut
_MIN_TRANSLATION_TOKENS = 48


@dataclass
class Composition:
    """The composed answer: its text and which candidate each ``[n]`` cites."""

    text: str = ""
    cited: dict[int, Candidate] = field(default_factory=dict)
    answer_sentences: dict[int, list[str]] = field(default_factory=dict)
    prompts: list[Prompt] = field(default_factory=list)
    translations: list[tuple[str, Candidate]] = field(default_factory=list)  # and their source


def chosen_sentences(
    candidates: Sequence[Candidate],
    probabilities: Sequence[float],
    first: int,
    analysis: QuestionAnalysis,
    min_probability: float,
) -> list[Candidate]:
    """The candidate the answer rests on (``first``), and for a typed part it holds no figure
    of, the most probable other candidate that does, when its probability (aligned with
    ``candidates``) is at least ``min_probability`` too."""
    chosen = [candidates[first]]
    held = {f.kind for f in extract_figures(candidates[first].sentence)}
    ranked = sorted(range(len(candidates)), key=probabilities.__getitem__, reverse=True)
    for part in analysis.parts:
        kinds = set(part.figure_kinds)
        if not kinds or kinds & held or len(chosen) >= _MAX_EVIDENCE:
            continue
        for option in ranked:
            if probabilities[option] < min_probability:
                break
            candidate = candidates[option]
            found = {f.kind for f in extract_figures(candidate.sentence)}
            if candidate not in chosen and kinds & found:
                chosen.append(candidate)
                held |= found
                break
    return chosen


def asked_figures(sentence: str, analysis: QuestionAnalysis) -> list[Figure]:
    """The figures of the kinds the question asks for, in the order the sentence has them."""
    kinds = {kind for part in analysis.parts for kind in part.figure_kinds}
    unique: dict[str, Figure] = {}
    for figure in extract_figures(sentence):
        if figure.kind in kinds:
            unique.setdefault(figure.key, figure)
    return list(unique.values())[:_MAX_FIGURES]


def missing_renderings(translation: str, renderings: Sequence[str]) -> list[str]:
    """The rendered figures a translation does not contain (compared without spaces or case)."""
    flat = "".join(translation.split()).lower()
    return [r for r in renderings if "".join(r.split()).lower() not in flat]


def sentence_language(sentence: str) -> str:
    return "zh" if has_han(sentence) else "en"


class Composer:
    """Writes answers from chosen sentences; the model only translates."""

    def __init__(
        self,
        model: ChatModel,
        prompts: PromptLibrary,
        glossary: Glossary | None,
        seed: int,
        renderer: TermRenderer | None = None,
    ) -> None:
        self.model = model
        self.prompts = prompts
        self.glossary = glossary
        self.seed = seed
        self.renderer = renderer

    def stream(
        self, chosen: Sequence[Candidate], analysis: QuestionAnalysis, lang: str
    ) -> Iterator[str | Composition]:
        """The answer's text as it is written, then the ``Composition``."""
        composition = Composition()
        numbers: dict[str, int] = {}
        for candidate in chosen:
            number = numbers.setdefault(candidate.passage.chunk_id, len(numbers) + 1)
            composition.cited[number] = candidate
            separator = "\n\n" if composition.text else ""
            if sentence_language(candidate.sentence) == lang:
                piece = f"{separator}{candidate.sentence} [{number}]"
                composition.text += piece
                composition.answer_sentences.setdefault(number, []).append(candidate.sentence)
                yield piece
                continue
            yield from self._translated(candidate, number, analysis, lang, separator, composition)
        yield composition

    def _translated(
        self,
        candidate: Candidate,
        number: int,
        analysis: QuestionAnalysis,
        lang: str,
        separator: str,
        composition: Composition,
    ) -> Iterator[str]:
        figures = asked_figures(candidate.sentence, analysis)
        renderings = [(f.surface, render(f, lang)) for f in figures]
        terms = sentence_terms(candidate.sentence, self.glossary, renderings, self.renderer)
        messages, used = translation_messages(candidate.sentence, lang, terms, self.prompts)
        composition.prompts.extend(used)
        budget = max(
            _MIN_TRANSLATION_TOKENS,
            int(len(candidate.sentence) * _TRANSLATION_TOKENS_PER_CHAR[lang]),
        )
        composition.text += separator
        yield separator
        pieces: list[str] = []
        for delta in stream_translation(messages, lang, self.model, budget, self.seed):
            pieces.append(delta)
            composition.text += delta
            yield delta
        translation = "".join(pieces).strip()
        composition.translations.append((translation, candidate))
        composition.answer_sentences.setdefault(number, []).append(translation)
        tail = f" [{number}]"
        lost = missing_renderings(translation, [rendered for _s, rendered in renderings])
        if lost:
            label = self.prompts.get("figures_label", lang)
            composition.prompts.append(label)
            tail += f"\n\n{_labelled(label.text, '; '.join(lost))} [{number}]"
        original = self.prompts.get("original_label", lang)
        composition.prompts.append(original)
        tail += f"\n\n{_labelled(original.text, f'“{candidate.sentence}”')}"
        composition.text += tail
        yield tail


def _labelled(label: str, text: str) -> str:
    """ "Original: …" in English, "原文：…" in Chinese (the full-width colon needs no space)."""
    return f"{label} {text}" if label.endswith(":") else f"{label}{text}"
