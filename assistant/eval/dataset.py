"""Evaluation question sets: the JSONL format, its loader and its schema check.

A question set is versioned data that every evaluation run is measured against, so a mistake in
it (a misspelt field, an evidence span that is not in its document) silently corrupts every
metric. The check therefore validates each line against the schema *and* against the raw corpus
files the spans were copied from.

One question per line::

    {"id": "en-zh-01", "lang": "en", "question": "...", "answerable": true,
     "doc": "000_b645ea8b0039a4ff.txt", "evidence": ["..."], "answer": "...",
     "must_include": ["330", "19 April 2018"], "history": [], "tags": ["factual"]}

``doc`` is one file name, or a list for cross-document questions, and ``[]`` when the question
is unanswerable. Evidence is compared after :func:`match_key`: PDF extraction inserts spaces and
line breaks inside sentences and the cleaner drops footnote markers, so neither may decide a match.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from assistant.text.cjk import text_units
from assistant.text.script import script_language

QuestionLang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

REQUIRED_FIELDS: tuple[str, ...] = (
    "id",
    "lang",
    "question",
    "answerable",
    "doc",
    "evidence",
    "answer",
    "must_include",
)
OPTIONAL_FIELDS: tuple[str, ...] = ("history", "tags")

# Tags are free labels for slicing reports; a closed list catches typos ("follow-up", "lists").
KNOWN_TAGS: frozenset[str] = frozenset(
    {
        "factual",
        "number",
        "date",
        "name",
        "list",
        "comparison",
        "cross-document",
        "followup",
        "cross-lingual",
        "unanswerable",
        "off-topic",
    }
)

# A key fact is something a scorer can look for verbatim; long sentences never match exactly.
MAX_FACT_CHARS = 40
# An evidence span longer than the chunk overlap (in the chunker's units: one CJK character or
# one Latin word) can straddle two chunks and then no retrieved passage contains it whole.
MAX_EVIDENCE_UNITS = 40

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_RE = re.compile(f"[{_SUPERSCRIPTS}]")
_WHITESPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class HistoryTurn:
    """An earlier turn of the conversation a follow-up question depends on."""

    question: str
    answer: str


@dataclass(frozen=True)
class EvalQuestion:
    """One evaluation item. ``doc`` is always a tuple here, whatever form the line used."""

    id: str
    lang: QuestionLang
    question: str
    answerable: bool
    doc: tuple[str, ...]
    evidence: tuple[str, ...]
    answer: str
    must_include: tuple[str, ...]
    history: tuple[HistoryTurn, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def is_followup(self) -> bool:
        return bool(self.history)

    @property
    def is_cross_document(self) -> bool:
        return len(self.doc) > 1

    def to_record(self) -> dict[str, Any]:
        """The JSON object for this question, in the file's own field order and forms."""
        record: dict[str, Any] = {
            "id": self.id,
            "lang": self.lang,
            "question": self.question,
            "answerable": self.answerable,
            "doc": self.doc[0] if len(self.doc) == 1 else list(self.doc),
            "evidence": list(self.evidence),
            "answer": self.answer,
            "must_include": list(self.must_include),
        }
        if self.history:
            record["history"] = [{"question": t.question, "answer": t.answer} for t in self.history]
        if self.tags:
            record["tags"] = list(self.tags)
        return record


@dataclass(frozen=True)
class Problem:
    """Something wrong with one line of a question set (or with the file as a whole)."""

    path: str
    line: int | None
    qid: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        who = f" [{self.qid}]" if self.qid else ""
        return f"{where}{who}: {self.message}"


class QuestionSetError(ValueError):
    """A question set that does not follow the schema; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s) in question set:\n{shown}{more}")


# --------------------------------------------------------------------------- text helpers


def match_key(text: str) -> str:
    """Normalise text for evidence matching: no whitespace, no footnote markers, NFKC forms.

    Superscripts are dropped *before* NFKC (which would turn "¹" into a plain "1"); NFKC then
    folds full-width punctuation and digits so a cleaner that normalises them still matches.
    """
    text = _SUPERSCRIPT_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE_RE.sub("", text)


def contains_evidence(haystack: str, span: str) -> bool:
    """Whether ``span`` occurs in ``haystack`` once whitespace and footnote markers are ignored."""
    key = match_key(span)
    return bool(key) and key in match_key(haystack)


# --------------------------------------------------------------------------- parsing


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _field_problems(record: Mapping[str, Any]) -> list[str]:
    """Schema problems of one JSON object: presence, types and the values' own consistency."""
    problems: list[str] = []
    missing = [name for name in REQUIRED_FIELDS if name not in record]
    if missing:
        problems.append(f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(record) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")

    def check(name: str, ok: bool, expected: str) -> None:
        if name in record and not ok:
            problems.append(f"field '{name}' must be {expected}, got {record[name]!r}")

    check("id", isinstance(record.get("id"), str) and bool(record.get("id")), "a non-empty string")
    check("lang", record.get("lang") in LANGS, f"one of {LANGS}")
    question = record.get("question")
    check("question", isinstance(question, str) and bool(question.strip()), "a non-empty string")
    check("answerable", isinstance(record.get("answerable"), bool), "true or false")
    doc = record.get("doc")
    check("doc", (isinstance(doc, str) and bool(doc)) or _is_str_list(doc), "a file name or a list")
    check("evidence", _is_str_list(record.get("evidence")), "a list of strings")
    check("answer", isinstance(record.get("answer"), str), "a string")
    check("must_include", _is_str_list(record.get("must_include")), "a list of strings")
    history = record.get("history", [])
    history_ok = isinstance(history, list) and all(
        isinstance(t, dict)
        and set(t) == {"question", "answer"}
        and all(isinstance(v, str) and v.strip() for v in t.values())
        for t in history
    )
    check("history", history_ok, 'a list of {"question": str, "answer": str}')
    tags = record.get("tags", [])
    check("tags", _is_str_list(tags), "a list of strings")
    return problems


def _build(record: Mapping[str, Any]) -> EvalQuestion:
    doc = record["doc"]
    docs = (doc,) if isinstance(doc, str) else tuple(doc)
    return EvalQuestion(
        id=record["id"],
        lang=record["lang"],
        question=record["question"],
        answerable=record["answerable"],
        doc=docs,
        evidence=tuple(record["evidence"]),
        answer=record["answer"],
        must_include=tuple(record["must_include"]),
        history=tuple(HistoryTurn(t["question"], t["answer"]) for t in record.get("history", [])),
        tags=tuple(record.get("tags", [])),
    )


def _content_problems(q: EvalQuestion) -> list[str]:
    """Problems a well-typed question can still have: contradictions between its own fields."""
    return [
        *_answerability_problems(q),
        *_evidence_problems(q),
        *_fact_problems(q),
        *_language_problems(q),
        *_tag_problems(q),
    ]


def _answerability_problems(q: EvalQuestion) -> list[str]:
    """An answerable question names its source and facts; an unanswerable one names none."""
    if not q.answerable:
        problems = []
        if q.doc or q.evidence or q.must_include:
            problems.append("unanswerable question must have doc, evidence and must_include empty")
        if "unanswerable" not in q.tags:
            problems.append("unanswerable question must carry the 'unanswerable' tag")
        return problems
    missing = {
        "a doc": q.doc,
        "evidence": q.evidence,
        "must_include facts": q.must_include,
        "a reference answer": q.answer.strip(),
    }
    problems = [
        f"answerable question without {name}" for name, value in missing.items() if not value
    ]
    if "unanswerable" in q.tags:
        problems.append("answerable question tagged 'unanswerable'")
    return problems


def _evidence_problems(q: EvalQuestion) -> list[str]:
    problems = []
    if len(set(q.doc)) != len(q.doc):
        problems.append("doc lists the same file twice")
    for span in q.evidence:
        if not span.strip():
            problems.append("empty evidence span")
        elif text_units(span) > MAX_EVIDENCE_UNITS:
            problems.append(
                f"evidence span longer than {MAX_EVIDENCE_UNITS} units (CJK characters or "
                f"words); cut it to the clause that holds the fact: {span[:30]!r}..."
            )
    return problems


def _fact_problems(q: EvalQuestion) -> list[str]:
    problems = []
    for fact in q.must_include:
        if not fact.strip():
            problems.append("empty must_include fact")
        elif len(fact) > MAX_FACT_CHARS:
            problems.append(f"must_include fact longer than {MAX_FACT_CHARS} chars: {fact!r}")
        elif match_key(fact).casefold() not in match_key(q.answer).casefold():
            problems.append(f"must_include fact {fact!r} is not in the reference answer")
    return problems


def _language_problems(q: EvalQuestion) -> list[str]:
    problems = []
    if script_language(q.question) != q.lang:
        problems.append(
            f"lang is {q.lang!r} but the question reads as {script_language(q.question)!r}"
        )
    if q.answer.strip() and script_language(q.answer) != q.lang:
        problems.append(f"answer is not written in the question's language ({q.lang})")
    if any(script_language(turn.question) != q.lang for turn in q.history):
        problems.append("a history turn is not in the question's language")
    return problems


def _tag_problems(q: EvalQuestion) -> list[str]:
    problems = []
    unknown_tags = sorted(set(q.tags) - KNOWN_TAGS)
    if unknown_tags:
        problems.append(f"unknown tag(s): {', '.join(unknown_tags)}")
    if bool(q.history) != ("followup" in q.tags):
        problems.append("the 'followup' tag and a non-empty history must go together")
    if q.is_cross_document != ("cross-document" in q.tags):
        problems.append("the 'cross-document' tag and a list of several docs must go together")
    return problems


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


Item = TypeVar("Item", bound=_Identified)


def _parse_lines(path: Path) -> tuple[list[tuple[int, EvalQuestion]], list[Problem]]:
    """Every well-formed question with its line number, plus the schema problems found."""
    return parse_records(path, "question set", _field_problems, _build, _content_problems)


def parse_records(
    path: Path,
    kind: str,
    field_problems: Callable[[dict], list[str]],
    build: Callable[[dict], Item],
    content_problems: Callable[[Item], list[str]],
) -> tuple[list[tuple[int, Item]], list[Problem]]:
    """Every well-formed record of a JSON-lines ``kind`` ("question set", "conversation set")
    with its line number, and every problem found: unreadable file, invalid JSON, a line that
    is not an object, the fields ``field_problems`` finds (the record is then skipped), the
    content ``content_problems`` finds in the built item, duplicate ids, an empty set."""
    shown = str(path)
    problems: list[Problem] = []
    found: list[tuple[int, Item]] = []
    seen: dict[str, int] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(shown, None, None, f"cannot read {kind}: {exc}")]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(shown, number, None, f"invalid JSON: {exc.msg}"))
            continue
        if not isinstance(record, dict):
            problems.append(Problem(shown, number, None, "a line must be a JSON object"))
            continue
        rid = record.get("id") if isinstance(record.get("id"), str) else None
        errors = field_problems(record)
        if errors:
            problems.extend(Problem(shown, number, rid, e) for e in errors)
            continue
        item = build(record)
        problems.extend(Problem(shown, number, rid, e) for e in content_problems(item))
        if item.id in seen:
            problems.append(
                Problem(shown, number, rid, f"duplicate id (first on line {seen[item.id]})")
            )
        else:
            seen[item.id] = number
        found.append((number, item))
    if not found and not problems:
        problems.append(Problem(shown, None, None, f"{kind} is empty"))
    return found, problems


def load_question_set(path: str | Path) -> list[EvalQuestion]:
    """Load a question set; raise :class:`QuestionSetError` if any line breaks the schema.

    Only the file itself is checked here; :func:`check_question_set` also checks the corpus.
    """
    questions, problems = _parse_lines(Path(path))
    if problems:
        raise QuestionSetError(problems)
    return [q for _, q in questions]


# --------------------------------------------------------------------------- corpus checks


@dataclass
class CorpusFiles:
    """The raw corpus files by file name, with each file's language (its folder: zh/ or en/)."""

    root: Path
    paths: dict[str, Path] = field(default_factory=dict)
    langs: dict[str, str] = field(default_factory=dict)
    _texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def scan(cls, root: str | Path) -> CorpusFiles:
        corpus = cls(Path(root))
        for lang in LANGS:
            folder = corpus.root / lang
            if not folder.is_dir():
                continue
            for path in sorted(p for p in folder.iterdir() if p.is_file()):
                corpus.paths[path.name] = path
                corpus.langs[path.name] = lang
        return corpus

    def text(self, name: str) -> str:
        if name not in self._texts:
            self._texts[name] = self.paths[name].read_text(encoding="utf-8", errors="replace")
        return self._texts[name]


def doc_language(question: EvalQuestion, doc_langs: Mapping[str, str]) -> str:
    """The language of a question's documents: "zh", "en", "mixed", or "none" (unanswerable)."""
    langs = {doc_langs.get(name, "unknown") for name in question.doc}
    if not langs:
        return "none"
    return langs.pop() if len(langs) == 1 else "mixed"


def question_slice(question: EvalQuestion, doc_langs: Mapping[str, str]) -> str:
    """Question language × document language, e.g. "en→zh"; "en→none" when unanswerable."""
    return f"{question.lang}→{doc_language(question, doc_langs)}"


def _corpus_problems(q: EvalQuestion, corpus: CorpusFiles) -> list[str]:
    problems: list[str] = []
    unknown = [name for name in q.doc if name not in corpus.paths]
    if unknown:
        problems.append(f"unknown doc(s) (not in {corpus.root}/zh or /en): {', '.join(unknown)}")
    known = [name for name in q.doc if name in corpus.paths]
    supported: set[str] = set()
    for span in q.evidence:
        hits = [name for name in known if contains_evidence(corpus.text(name), span)]
        if hits:
            supported.update(hits)
        elif known:
            short = span if len(span) <= 60 else span[:57] + "..."
            problems.append(f"evidence not found in {', '.join(known)}: {short!r}")
    if q.evidence and not unknown:
        unsupported = [name for name in known if name not in supported]
        if unsupported:
            problems.append(f"no evidence span comes from: {', '.join(unsupported)}")
    lang_of_docs = doc_language(q, corpus.langs)
    crosses = (lang_of_docs in {"zh", "en"} and lang_of_docs != q.lang) or lang_of_docs == "mixed"
    if not unknown and crosses != ("cross-lingual" in q.tags):
        problems.append(
            "the 'cross-lingual' tag must be set exactly when the question's language differs "
            "from its documents' language"
        )
    return problems


def question_problems(question: EvalQuestion, corpus: CorpusFiles) -> list[str]:
    """Every problem of one well-typed question, in itself and against the raw corpus; other
    item formats (the turns of a conversation set) are checked with it one item at a time."""
    return _content_problems(question) + _corpus_problems(question, corpus)


def check_question_set(path: str | Path, corpus_dir: str | Path) -> list[Problem]:
    """Every problem in a question set: schema, duplicates, and evidence against the raw corpus."""
    corpus = CorpusFiles.scan(corpus_dir)
    questions, problems = _parse_lines(Path(path))
    if not corpus.paths:
        problems.append(Problem(str(path), None, None, f"no corpus files under {corpus_dir}"))
        return problems
    for number, question in questions:
        problems.extend(
            Problem(str(path), number, question.id, message)
            for message in _corpus_problems(question, corpus)
        )
    return sorted(problems, key=lambda p: (p.line or 0, p.message))


def slice_counts(questions: Iterable[EvalQuestion], doc_langs: Mapping[str, str]) -> dict[str, int]:
    """How many questions fall in each question-language × document-language slice."""
    counts: dict[str, int] = {}
    for question in questions:
        key = question_slice(question, doc_langs)
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))
