"""The conversation runner with a scripted assistant: the history it sends, how each turn is
scored, and the comparison of each turn with the same question asked alone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.answer.types import Answer, Turn
from assistant.config import Settings
from assistant.eval.conversations import mixed_topics, run_conversations, turn_right
from assistant.eval.report import write_report
from assistant.eval.rundir import load_run
from assistant.schema import Passage
from tests.eval.evalfakes import cite, make_answer

ZH_DOC = "000_b645ea8b0039a4ff.txt"
EN_DOC = "TCD_73_2018.txt"
ZH_SPAN = "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定"
EN_SPAN = "minimum age for marriage at 18 years"


def passage(doc: str, text: str, n: int = 0) -> Passage:
    lang = "zh" if doc.startswith("0") else "en"
    return Passage(
        chunk_id=f"{doc}#{n}",
        doc_id=f"{lang}/{doc}",
        source=doc,
        title=doc,
        text=text,
        lang=lang,  # type: ignore[arg-type]
        score=1.0,
    )


ZH_PASSAGE = passage(
    ZH_DOC, "委员会在 2018 年 4 月 19 日举行的委员会第 330 次会议上审议该报告后商定。"
)
EN_PASSAGE = passage(EN_DOC, "This law sets the minimum age for marriage at 18 years.")


@dataclass
class ScriptedAssistant:
    """Answers by question text (``alone`` when asked without history); records every call's
    history and filters."""

    script: dict[str, Answer]
    alone: dict[str, Answer] = field(default_factory=dict)
    calls: list[tuple[str, list[Turn], dict[str, Any]]] = field(default_factory=list)
    fail: set[str] = field(default_factory=set)

    def ask(self, question: str, history: Sequence[Turn] = (), **filters: Any) -> Answer:
        self.calls.append((question, list(history), filters))
        if question in self.fail:
            raise RuntimeError("engine stopped")
        if not history and question in self.alone:
            return self.alone[question]
        return self.script[question]


def answer(
    question: str, text: str, cited: Sequence[Passage] = (), standalone: str | None = None
) -> Answer:
    return make_answer(
        question,
        text,
        citations=[cite(n, p) for n, p in enumerate(cited, start=1)],
        passages=list(cited),
        standalone_question=standalone,
        timings={"retrieve": 0.1, "first_evidence": 0.3, "ttft": 1.0, "total": 2.0},
    )


def refusal(question: str) -> Answer:
    return make_answer(question, "The documents do not say.", refused=True)


def _turn(kind: str, question: str, **values: Any) -> dict[str, Any]:
    turn = {
        "kind": kind,
        "lang": "zh",
        "question": question,
        "answerable": True,
        "doc": ZH_DOC,
        "evidence": [ZH_SPAN],
        "answer": "第330次会议，2018年4月19日。",
        "must_include": ["330"],
    }
    turn.update(values)
    return turn


CONVERSATION = {
    "id": "c1",
    "lang": "mixed",
    "turns": [
        _turn("first", "第几次会议审议了报告？"),
        _turn(
            "followup",
            "那次会议是哪天？",
            standalone="审议报告的第330次会议是哪天举行的？",
            must_include=["2018年4月19日"],
        ),
        _turn(
            "unrelated",
            "What is the minimum age for marriage in Chad?",
            lang="en",
            doc=EN_DOC,
            evidence=[EN_SPAN],
            answer="18 years.",
            must_include=["18"],
        ),
    ],
}
Q1, Q2, Q2_ALONE, Q3 = (
    "第几次会议审议了报告？",
    "那次会议是哪天？",
    "审议报告的第330次会议是哪天举行的？",
    "What is the minimum age for marriage in Chad?",
)


def _script(**overrides: Answer) -> dict[str, Answer]:
    script = {
        Q1: answer(Q1, "第330次会议 [1]。", [ZH_PASSAGE]),
        Q2: answer(Q2, "2018年4月19日 [1]。", [ZH_PASSAGE], standalone=Q2_ALONE),
        Q2_ALONE: answer(Q2_ALONE, "2018年4月19日 [1]。", [ZH_PASSAGE]),
        Q3: answer(Q3, "The minimum age is 18 [1].", [EN_PASSAGE]),
    }
    script.update(overrides)
    return script


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings()
    settings.paths.runs_dir = tmp_path / "runs"
    settings.paths.prompts_dir = tmp_path / "prompts"
    settings.paths.prompts_dir.mkdir()
    return settings


def _set(tmp_path: Path, *conversations: dict[str, Any]) -> Path:
    path = tmp_path / "conversations.jsonl"
    path.write_text(
        "\n".join(json.dumps(c, ensure_ascii=False) for c in conversations) + "\n", "utf-8"
    )
    return path


def _run(tmp_path: Path, settings: Settings, assistant: ScriptedAssistant, **kwargs: Any):
    return run_conversations(
        _set(tmp_path, CONVERSATION), assistant, settings, progress=False, **kwargs
    )


def test_each_turn_gets_the_history_the_app_keeps(tmp_path: Path, settings: Settings) -> None:
    assistant = ScriptedAssistant(_script())
    _run(tmp_path, settings, assistant)
    asked = [c[0] for c in assistant.calls]
    assert asked == [Q1, Q2, Q2_ALONE, Q3, Q3], "each turn, then its alone form"
    in_conversation = [assistant.calls[i] for i in (0, 1, 3)]
    assert [len(history) for _q, history, _f in in_conversation] == [0, 1, 2]
    first, second = in_conversation[2][1]
    assert first == Turn(Q1, "第330次会议 [1]。", (ZH_PASSAGE.chunk_id,), None)
    assert second.standalone == Q2_ALONE, "the follow-up's own reading is kept"
    alone = {q: history for q, history, _f in assistant.calls if q in (Q2_ALONE,)}
    assert alone[Q2_ALONE] == []
    assert assistant.calls[4][1] == [], "the unrelated turn asked alone has no history"


def test_history_is_limited_to_the_setting(tmp_path: Path, settings: Settings) -> None:
    settings.answer.history_turns = 1
    assistant = ScriptedAssistant(_script())
    result = _run(tmp_path, settings, assistant)
    third = next(h for q, h, _f in assistant.calls if q == Q3)
    assert [t.question for t in third] == [Q2]
    assert result.summary["conversation"]["history_turns"] == 1
    assert [t["question"] for t in result.records[2]["sent_history"]] == [Q2]


def test_a_failed_turn_is_left_out_of_the_history(tmp_path: Path, settings: Settings) -> None:
    assistant = ScriptedAssistant(_script(), fail={Q2})
    result = _run(tmp_path, settings, assistant)
    third = next(h for q, h, _f in assistant.calls if q == Q3)
    assert [t.question for t in third] == [Q1]
    assert result.records[1]["error"] and result.records[1]["right"] is False


def test_turns_are_scored_and_compared_with_alone(tmp_path: Path, settings: Settings) -> None:
    script = _script(
        **{
            Q2: answer(Q2, "我不确定 [1]。", [ZH_PASSAGE]),  # the follow-up not understood
            Q3: answer(Q3, "It is 18 [1], as the committee said [2].", [EN_PASSAGE, ZH_PASSAGE]),
        }
    )
    alone = {Q3: answer(Q3, "It is 18 [1].", [EN_PASSAGE])}
    result = _run(tmp_path, settings, ScriptedAssistant(script, alone))
    first, followup, unrelated = result.records
    assert [r["kind"] for r in result.records] == ["first", "followup", "unrelated"]
    assert first["right"] and not followup["right"] and followup["alone"]["right"]
    assert unrelated["right"] and unrelated["mixed_topics"] is True
    assert unrelated["alone"]["mixed_topics"] is False
    kinds = result.summary["conversation"]["kinds"]
    assert kinds["first"]["rate"] == 1.0
    assert kinds["followup"]["rate"] == 0.0 and kinds["followup"]["alone_rate"] == 1.0
    assert kinds["followup"]["difference"] == -1.0
    assert kinds["followup"]["right_only_alone"] == ["c1/2"]
    assert kinds["unrelated"]["mixed_topics"] == 1
    assert kinds["unrelated"]["mixed_topics_ids"] == ["c1/3"]
    assert kinds["first"]["timings"]["ttft_p50_s"] == 1.0
    assert kinds["first"]["timings"]["first_evidence_p50_s"] == 0.3
    budget = result.summary["conversation"]["error_budget"]["slices"]
    assert budget["followup"]["facts wrong or missing"] == 1
    assert budget["followup alone"]["right"] == 1
    assert result.records[1]["outcome"]["followup"] is True
    assert result.summary["slices"]["followup"]["n"] == 1


def test_right_needs_the_right_document_and_declining_the_unanswerable() -> None:
    record = {"answerable": True, "passed": True, "doc": [ZH_DOC], "cited_docs": [EN_DOC]}
    assert not turn_right(record)
    assert turn_right({**record, "cited_docs": [ZH_DOC, EN_DOC]})
    assert turn_right({"answerable": False, "refused": True, "doc": []})
    assert not turn_right({"answerable": False, "refused": False, "doc": []})
    assert not turn_right({**record, "cited_docs": [ZH_DOC], "error": "boom"})
    assert mixed_topics({"doc": [EN_DOC], "cited_docs": [ZH_DOC]}, [ZH_DOC])
    assert not mixed_topics({"doc": [ZH_DOC], "cited_docs": [ZH_DOC]}, [ZH_DOC])


def test_run_directory_split_and_report(tmp_path: Path, settings: Settings) -> None:
    other = {**CONVERSATION, "id": "c2"}
    path = _set(tmp_path, CONVERSATION, other)
    path.with_name("conversations_split.json").write_text(
        json.dumps({"tune": ["c1"], "test": ["c2"]}), "utf-8"
    )
    script = _script(**{Q3: refusal(Q3)})
    result = run_conversations(
        path, ScriptedAssistant(script), settings, split="test", progress=False
    )
    summary, records = load_run(result.run_dir)
    assert result.run_dir.name.endswith("_conversations-test")
    assert {r["conversation"] for r in records} == {"c2"}
    assert summary["mode"] == "conversations"
    assert summary["question_set"]["split"] == "test"
    assert summary["question_set"]["n_conversations_run"] == 1
    assert summary["conversation"]["kinds"]["unrelated"]["right"] == 0
    assert summary["metrics"]["answerable_declined_rate"] == pytest.approx(1 / 3)
    paths = write_report(result.run_dir)
    text = paths.markdown.read_text("utf-8")
    assert "## Conversations" in text and "follow-ups (alone: the standalone form)" in text
    assert "Conversations" in paths.html.read_text("utf-8")


def test_without_alone_no_second_asks(tmp_path: Path, settings: Settings) -> None:
    assistant = ScriptedAssistant(_script())
    result = _run(tmp_path, settings, assistant, ask_alone=False)
    assert [c[0] for c in assistant.calls] == [Q1, Q2, Q3]
    assert "alone_rate" not in result.summary["conversation"]["kinds"]["followup"]


def test_cli_eval_runs_a_conversation_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.cli import eval as eval_cli

    assistant = ScriptedAssistant(_script())
    monkeypatch.setattr(eval_cli, "_build_target", lambda settings, retrieval_only: assistant)
    path = _set(tmp_path, CONVERSATION)
    cli = CliRunner()
    args = ["eval", str(path), "--out", str(tmp_path / "runs"), "--no-progress"]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Conversations:" in result.output
    assert (tmp_path / "runs").is_dir() and len(assistant.calls) == 5
    for extra in (["--generated", "distractors"], ["--retrieval-only"], ["--only", "q:en"]):
        refused = cli.invoke(app, [*args, *extra])
        assert refused.exit_code != 0
    bad = cli.invoke(app, ["eval", str(path), "--generated", "everything"])
    assert bad.exit_code != 0
