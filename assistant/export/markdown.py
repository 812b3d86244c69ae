"""Answers in Markdown: the text with its ``[n]`` markers, then a sources block.

``sources_markdown`` is also the sources block the OpenAI-compatible API appends to a reply,
so an answer reads the same in a chat front end as in an exported file. Text taken from a
document is escaped, so that a passage cannot turn into markup (HTML, links) where it is shown.
"""

from __future__ import annotations

import re

from assistant.answer.types import Answer
from assistant.export.exchange import Exchange, label, location, origin

_SPECIAL = re.compile(r"([\\`*\[\]<>])")


def escape(text: str) -> str:
    """``text`` with Markdown's (and inline HTML's) special characters escaped, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def sources_heading(lang: str) -> str:
    return f"**{label('sources', lang)}**"


def sources_markdown(answer: Answer) -> str:
    """The cited sources, one paragraph each with the supporting sentence quoted ("" if none)."""
    if answer.refused or not answer.citations:
        return ""
    lines = [sources_heading(answer.language), ""]
    for citation in sorted(answer.citations, key=lambda c: c.number):
        lines.append(
            f"[{citation.number}] {escape(location(citation, answer.language))} — "
            f"{escape(origin(citation))}"
        )
        for sentence in citation.supporting_sentences:
            lines.append(f"> “{escape(sentence)}”")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def answer_markdown(answer: Answer) -> str:
    """The answer's text and, under it, its sources."""
    sources = sources_markdown(answer)
    text = answer.text.strip()
    return f"{text}\n\n{sources}" if sources else f"{text}\n"


def exchange_markdown(exchange: Exchange, number: int | None = None) -> str:
    lang = exchange.answer.language
    heading = label("question", lang) + (f" {number}" if number is not None else "")
    question = escape(exchange.question)
    return (
        f"## {heading}\n\n{question}\n\n### {label('answer', lang)}\n\n"
        f"{answer_markdown(exchange.answer)}"
    )


def conversation_markdown(exchanges: list[Exchange], title: str | None = None) -> str:
    """A whole conversation (or one exchange), numbered when there is more than one."""
    lang = exchanges[0].answer.language if exchanges else "en"
    head = f"# {title or label('conversation', lang)}\n\n"
    numbered = len(exchanges) > 1
    body = "\n".join(
        exchange_markdown(e, n if numbered else None) for n, e in enumerate(exchanges, start=1)
    )
    return head + body
