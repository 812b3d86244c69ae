"""Turn the filter controls into the ``doc_ids``/``langs``/``language`` the assistant accepts.

Control values are stable codes ("all", "selected", "language"; "zh", "en", "auto"), and only
their labels change with the UI language, so a switch of language never changes a filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.index.catalog import DocumentInfo
from assistant.ui.labels import lang_name, t

SCOPE_ALL = "all"
SCOPE_SELECTED = "selected"
SCOPE_LANGUAGE = "language"


@dataclass(frozen=True)
class Filters:
    doc_ids: list[str] | None = None
    langs: list[str] | None = None
    language: str | None = None  # answer language; None: same as the question
    note: str | None = None  # said to the user when a control was ignored

    def as_record(self) -> dict[str, object]:
        return {"doc_ids": self.doc_ids, "langs": self.langs, "language": self.language}


def resolve_filters(
    scope: str | None,
    selected_docs: Sequence[str] | None,
    doc_lang: str | None,
    answer_lang: str | None,
    ui_lang: str,
) -> Filters:
    """The assistant's keyword arguments for the chosen scope and answer language."""
    language = answer_lang if answer_lang in ("zh", "en") else None
    if scope == SCOPE_SELECTED:
        docs = [d for d in (selected_docs or []) if d]
        if not docs:
            return Filters(language=language, note=t("selection_empty", ui_lang))
        return Filters(doc_ids=docs, language=language)
    if scope == SCOPE_LANGUAGE and doc_lang in ("zh", "en"):
        return Filters(langs=[doc_lang], language=language)
    return Filters(language=language)


def scope_choices(ui_lang: str) -> list[tuple[str, str]]:
    return [
        (t("scope_all", ui_lang), SCOPE_ALL),
        (t("scope_selected", ui_lang), SCOPE_SELECTED),
        (t("scope_language", ui_lang), SCOPE_LANGUAGE),
    ]


def language_choices(ui_lang: str) -> list[tuple[str, str]]:
    return [(lang_name("zh", ui_lang), "zh"), (lang_name("en", ui_lang), "en")]


def answer_language_choices(ui_lang: str) -> list[tuple[str, str]]:
    return [(t("answer_language_auto", ui_lang), "auto"), *language_choices(ui_lang)]


def document_choices(documents: Sequence[DocumentInfo]) -> list[tuple[str, str]]:
    """Dropdown entries "S/2018/208 — title" (or the file name), valued by doc_id."""
    choices = []
    for doc in sorted(documents, key=lambda d: (d.lang, d.symbol or "", d.source)):
        name = doc.symbol or doc.source
        title = (doc.title or "").strip()
        if len(title) > 70:
            title = title[:69] + "…"
        choices.append((f"{name} — {title}" if title else name, doc.doc_id))
    return choices
