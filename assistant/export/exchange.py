"""What an export holds: questions with their answers, and how each citation is described."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer.types import Answer, Citation

_LABELS = {
    "question": {"en": "Question", "zh": "问题"},
    "answer": {"en": "Answer", "zh": "回答"},
    "sources": {"en": "Sources", "zh": "来源"},
    "page": {"en": "p. {page}", "zh": "第 {page} 页"},
    "conversation": {"en": "Questions and answers", "zh": "问答记录"},
    "no_sources": {"en": "No source supports an answer.", "zh": "没有可作为回答依据的来源。"},
}


@dataclass(frozen=True)
class Exchange:
    question: str
    answer: Answer


def label(key: str, lang: str) -> str:
    """A heading in the answer's language (Chinese answers get Chinese headings)."""
    texts = _LABELS[key]
    return texts["zh" if lang == "zh" else "en"]


def location(citation: Citation, lang: str) -> str:
    """ "S/2018/435, ¶2, p. 3": where the cited passage is, as a reader looks it up."""
    p = citation.passage
    parts = [p.symbol or p.source]
    if p.paragraph:
        parts.append(f"¶{p.paragraph}")
    if p.page is not None:
        parts.append(label("page", lang).format(page=p.page))
    return ", ".join(parts)


def origin(citation: Citation) -> str:
    """The document's title and file, and the passage's language: "Title (file.txt, zh)"; the
    file only where ``location`` did not already name it (a document without a UN symbol)."""
    p = citation.passage
    title = p.title if p.title and p.title != p.source else ""
    file_part = f"{p.source}, {p.lang}" if p.symbol else p.lang
    return f"{title} ({file_part})" if title else f"({file_part})"
