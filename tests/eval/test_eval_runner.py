"""The runner with scripted pipelines: records, metrics, stamp and run-directory layout."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.config import Settings
from assistant.eval.dataset import EvalQuestion
from assistant.eval.rundir import load_run
from assistant.eval.runner import retrieval_query, run_eval, select_questions
from tests.eval.evalfakes import (
    EN_PASSAGE,
    OTHER_PASSAGE,
    ZH_PASSAGE,
    FakeAssistant,
    FakeRetriever,
    cite,
    make_answer,
    make_passage,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings()
    settings.paths.runs_dir = tmp_path / "runs"
    settings.paths.prompts_dir = tmp_path / "prompts"
    settings.paths.prompts_dir.mkdir()
    (settings.paths.prompts_dir / "answer.en.md").write_text("Answer from the sources.")
    settings.chroma.auth_token = SecretStr("very-secret-token")
    return settings


def _set_file(tmp_path: Path, questions: list[EvalQuestion]) -> Path:
    path = tmp_path / "set.jsonl"
    lines = [json.dumps(q.to_record(), ensure_ascii=False) for q in questions]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_followup_query_is_searched_as_the_pipeline_would(questions: list[EvalQuestion]) -> None:
    followup = questions[2]
    assert retrieval_query(followup) == "How much did they pledge? US 2030 Agenda"
    assert retrieval_query(questions[0]) == questions[0].question


def test_retrieval_only_run(tmp_path: Path, settings: Settings, questions) -> None:
    zh, en = make_passage(ZH_PASSAGE, 0), make_passage(EN_PASSAGE, 1)
    other = make_passage(OTHER_PASSAGE, 2)
    retriever = FakeRetriever(
        by_query={
            questions[0].question: [zh, other],
            questions[1].question: [other, other, other, other, other, zh],
            retrieval_query(questions[2]): [en],
        },
        default=[other],
    )
    result = run_eval(
        _set_file(tmp_path, questions), retriever, settings, retrieval_only=True, progress=False
    )
    summary, records = load_run(result.run_dir)
    assert result.run_dir.parent == settings.paths.runs_dir
    assert result.run_dir.name.endswith("_retrieval")
    assert summary["mode"] == "retrieval"
    assert summary["metrics"]["n_retrieval"] == 3
    assert summary["metrics"]["hit@1"] == pytest.approx(2 / 3)
    assert summary["metrics"]["hit@5"] == pytest.approx(2 / 3)
    assert summary["metrics"]["hit@10"] == 1.0
    assert summary["metrics"]["mrr"] == pytest.approx((1 + 1 / 6 + 1) / 3)
    assert summary["metrics"]["key_fact_accuracy"] is None
    assert summary["slices"]["en→zh"]["hit@5"] == 0.0
    assert summary["slices"]["en→en"]["hit@1"] == 1.0
    assert [r["passed"] for r in records] == [True, False, True, None]
    assert records[0]["retrieved"][0]["has_evidence"] is True
    assert records[2]["query"] == retrieval_query(questions[2])
    assert "retrieve" in records[0]["timings"]
    # one untimed warm-up search, then one per question
    assert len(retriever.queries) == len(questions) + 1


def test_full_run_metrics_and_stamp(tmp_path: Path, settings: Settings, questions) -> None:
    zh, en = make_passage(ZH_PASSAGE, 0), make_passage(EN_PASSAGE, 1)
    other = make_passage(OTHER_PASSAGE, 2)
    answers = {
        questions[0].question: make_answer(
            questions[0].question,
            "委员会于二〇一八年四月十九日举行的第三百三十次会议上审议了报告[1]。",
            language="zh",
            citations=[cite(1, zh)],
            passages=[zh, other],
        ),
        questions[1].question: make_answer(
            questions[1].question,
            "The Committee considered it at its 330th meeting [1][2].",
            citations=[cite(1, zh), cite(2, other, ["反恐怖主义委员会执行局继续与会员国合作"])],
            passages=[other, zh],
        ),
        questions[2].question: make_answer(
            questions[2].question,
            "They pledged $12 million [1].",
            citations=[cite(1, en)],
            passages=[en],
        ),
        questions[3].question: make_answer(
            questions[3].question,
            "The documents do not say.",
            refused=True,
            refusal_reason="no_relevant_passages",
            passages=[other],
        ),
    }
    assistant = FakeAssistant(answers)
    started = time.perf_counter()
    result = run_eval(
        _set_file(tmp_path, questions), assistant, settings, label="my change", progress=False
    )
    elapsed = time.perf_counter() - started
    summary, records = load_run(result.run_dir)
    metrics = summary["metrics"]
    assert result.run_dir.name.endswith("_my-change")
    assert metrics["key_fact_accuracy"] == pytest.approx(2 / 3)  # en-1 misses "19 April 2018"
    assert metrics["answer_accuracy"] == pytest.approx(3 / 4)
    assert metrics["refusal_precision"] == 1.0
    assert metrics["refusal_recall"] == 1.0
    assert metrics["citation_precision"] == 1.0  # the second en-1 citation is attributed
    assert metrics["citation_precision_strict"] == pytest.approx(3 / 4)
    assert metrics["citation_recall"] == 1.0
    assert metrics["language_accuracy"] == 1.0
    assert metrics["ttft_p50_s"] == pytest.approx(1.0)
    assert records[1]["outcome"]["facts_missing"] == ["19 April 2018"]
    assert records[1]["citations"][1]["has_evidence"] is False
    # follow-ups are asked with their history as Turns
    assert [t.question for t in assistant.histories[2]] == [questions[2].history[0].question]

    assert summary["pipeline"] == {
        "model": "fake-model",
        "model_sha256": "sha-fake",
        "embedder": None,
        "index_fingerprint": None,
    }
    assert summary["prompt_hashes"]["answers"] == {"answer": "abc123"}
    assert list(summary["prompt_hashes"]["files"]) == ["answer.en.md"]
    assert summary["question_set"]["n_questions"] == 4
    assert len(summary["question_set"]["sha256"]) == 64
    assert summary["settings"]["llm"]["temperature"] == 0.0
    assert "very-secret-token" not in (result.run_dir / "summary.json").read_text()
    assert set(summary["git"]) == {"commit", "dirty"}
    assert 0 < summary["wall_time_s"] <= elapsed  # the run's own clock, inside the call


def test_a_failing_question_is_recorded_not_raised(tmp_path: Path, settings, questions) -> None:
    zh = make_passage(ZH_PASSAGE, 0)
    answers = {
        questions[0].question: make_answer(
            questions[0].question, "2018年4月19日，第330次会议[1]。", citations=[cite(1, zh)]
        )
    }
    result = run_eval(questions[:2], FakeAssistant(answers), settings, progress=False, limit=2)
    summary, records = load_run(result.run_dir)
    assert summary["metrics"]["errors"] == 1
    assert records[1]["error"].startswith("KeyError")
    assert records[1]["passed"] is False
    assert summary["question_set"]["path"] is None
    assert summary["question_set"]["n_run"] == 2


def test_two_runs_in_the_same_second_get_their_own_directories(settings, questions) -> None:
    retriever = FakeRetriever(default=[make_passage(ZH_PASSAGE)])
    first = run_eval(questions, retriever, settings, retrieval_only=True, progress=False)
    second = run_eval(questions, retriever, settings, retrieval_only=True, progress=False)
    assert first.run_dir != second.run_dir
    assert (second.run_dir / "results.jsonl").is_file()


def test_wrong_target_is_refused(settings, questions) -> None:
    with pytest.raises(TypeError):
        run_eval(questions, FakeRetriever(), settings, progress=False)
    with pytest.raises(TypeError):
        run_eval(questions, object(), settings, retrieval_only=True, progress=False)


def test_select_questions_by_slice_tag_or_id(questions) -> None:
    langs = {"000_b645ea8b0039a4ff.txt": "zh", "USA_73_2018.txt": "en"}

    def ids(*only: str) -> list[str]:
        return [q.id for q in select_questions(questions, langs, only)]

    assert ids("en->zh") == ["en-1"]
    assert ids("en→en", "unanswerable") == ["en-2", "un-1"]
    assert ids("q:zh") == ["zh-1"]
    assert ids("followup") == ["en-2"]
    assert ids("tag:cross-lingual", "zh-1") == ["zh-1", "en-1"]
    assert ids("all") == ["zh-1", "en-1", "en-2", "un-1"]
    assert ids("nothing") == []


def test_only_is_stamped(settings: Settings, questions) -> None:
    retriever = FakeRetriever(default=[make_passage(ZH_PASSAGE)])
    result = run_eval(
        questions, retriever, settings, retrieval_only=True, only=["q:en"], progress=False
    )
    assert result.summary["question_set"]["only"] == ["q:en"]
    assert result.summary["question_set"]["n_run"] == 3
    assert result.summary["question_set"]["n_questions"] == 4
