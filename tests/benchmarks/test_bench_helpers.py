"""The benchmark helpers on hand-made values: tables, slopes, question subsets, recall."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.eval.dataset import EvalQuestion
from benchmarks.answering import representative
from benchmarks.bench_crosslingual import load_pairs, recall
from benchmarks.common import (
    RESULTS_DIR,
    format_table,
    loglog_slope,
    machine_description,
    ratio,
    results_path,
    write_results,
)


def test_loglog_slope_reads_linear_and_quadratic_growth():
    xs = [195, 585, 1746]
    assert loglog_slope(xs, [2 * x for x in xs]) == pytest.approx(1.0)
    assert loglog_slope(xs, [x**2 for x in xs]) == pytest.approx(2.0)
    assert loglog_slope([1], [1]) is None
    assert loglog_slope([1, 2], [0, 5]) is None  # a zero cannot be put on a log scale


def test_ratio_is_none_without_a_base():
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(None, 2.0) is None
    assert ratio(1.0, 0) is None


def test_format_table_aligns_numbers_and_shows_missing_values():
    text = format_table(["corpus", "s"], [["shipped corpus", 1.234], ["联合国", None]], title="T")
    lines = text.splitlines()
    assert lines[0] == "T"
    assert "1.23" in text and "–" in text
    assert lines[-1].startswith("联合国")


def test_machine_description_names_hardware_software_and_commit():
    machine = machine_description()
    for key in ("cpu_model", "logical_cpus", "ram_gib", "python", "packages", "git"):
        assert key in machine
    assert machine["packages"]["numpy"]


def test_quick_results_never_overwrite_the_committed_ones(tmp_path):
    quick = results_path("ingest", None, quick=True, work_dir=tmp_path)
    assert quick.parent == tmp_path / "results"
    assert results_path("ingest", None, quick=False, work_dir=tmp_path).parent == RESULTS_DIR
    path = write_results(
        tmp_path / "r" / "x.json",
        "x",
        params={"quick": True},
        results={"value": 1},
        machine={"cpu_model": "test"},
        started=time.perf_counter(),
    )
    payload = json.loads(path.read_text())
    assert payload["benchmark"] == "x" and payload["results"] == {"value": 1}
    assert payload["machine"]["cpu_model"] == "test"


def _question(qid: str, lang: str, answerable: bool = True, doc: str = "a.txt") -> EvalQuestion:
    return EvalQuestion(
        id=qid,
        lang=lang,
        question="?",
        answerable=answerable,
        doc=(doc,) if answerable else (),
        evidence=("e",) if answerable else (),
        answer="a",
        must_include=("a",) if answerable else (),
    )


def test_representative_subset_covers_every_slice_in_file_order():
    questions = [_question(f"zz{i}", "zh", doc="z.txt") for i in range(30)]
    questions += [_question(f"ez{i}", "en", doc="z.txt") for i in range(10)]
    questions += [_question(f"en{i}", "en", answerable=False) for i in range(4)]
    langs = {"z.txt": "zh", "a.txt": "en"}
    picked = representative(questions, 8, langs)
    assert len(picked) == 8
    assert {q.id[:2] for q in picked} == {"zz", "ez", "en"}
    assert [questions.index(q) for q in picked] == sorted(questions.index(q) for q in picked)
    assert representative(questions, 100, langs) == questions


def test_recall_counts_an_identical_copy_of_the_translation_as_a_hit():
    sims = np.array([[0.9, 0.1, 0.0], [0.2, 0.5, 0.8], [0.0, 0.3, 0.7]], dtype=np.float32)
    strict = recall(sims, ["甲", "乙", "丙"], (1, 2))
    assert strict["recall@1"] == pytest.approx(2 / 3)
    assert strict["recall@2"] == pytest.approx(1.0)
    copies = recall(sims, ["甲", "乙", "乙"], (1,))  # row 1's best column holds the same text
    assert copies["recall@1"] == pytest.approx(1.0)
    assert copies["recall@1_strict"] == pytest.approx(2 / 3)


def test_load_pairs_splits_on_tabs_even_with_bare_quotes(tmp_path: Path):
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text(
        'line\tunpc_doc_id\ten\tzh\n1\ta\tThe "principle" holds.\t“原则”成立。\n2\tb\tYes.\t是。\n',
        encoding="utf-8",
    )
    en, zh = load_pairs(tsv)
    assert en == ['The "principle" holds.', "Yes."]
    assert zh == ["“原则”成立。", "是。"]
    assert load_pairs(tsv, limit=1) == (en[:1], zh[:1])
