"""The lines after the question that tell the model what to answer: parts, facts, names.

- **Parts.** A question with several parts is listed part by part, each with the facts of its
  answer type found in the evidence (``facts.py``), and the model answers each on its own
  numbered line. A one-part question gets its facts on one line.
- **Not covered.** A typed part with no fact in the evidence is marked so, and the model is
  told to say the documents do not say it, instead of filling it from another sentence.
- **Names.** An English answer over Chinese passages gets the glossary's English form of the
  terms those passages use (预算外捐助 = extrabudgetary contributions), so official names are
  not translated word by word.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.facts import PartEvidence
from assistant.answer.packing import PackedPassage
from assistant.answer.prompts import Prompt, PromptLibrary
from assistant.index.glossary import Glossary

_MAX_FACTS_PER_PART = 3
_MAX_GLOSSARY_TERMS = 8


def build_guide(
    evidence: Sequence[PartEvidence],
    packed: Sequence[PackedPassage],
    lang: str,
    prompts: PromptLibrary,
    glossary: Glossary | None,
) -> tuple[str, list[Prompt]]:
    """The guide text and the prompt files it used (for the answer's prompt hashes)."""
    used: list[Prompt] = []
    lines: list[str] = []
    if len(evidence) > 1:
        header = prompts.get("parts_header", lang)
        line = prompts.get("part_line", lang)
        missing = prompts.get("part_not_found", lang)
        used += [header, line, missing]
        lines.append(header.render(count=str(len(evidence))))
        for number, part_evidence in enumerate(evidence, start=1):
            facts = _facts_text(part_evidence, missing.text)
            text = line.render(number=str(number), part=part_evidence.part.text, facts=facts)
            lines.append(text.rstrip(": ").rstrip() if not facts else text)
    elif evidence and evidence[0].part.typed and evidence[0].facts:
        found = prompts.get("facts_found", lang)
        used.append(found)
        lines.append(found.render(facts=_facts_text(evidence[0], "")))
    if glossary is not None and lang == "en":
        evidence_text = " ".join(e.best.sentence for e in evidence if e.best is not None)
        terms = glossary_terms(packed, glossary, evidence_text)
        if terms:
            hint = prompts.get("glossary_hint", lang)
            used.append(hint)
            lines.append(hint.render(terms="; ".join(f"{zh} = {en}" for zh, en in terms)))
    return "\n".join(lines), used


def _facts_text(part_evidence: PartEvidence, missing: str) -> str:
    if not part_evidence.part.typed:
        return ""
    if not part_evidence.covered or not part_evidence.facts:
        return missing
    facts = part_evidence.facts[:_MAX_FACTS_PER_PART]
    return ", ".join(f"{fact.text} [{fact.passage_number}]" for fact in facts)


def glossary_terms(
    packed: Sequence[PackedPassage], glossary: Glossary, evidence_text: str = ""
) -> list[tuple[str, str]]:
    """(Chinese term, English name) for glossary terms in the Chinese passages shown: those of
    the parts' evidence sentences first, then the longest (official names the model would
    otherwise translate literally, not common words)."""
    found: dict[str, str] = {}
    for item in packed:
        if item.passage.lang != "zh":
            continue
        for term, translation in glossary.matches(item.text):
            if term in item.text and term not in found and not term.isascii():
                found[term] = translation
    ranked = sorted(found.items(), key=lambda pair: (pair[0] not in evidence_text, -len(pair[0])))
    return ranked[:_MAX_GLOSSARY_TERMS]
