"""Tune and test halves: stratified, fixed by id, stored beside the set, and used by runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.eval.dataset import CorpusFiles, load_question_set, question_slice
from assistant.eval.runner import run_eval
from assistant.eval.split import (
    SPLITS,
    Split,
    SplitError,
    load_split,
    split_path,
    stratified_split,
)
from tests.eval.evalfakes import ZH_PASSAGE, FakeRetriever, make_passage, make_question

DEV = PROJECT_ROOT / "evals" / "dev.jsonl"


def _per_slice(questions, split: Split, doc_langs) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for q in questions:
        half = split.half_of(q.id)
        assert half in SPLITS
        row = counts.setdefault(question_slice(q, doc_langs), dict.fromkeys(SPLITS, 0))
        row[half] += 1
    return counts


def test_the_stored_dev_split_covers_the_set_once_and_balances_every_slice() -> None:
    questions = load_question_set(DEV)
    split = load_split(split_path(DEV), questions)
    assert split.ids("tune").isdisjoint(split.ids("test"))
    assert len(split.ids("tune")) + len(split.ids("test")) == len(questions)
    doc_langs = CorpusFiles.scan(PROJECT_ROOT / "corpus").langs
    for name, row in _per_slice(questions, split, doc_langs).items():
        assert abs(row["tune"] - row["test"]) <= 1, name
    followups = [q.id for q in questions if q.is_followup]
    in_tune = sum(1 for qid in followups if qid in split.ids("tune"))
    assert abs(2 * in_tune - len(followups)) <= 1


def test_a_new_split_is_stratified_and_deterministic() -> None:
    questions = [make_question(f"zh-{i}") for i in range(5)] + [
        make_question(f"en-{i}", "en", tags=("cross-lingual",)) for i in range(3)
    ]
    doc_langs = {"000_b645ea8b0039a4ff.txt": "zh"}
    split = stratified_split(questions, doc_langs)
    assert split == stratified_split(list(reversed(questions)), doc_langs)
    counts = _per_slice(questions, split, doc_langs)
    assert sorted(counts["zh→zh"].values()) == [2, 3]
    assert sorted(counts["en→zh"].values()) == [1, 2]
    assert len(split.ids("tune")) == len(split.ids("test")) == 4  # odd slices alternate


def test_a_split_file_must_assign_every_question_once(tmp_path: Path) -> None:
    path = tmp_path / "set_split.json"
    with pytest.raises(SplitError, match="not found"):
        load_split(path)
    path.write_text(json.dumps({"tune": ["a", "b"], "test": ["b"]}), encoding="utf-8")
    with pytest.raises(SplitError, match="in both halves: b"):
        load_split(path)
    path.write_text(json.dumps({"tune": ["a"], "test": ["b"]}), encoding="utf-8")
    with pytest.raises(SplitError, match="no half for c"):
        load_split(path, [make_question("a"), make_question("c")])
    with pytest.raises(SplitError, match="unknown split"):
        load_split(path).ids("train")


def test_a_run_on_one_half_keeps_only_its_questions_and_names_the_split(tmp_path: Path) -> None:
    questions = [make_question(f"zh-{i}") for i in range(4)]
    set_path = tmp_path / "set.jsonl"
    set_path.write_text(
        "\n".join(json.dumps(q.to_record(), ensure_ascii=False) for q in questions) + "\n",
        encoding="utf-8",
    )
    split_path(set_path).write_text(
        Split({"tune": ["zh-0", "zh-2"], "test": ["zh-1", "zh-3"]}).to_json(), encoding="utf-8"
    )
    settings = Settings()
    settings.paths.runs_dir = tmp_path / "runs"
    retriever = FakeRetriever(default=[make_passage(ZH_PASSAGE)])
    result = run_eval(
        set_path, retriever, settings, retrieval_only=True, split="test", progress=False
    )
    assert [r["id"] for r in result.records] == ["zh-1", "zh-3"]
    assert result.summary["question_set"]["split"] == "test"
    assert result.summary["label"] == "retrieval-test"
    assert result.run_dir.name.endswith("_retrieval-test")
