"""The answer benchmark's parts on fakes: call timing, what the user sees, the baseline run.

No model and no engine: the timing wrappers, the summaries and the git worktree handling are
checked on hand-made calls and a throwaway repository, so they stay right between full runs.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.answer.types import Answer, RetrievedEvidence
from assistant.eval.dataset import EvalQuestion, HistoryTurn
from assistant.models.backends.base import ChatMessage, GenerationParams
from benchmarks import answering, baseline, baseline_runner, bench_answer
from benchmarks.answering import (
    StreamingAsker,
    TimedChatModel,
    call_figures,
    completion_replies,
    latency_summary,
    prompt_throughput,
)
from benchmarks.bench_answer import COMPARED


class FakeModel:
    """Streams fixed deltas; chooses by posting to a (faked) engine like the real backend."""

    name = "fake"
    fingerprint = "fake"

    def __init__(self, deltas: list[str]) -> None:
        self.deltas = deltas

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        yield from self.deltas

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def choose(self, messages: list[ChatMessage], options: str) -> dict[str, float]:
        httpx.post("http://127.0.0.1:1/v1/chat/completions", json={})
        return dict.fromkeys(options, 1 / len(options))


ENGINE_REPLY = {
    "choices": [{"message": {"content": "1"}}],
    "usage": {"prompt_tokens": 300, "completion_tokens": 1},
    "timings": {"cache_n": 100, "prompt_n": 200, "prompt_ms": 4000.0, "predicted_n": 1},
}


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(httpx, "post", lambda url, *a, **k: httpx.Response(200, json=ENGINE_REPLY))


def test_a_streamed_call_is_timed_and_counted_after_its_last_delta():
    timed = TimedChatModel(FakeModel(["Hello ", "world"]))
    text = list(timed.stream([ChatMessage("user", "say hello to the world")], GenerationParams()))
    assert text == ["Hello ", "world"]
    (call,) = timed.take()
    assert call.kind == "stream" and call.deltas == 2
    assert call.started <= call.first <= call.last <= call.ended
    assert call.prompt_tokens == 5  # counted once the reply was over, never before it
    assert timed.take() == []
    figures = call_figures(call)
    assert figures["first_text_s"] == call.prefill_s and figures["evaluated_tokens"] is None


def test_a_choice_keeps_the_engine_figures_from_its_reply(fake_engine):
    timed = TimedChatModel(FakeModel([]))
    probabilities = timed.choose([ChatMessage("user", "which?")], "012")
    assert set(probabilities) == {"0", "1", "2"}
    (call,) = timed.take()
    figures = call_figures(call)
    assert figures["kind"] == "choose" and figures["wall_s"] >= 0
    assert figures["prompt_tokens"] == 300  # the whole prompt, the cached prefix included
    assert (figures["evaluated_tokens"], figures["cached_tokens"]) == (200, 100)
    assert figures["prompt_tok_s"] == pytest.approx(50.0)
    assert figures["first_text_s"] is None and figures["decode_tok_s"] is None


def test_completion_replies_restores_httpx_post(fake_engine):
    before = httpx.post
    with completion_replies() as replies:
        httpx.post("http://127.0.0.1:1/tokenize", json={})  # not a completion: not kept
        httpx.post("http://127.0.0.1:1/v1/chat/completions", json={})
    assert replies == [ENGINE_REPLY]
    assert httpx.post is before


class FakeAssistant:
    """Yields what ``AnswerPipeline.stream`` yields: evidence, text deltas, the final answer."""

    def __init__(self, items: list[object]) -> None:
        self.items = items
        self.kwargs: dict[str, object] = {}

    def stream(self, question: str, history: object = (), **kwargs: object) -> Iterator[object]:
        self.kwargs = kwargs
        yield from self.items


def _answer(**timings: float) -> Answer:
    return Answer(question="q", text="t", language="en", timings=dict(timings))


def test_streaming_asker_times_the_evidence_and_the_first_text():
    fake = FakeAssistant([RetrievedEvidence([]), "", "answer", _answer(total=2.0, ttft=1.0)])
    answer = StreamingAsker(fake).ask("q")
    assert fake.kwargs == {"evidence_events": True}  # asked as the app asks
    t = answer.timings
    assert t["first_shown"] == t["evidence_seen"] <= t["first_text"] <= t["wall"]


def test_a_refusal_without_evidence_is_first_shown_at_its_text():
    answer = StreamingAsker(FakeAssistant(["no", _answer(total=0.5)])).ask("q")
    assert "evidence_seen" not in answer.timings
    assert answer.timings["first_shown"] == answer.timings["first_text"]


def test_latency_summary_has_the_p90_and_leaves_missing_values_out():
    summary = latency_summary([float(v) for v in range(1, 11)] + [None])
    assert summary["n"] == 10 and summary["p50"] == pytest.approx(5.5)
    assert summary["p90"] == pytest.approx(9.1)
    assert latency_summary([])["p90"] is None


def test_prompt_throughput_weighs_each_call_by_its_work():
    calls = [
        {"evaluated_tokens": 1, "prompt_ms": 500.0},  # all but one token cached: a fixed cost
        {"evaluated_tokens": 399, "prompt_ms": 9500.0},
        {"evaluated_tokens": None, "prompt_ms": None},  # another backend: no figures
    ]
    assert prompt_throughput(calls) == pytest.approx(40.0)
    assert prompt_throughput([]) is None


def _record(qid: str, error: str | None = None, **timings: float) -> dict[str, object]:
    return {"id": qid, "error": error, "refused": "ttft" not in timings, "timings": timings}


def test_new_and_baseline_summaries_compare_as_ratios():
    base = bench_answer.summarize_baseline(
        {
            "questions": [
                _record("a", first_evidence=1.0, ttft=10.0, first_text=10.0, total=20.0),
                _record("b", first_evidence=1.0, first_text=4.0, total=4.0),
                _record("c", error="BackendError: gone"),
            ]
        }
    )
    assert (base["questions"], base["errors"], base["refused"], base["answered"]) == (3, 1, 1, 1)
    assert base["ttft_s"]["n"] == 1 and base["total_s"]["n"] == 2
    new = {f"{k}_s": {"p50": base[f"{k}_s"]["p50"] / 2, "p90": None} for k in COMPARED}
    ratios = bench_answer.compare(new, base)
    assert ratios["ttft_p50"] == pytest.approx(0.5)
    assert ratios["total_p90"] is None
    assert list(ratios) == [f"{k}_{q}" for k in COMPARED for q in ("p50", "p90")]


def test_targets_read_the_default_model_only():
    summary = {"ttft_s": {"p50": 3.5}, "first_evidence_s": {"p50": 1.2}}
    goals = bench_answer.targets([{"model": "default", "summary": summary}])
    assert goals["default_ttft_p50_s"]["met"] is True
    assert goals["default_first_evidence_p50_s"]["met"] is False
    assert bench_answer.targets([{"model": "small", "summary": summary}]) == {}


# --------------------------------------------------------------------------- the baseline


def test_the_runner_leaves_out_settings_its_version_does_not_have():
    kept, ignored = baseline_runner.split_overrides(
        {"max_answer_tokens", "history_turns"}, {"max_answer_tokens": 16, "select_candidates": 3}
    )
    assert kept == {"max_answer_tokens": 16} and ignored == ["select_candidates"]


def test_the_runner_times_an_older_stream_from_outside():
    older = FakeAssistant([RetrievedEvidence([]), "tok", _answer(ttft=1.5, total=3.0, pack=0.1)])
    record = baseline_runner.ask(older, {"id": "q1", "question": "q", "history": []}, True)
    t = record["timings"]
    assert record["error"] is None and record["refused"] is False
    assert "pack" not in t  # only the timings every version reports are read
    assert (t["ttft"], t["total"]) == (1.5, 3.0)
    assert t["first_shown"] == t["evidence_seen"] <= t["first_text"]


def test_the_runner_records_a_failed_question():
    record = baseline_runner.ask(FakeAssistant(["text"]), {"id": "q1", "question": "q"}, False)
    assert record["error"].startswith("RuntimeError")


def test_runner_questions_carry_each_question_s_history():
    question = EvalQuestion(
        id="f1",
        lang="en",
        question="And when?",
        answerable=True,
        doc=("a.txt",),
        evidence=("The Board met in May.",),
        answer="In May.",
        must_include=("May",),
        history=(HistoryTurn("Who met?", "The Board met."),),
    )
    payload = baseline.runner_questions([question])
    assert payload == {
        "questions": [
            {
                "id": "f1",
                "question": "And when?",
                "history": [{"question": "Who met?", "answer": "The Board met."}],
            }
        ]
    }


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with two commits of one file."""
    path = tmp_path / "repo"
    path.mkdir()
    _git(path, "init", "-q")
    for text in ("old\n", "new\n"):
        (path / "f.txt").write_text(text)
        _git(path, "add", "f.txt")
        _git(path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", text.strip())
    return path


def test_the_baseline_is_checked_out_apart_and_removed_after(repo: Path, tmp_path: Path):
    commit = baseline.resolve_commit("HEAD~1", repo)
    assert len(commit) == 40
    work = tmp_path / "work"
    with pytest.raises(RuntimeError, match="boom"), baseline.worktree(commit, work, repo) as tree:
        assert (tree / "f.txt").read_text() == "old\n"
        assert (repo / "f.txt").read_text() == "new\n"  # the checkout others use is untouched
        raise RuntimeError("boom")
    assert not tree.exists()
    assert str(tree) not in _git(repo, "worktree", "list")
    tree.mkdir(parents=True)  # left behind by a killed run: removed, then checked out again
    with baseline.worktree(commit, work, repo) as again:
        assert again == tree and (again / "f.txt").is_file()
    assert not tree.exists()


def test_a_ref_that_names_no_commit_is_refused(repo: Path):
    with pytest.raises(ValueError, match="no commit"):
        baseline.resolve_commit("no-such-ref", repo)


def test_the_baseline_command_imports_the_worktree_and_ingests_once(tmp_path: Path):
    run = baseline.BaselineRun(
        ref="abc",
        commit="a" * 40,
        worktree=tmp_path / "tree",
        index=baseline.index_dir(tmp_path, "a" * 40, quick=True),
        corpus_paths=(tmp_path / "corpus",),
        log_dir=tmp_path / "logs",
    )
    command = run.command("small", tmp_path / "q.json", tmp_path / "o.json", {}, "warm")
    assert command[1:3] == ["-P", str(baseline.RUNNER)]  # its own folder is not on sys.path
    assert command[-2:] == ["--ingest", str(tmp_path / "corpus")]
    assert run.environment()["PYTHONPATH"].split(":")[0] == str(tmp_path / "tree")
    run.index.parent.mkdir(parents=True)
    run.index.with_name(run.index.name + ".json").write_text("{}")  # built by an earlier run
    assert "--ingest" not in run.command("small", tmp_path / "q", tmp_path / "o", {}, "w")


def test_settings_for_quick_shows_fewer_candidates(tmp_path: Path):
    settings = answering.settings_for("small", tmp_path, quick=True)
    assert settings.llm.model == "small" and settings.paths.index_dir == tmp_path
    assert settings.answer.select_candidates == answering.QUICK_CANDIDATES
