"""Conversation sets: multi-turn evaluation items, their loader, their check and their halves.

A question set measures questions asked alone; a delegate asks a question, then "那次会议是哪天
举行的？" or "And what did Chad say about it?", switches language, or asks something unrelated in
the middle. A conversation set holds such exchanges, one conversation per line, so that the
evaluation can ask them turn by turn with the history the app keeps::

    {"id": "conv-zh-01", "lang": "zh", "turns": [
      {"kind": "first", "lang": "zh", "question": "...", "answerable": true, "doc": "...",
       "evidence": ["..."], "answer": "...", "must_include": ["330"]},
      {"kind": "followup", "lang": "zh", "question": "那次会议是哪天举行的？",
       "standalone": "反恐委员会审议联合报告的那次会议是哪天举行的？", ...}]}

Each turn is a question-set item (the same fields, checked by the same rules through
:func:`assistant.eval.dataset.question_problems`) plus its ``kind`` and, for a follow-up, its
``standalone`` form: the same question written to be asked alone, which the evaluation asks
without history to separate "the follow-up was not understood" from "the question is hard".
The structural tags (cross-document, cross-lingual, unanswerable) are derived, not written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.eval.dataset import (
    KNOWN_TAGS,
    LANGS,
    CorpusFiles,
    EvalQuestion,
    Problem,
    QuestionSetError,
    parse_records,
    question_problems,
)
from assistant.eval.split import SPLITS, Split
from assistant.text.script import script_language

KINDS: tuple[str, ...] = ("first", "followup", "unrelated")
CONVERSATION_LANGS: tuple[str, ...] = ("zh", "en", "mixed")
MIN_TURNS, MAX_TURNS = 2, 4
CONVERSATION_FIELDS: tuple[str, ...] = ("id", "lang", "turns")
TURN_REQUIRED: tuple[str, ...] = (
    "question",
    "kind",
    "lang",
    "answerable",
    "doc",
    "evidence",
    "answer",
    "must_include",
)
TURN_OPTIONAL: tuple[str, ...] = ("standalone", "tags")
# Derived from the other fields when a turn becomes a question; never written by hand.
STRUCTURAL_TAGS: frozenset[str] = frozenset(
    {"followup", "cross-document", "cross-lingual", "unanswerable"}
)


@dataclass(frozen=True)
class ConversationTurn:
    """One turn: what the user typed, what kind of turn it is, and how it is scored."""

    question: str
    kind: str
    lang: str
    answerable: bool
    doc: tuple[str, ...]
    evidence: tuple[str, ...]
    answer: str
    must_include: tuple[str, ...]
    standalone: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conversation:
    id: str
    lang: str
    turns: tuple[ConversationTurn, ...]

    def turn_id(self, index: int) -> str:
        """The id of a turn in results: ``conv-zh-01/2`` for the second turn."""
        return f"{self.id}/{index + 1}"


def is_conversation_set(path: str | Path) -> bool:
    """Whether a JSONL file is a conversation set (its first item has ``turns``), so that one
    command runs either kind of set."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    return isinstance(record, dict) and "turns" in record
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return False


def turn_question(
    conversation: Conversation,
    index: int,
    doc_langs: Mapping[str, str],
    *,
    alone: bool = False,
) -> EvalQuestion:
    """A turn as a question-set item, scored like one; ``alone`` takes a follow-up's
    standalone form. The history is not part of it: the runner sends the app's history."""
    turn = conversation.turns[index]
    text = turn.standalone if alone and turn.standalone else turn.question
    tags = list(turn.tags)
    if not turn.answerable:
        tags.append("unanswerable")
    if len(turn.doc) > 1:
        tags.append("cross-document")
    doc_langs_used = {doc_langs.get(name, "unknown") for name in turn.doc}
    if len(doc_langs_used) > 1 or doc_langs_used & (set(LANGS) - {turn.lang}):
        tags.append("cross-lingual")
    return EvalQuestion(
        id=conversation.turn_id(index),
        lang=turn.lang,  # type: ignore[arg-type]
        question=text,
        answerable=turn.answerable,
        doc=turn.doc,
        evidence=turn.evidence,
        answer=turn.answer,
        must_include=turn.must_include,
        tags=tuple(tags),
    )


# --------------------------------------------------------------------------- parsing


def _turn_field_problems(turn: Any) -> list[str]:
    if not isinstance(turn, dict):
        return ["a turn must be a JSON object"]
    problems = []
    missing = [name for name in TURN_REQUIRED if name not in turn]
    if missing:
        problems.append(f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(turn) - set(TURN_REQUIRED) - set(TURN_OPTIONAL))
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")
    if turn.get("kind") not in KINDS:
        problems.append(f"field 'kind' must be one of {KINDS}, got {turn.get('kind')!r}")
    if turn.get("lang") not in LANGS:
        problems.append(f"field 'lang' must be one of {LANGS}, got {turn.get('lang')!r}")
    text_fields = ("question", "answer") + (("standalone",) if "standalone" in turn else ())
    for name in text_fields:
        if name in turn and not isinstance(turn[name], str):
            problems.append(f"field '{name}' must be a string")
    if "answerable" in turn and not isinstance(turn["answerable"], bool):
        problems.append("field 'answerable' must be true or false")
    doc = turn.get("doc", [])
    doc_ok = isinstance(doc, str) or (
        isinstance(doc, list) and all(isinstance(d, str) for d in doc)
    )
    if not doc_ok:
        problems.append("field 'doc' must be a file name or a list")
    for name in ("evidence", "must_include", "tags"):
        value = turn.get(name, [])
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            problems.append(f"field '{name}' must be a list of strings")
    return problems


def _build_turn(turn: Mapping[str, Any]) -> ConversationTurn:
    doc = turn["doc"]
    return ConversationTurn(
        question=turn["question"],
        kind=turn["kind"],
        lang=turn["lang"],
        answerable=turn["answerable"],
        doc=(doc,) if isinstance(doc, str) else tuple(doc),
        evidence=tuple(turn["evidence"]),
        answer=turn["answer"],
        must_include=tuple(turn["must_include"]),
        standalone=turn.get("standalone"),
        tags=tuple(turn.get("tags", [])),
    )


def _conversation_field_problems(record: Mapping[str, Any]) -> list[str]:
    problems = []
    missing = [name for name in CONVERSATION_FIELDS if name not in record]
    if missing:
        problems.append(f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(record) - set(CONVERSATION_FIELDS))
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")
    if not isinstance(record.get("id"), str) or not record.get("id"):
        problems.append("field 'id' must be a non-empty string")
    if record.get("lang") not in CONVERSATION_LANGS:
        problems.append(f"field 'lang' must be one of {CONVERSATION_LANGS}")
    turns = record.get("turns")
    if not isinstance(turns, list):
        return [*problems, "field 'turns' must be a list"]
    for number, turn in enumerate(turns, start=1):
        problems.extend(f"turn {number}: {p}" for p in _turn_field_problems(turn))
    return problems


def _shape_problems(conversation: Conversation) -> list[str]:
    """What makes a list of turns a conversation: its length, kinds, standalone forms and
    language label, and unrelated turns that really change the subject."""
    problems = []
    turns = conversation.turns
    if not MIN_TURNS <= len(turns) <= MAX_TURNS:
        problems.append(f"a conversation has {MIN_TURNS} to {MAX_TURNS} turns, not {len(turns)}")
    for number, turn in enumerate(turns, start=1):
        where = f"turn {number}: "
        if (number == 1) != (turn.kind == "first"):
            problems.append(where + "the first turn, and only it, is of kind 'first'")
        if turn.kind == "followup":
            standalone = (turn.standalone or "").strip()
            if not standalone:
                problems.append(where + "a follow-up needs its 'standalone' form")
            elif standalone == turn.question.strip():
                problems.append(where + "'standalone' repeats the follow-up: make it stand alone")
            elif script_language(standalone) != turn.lang:
                problems.append(where + f"'standalone' is not written in {turn.lang}")
        elif turn.standalone is not None:
            problems.append(where + "only a follow-up has a 'standalone' form")
        if turn.kind == "unrelated" and number > 1 and set(turn.doc) & set(turns[number - 2].doc):
            problems.append(where + "an unrelated turn shares a document with the turn before it")
        structural = sorted(set(turn.tags) & STRUCTURAL_TAGS)
        if structural:
            problems.append(where + f"tag(s) {', '.join(structural)} are derived, not written")
        unknown = sorted(set(turn.tags) - KNOWN_TAGS)
        if unknown:
            problems.append(where + f"unknown tag(s): {', '.join(unknown)}")
    langs = {turn.lang for turn in turns}
    expected = "mixed" if len(langs) > 1 else next(iter(langs), conversation.lang)
    if turns and conversation.lang != expected:
        problems.append(f"lang is {conversation.lang!r} but the turns make it {expected!r}")
    return problems


def _parse(path: Path) -> tuple[list[tuple[int, Conversation]], list[Problem]]:
    return parse_records(
        path,
        "conversation set",
        _conversation_field_problems,
        lambda r: Conversation(r["id"], r["lang"], tuple(_build_turn(t) for t in r["turns"])),
        _shape_problems,
    )


def load_conversation_set(path: str | Path) -> list[Conversation]:
    """Load a conversation set; raise :class:`QuestionSetError` if it breaks the format."""
    found, problems = _parse(Path(path))
    if problems:
        raise QuestionSetError(problems)
    return [conversation for _, conversation in found]


def check_conversation_set(path: str | Path, corpus_dir: str | Path) -> list[Problem]:
    """Every problem: the format, the conversation's shape, and each turn (and each follow-up's
    standalone form) by the question-set rules, evidence checked against the raw corpus."""
    corpus = CorpusFiles.scan(corpus_dir)
    found, problems = _parse(Path(path))
    if not corpus.paths:
        return [*problems, Problem(str(path), None, None, f"no corpus files under {corpus_dir}")]
    for number, conversation in found:
        for index in range(len(conversation.turns)):
            question = turn_question(conversation, index, corpus.langs)
            messages = [f"turn {index + 1}: {m}" for m in question_problems(question, corpus)]
            problems.extend(Problem(str(path), number, conversation.id, m) for m in messages)
    return sorted(problems, key=lambda p: (p.line or 0, p.message))


def composition(conversations: Sequence[Conversation]) -> dict[str, dict[str, int]]:
    """Counts for the check's summary line and the README: conversations per language, turns
    per kind, per turn language and answerable or not."""
    counts: dict[str, dict[str, int]] = {"conversations": {}, "kinds": {}, "turn langs": {}}
    counts["answerable"] = {}
    for conversation in conversations:
        by_lang = counts["conversations"]
        by_lang[conversation.lang] = by_lang.get(conversation.lang, 0) + 1
        for turn in conversation.turns:
            for group, key in (
                ("kinds", turn.kind),
                ("turn langs", turn.lang),
                ("answerable", "answerable" if turn.answerable else "unanswerable"),
            ):
                counts[group][key] = counts[group].get(key, 0) + 1
    return counts


def _split_order(conversation: Conversation) -> tuple[object, ...]:
    kinds = {turn.kind for turn in conversation.turns}
    declined = any(not turn.answerable for turn in conversation.turns)
    digest = hashlib.sha256(conversation.id.encode("utf-8")).hexdigest()
    return ("unrelated" not in kinds, not declined, digest)


def conversation_split(conversations: Sequence[Conversation]) -> Split:
    """Tune and test halves by conversation id, balanced per conversation language; inside a
    language, conversations with an unrelated turn, then with an unanswerable one, are dealt
    out alternately first, in an order set by a hash of the id (never by a result)."""
    halves: dict[str, list[str]] = {name: [] for name in SPLITS}
    offset = 0
    for lang in CONVERSATION_LANGS:
        members = sorted((c for c in conversations if c.lang == lang), key=_split_order)
        for position, conversation in enumerate(members):
            halves[SPLITS[(position + offset) % 2]].append(conversation.id)
        offset += len(members) % 2
    return Split({name: sorted(ids) for name, ids in halves.items()})
