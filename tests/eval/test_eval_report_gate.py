"""Report, diff and regression gate on two synthetic run directories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import (
    app,
    commands,  # noqa: F401  (registers the commands)
)
from assistant.eval.diff import flipped_questions, metric_deltas
from assistant.eval.gate import GateConfig, comparable, find_regressions
from assistant.eval.report import summary_markdown, write_report
from assistant.eval.rundir import load_run
from tests.eval.evalfakes import outcome


def _baseline_outcomes():
    return [
        outcome(f"q{i}", timings={"retrieve": 0.05, "ttft": 1.0, "total": 2.0}) for i in range(10)
    ]


def _worse_outcomes():
    """Two questions lose a fact (key-fact accuracy 1.0 -> 0.8); one question improves nothing."""
    outcomes = _baseline_outcomes()
    outcomes[3] = outcome("q3", facts_missing=["330"])
    outcomes[7] = outcome("q7", facts_missing=["2018年4月19日"], evidence_rank=4)
    return outcomes


@pytest.fixture
def runs(run_factory: Callable[..., Path]) -> tuple[Path, Path]:
    baseline = run_factory("base", _baseline_outcomes())
    current = run_factory(
        "current",
        _worse_outcomes(),
        answers={"q3": "第331次会议"},
        settings={"llm": {"temperature": 0.0, "seed": 42}, "retrieval": {"fusion": "rrf"}},
    )
    return baseline, current


def test_gate_finds_the_regression(runs: tuple[Path, Path]) -> None:
    baseline, current = (load_run(p)[0] for p in runs)
    regressions = find_regressions(current, baseline)
    by_metric = {r.metric: r for r in regressions}
    assert "key_fact_accuracy" in by_metric
    assert by_metric["key_fact_accuracy"].baseline == 1.0
    assert by_metric["key_fact_accuracy"].current == pytest.approx(0.8)
    assert "hit@1" in by_metric  # 1.0 -> 0.9
    assert "hit@5" not in by_metric  # rank 4 is still in the top 5
    assert "key_fact_accuracy: 1 -> 0.8" in str(by_metric["key_fact_accuracy"])
    assert find_regressions(baseline, baseline) == []
    assert comparable(current, baseline) == []


def test_gate_respects_tolerances(runs: tuple[Path, Path]) -> None:
    baseline, current = (load_run(p)[0] for p in runs)
    loose = GateConfig(default_tolerance=0.25)
    assert find_regressions(current, baseline, loose) == []
    per_metric = GateConfig(
        tolerances={"key_fact_accuracy": 0.2, "answer_accuracy": 0.2, "hit@1": 0.1, "mrr": 0.1}
    )
    assert find_regressions(current, baseline, per_metric) == []  # exactly at the tolerance
    tight = GateConfig(tolerances={**per_metric.tolerances, "key_fact_accuracy": 0.19})
    assert [r.metric for r in find_regressions(current, baseline, tight)] == ["key_fact_accuracy"]


def test_gate_skips_latency_unless_asked(run_factory: Callable[..., Path]) -> None:
    base = load_run(run_factory("fast", _baseline_outcomes()))[0]
    slow_outcomes = [
        outcome(f"q{i}", timings={"retrieve": 0.05, "ttft": 4.0, "total": 8.0}) for i in range(10)
    ]
    slow = load_run(run_factory("slow", slow_outcomes))[0]
    assert find_regressions(slow, base) == []
    found = find_regressions(slow, base, GateConfig(check_latency=True))
    assert {r.metric for r in found} == {"ttft_p50_s", "ttft_p95_s", "total_p50_s", "total_p95_s"}
    assert find_regressions(slow, base, GateConfig(check_latency=True, latency_ratio=5)) == []


def test_gate_warns_when_runs_are_not_comparable(run_factory: Callable[..., Path]) -> None:
    a = load_run(run_factory("a", _baseline_outcomes()))[0]
    b = load_run(run_factory("b", _baseline_outcomes()[:5], set_sha="other", mode="retrieval"))[0]
    warnings = comparable(b, a)
    assert len(warnings) == 3


def test_diff_lists_flips_and_deltas(runs: tuple[Path, Path], run_factory) -> None:
    (base_summary, base_records), (summary, records) = (load_run(p) for p in runs)
    to_fail, to_pass = flipped_questions(records, base_records)
    assert [f.id for f in to_fail] == ["q3", "q7"]
    assert to_pass == []
    to_fail, to_pass = flipped_questions(base_records, records)
    assert [f.id for f in to_pass] == ["q3", "q7"]
    deltas = {d.metric: d for d in metric_deltas(summary, base_summary)}
    assert deltas["key_fact_accuracy"].delta == pytest.approx(-0.2)
    assert deltas["key_fact_accuracy"].improved is False
    assert deltas["n"].improved is None


def test_report_without_baseline(runs: tuple[Path, Path]) -> None:
    _, current = runs
    paths = write_report(current)
    html = paths.html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("data:image/png;base64,") >= 2  # slice bars and the latency histogram
    assert "Failed questions" in html
    assert "第331次会议" in html  # the failed answer is shown beside its reference
    assert "reference q3" in html
    assert "330" in html  # the missing fact
    assert 'src="http' not in html  # self-contained
    markdown = paths.markdown.read_text(encoding="utf-8")
    assert "| key-fact accuracy | 0.800 |" in markdown
    assert "| zh→zh |" in markdown
    assert "Failed questions (2)" in markdown


def test_report_with_baseline(runs: tuple[Path, Path]) -> None:
    baseline, current = runs
    paths = write_report(current, baseline)
    html = paths.html.read_text(encoding="utf-8")
    assert "pass → fail (2)" in html
    assert "fail → pass (0)" in html
    assert 'class="worse">-0.200' in html
    markdown = paths.markdown.read_text(encoding="utf-8")
    assert "| key-fact accuracy | 1.000 | 0.800 | -0.200 |" in markdown
    assert "`q3`" in markdown
    assert "| `retrieval.fusion` | `None` | `rrf` |" in markdown  # what changed is visible
    assert "retrieval.fusion" in html


def test_summary_markdown_has_every_slice(runs: tuple[Path, Path]) -> None:
    summary = load_run(runs[1])[0]
    text = summary_markdown(summary)
    for name in summary["slices"]:
        assert f"| {name} |" in text


def test_cli_eval_report_gate_exit_codes(runs: tuple[Path, Path]) -> None:
    baseline, current = runs
    cli = CliRunner()
    args = ["eval-report", str(current), "--baseline", str(baseline)]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "regression(s)" in result.output
    result = cli.invoke(app, [*args, "--fail-on-regression"])
    assert result.exit_code == 1
    result = cli.invoke(app, [*args, "--fail-on-regression", "--tolerance", "0.3"])
    assert result.exit_code == 0, result.output
    assert "no regression" in result.output
    result = cli.invoke(
        app,
        [*args, "--fail-on-regression", "--tolerance", "0.3", "--metric-tolerance", "hit@1=0.05"],
    )
    assert result.exit_code == 1
    assert "hit@1" in result.output
