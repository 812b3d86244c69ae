"""A question set's tune and test halves, fixed by id and stored beside the set.

Settings are chosen on the tune half and reported on the test half, so that a headline figure
is not one the tuning made true by construction. The halves are stratified: every
question-language x document-language slice (unanswerable ones by question language) is split
in two, and inside a slice follow-ups, lists, comparisons and cross-document questions are
dealt out alternately, so each half has about as many of each. The order inside a group is a
hash of the id, never a result of a run, and the split is written once to ``<set>_split.json``
(``assistant eval-split``); later runs read the file, so adding questions never reshuffles it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.eval.dataset import EvalQuestion, question_slice

SPLITS: tuple[str, ...] = ("tune", "test")
# Dealt out alternately inside a slice, in this order of importance.
_BALANCED_TAGS: tuple[str, ...] = ("followup", "list", "comparison", "cross-document")


class SplitError(ValueError):
    """The split file is missing, malformed or does not cover the question set."""


@dataclass(frozen=True)
class Split:
    """Question ids per half."""

    halves: dict[str, list[str]]

    def ids(self, name: str) -> set[str]:
        if name not in self.halves:
            raise SplitError(f"unknown split {name!r}; expected one of {', '.join(SPLITS)}")
        return set(self.halves[name])

    def half_of(self, question_id: str) -> str | None:
        return next((n for n, ids in self.halves.items() if question_id in ids), None)

    def to_json(self) -> str:
        payload = {
            "about": "tune/test halves of the question set, fixed by id (assistant/eval/split.py)",
            **{name: sorted(ids) for name, ids in self.halves.items()},
        }
        return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


def split_path(question_set: str | Path) -> Path:
    """Where a question set's split lives: ``evals/dev.jsonl`` → ``evals/dev_split.json``."""
    path = Path(question_set)
    return path.with_name(f"{path.stem}_split.json")


def _stratum(question: EvalQuestion, doc_langs: Mapping[str, str]) -> str:
    return question_slice(question, doc_langs)


def _order_key(question: EvalQuestion) -> tuple[object, ...]:
    tags = set(question.tags)
    features = tuple(tag not in tags for tag in _BALANCED_TAGS)  # tagged ones first
    return (*features, hashlib.sha256(question.id.encode("utf-8")).hexdigest())


def stratified_split(questions: Sequence[EvalQuestion], doc_langs: Mapping[str, str]) -> Split:
    """Halves balanced per slice; an odd slice's extra question goes to alternating halves."""
    strata: dict[str, list[EvalQuestion]] = {}
    for question in questions:
        strata.setdefault(_stratum(question, doc_langs), []).append(question)
    halves: dict[str, list[str]] = {name: [] for name in SPLITS}
    offset = 0
    for name in sorted(strata):
        members = sorted(strata[name], key=_order_key)
        for position, question in enumerate(members):
            halves[SPLITS[(position + offset) % 2]].append(question.id)
        offset += len(members) % 2
    return Split({name: sorted(ids) for name, ids in halves.items()})


def load_split(path: str | Path, questions: Sequence[EvalQuestion] | None = None) -> Split:
    """Read a split file; with ``questions``, check that it assigns each of them exactly once."""
    path = Path(path)
    if not path.is_file():
        raise SplitError(f"{path} not found; write it with `assistant eval-split SET.jsonl`")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        halves = {name: [str(i) for i in payload[name]] for name in SPLITS}
    except (ValueError, KeyError, TypeError) as exc:
        raise SplitError(f"{path}: expected a JSON object with lists 'tune' and 'test'") from exc
    split = Split(halves)
    both = set(halves["tune"]) & set(halves["test"])
    if both:
        raise SplitError(f"{path}: in both halves: {', '.join(sorted(both))}")
    if questions is not None:
        unassigned = [q.id for q in questions if split.half_of(q.id) is None]
        if unassigned:
            raise SplitError(
                f"{path}: no half for {', '.join(unassigned[:5])}"
                + (f" and {len(unassigned) - 5} more" if len(unassigned) > 5 else "")
                + "; add them to a half (keep the halves balanced)"
            )
    return split


def select_split(questions: Sequence[EvalQuestion], split: Split, name: str) -> list[EvalQuestion]:
    """The questions of one half, in the set's order."""
    wanted = split.ids(name)
    return [q for q in questions if q.id in wanted]
