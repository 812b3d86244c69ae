"""The question-set format: the shipped sets are clean, and the check catches broken ones."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.cli import evalcheck as _evalcheck  # noqa: F401  (registers eval-check)
from assistant.eval.dataset import (
    CorpusFiles,
    EvalQuestion,
    QuestionSetError,
    check_question_set,
    contains_evidence,
    load_question_set,
    match_key,
    question_slice,
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
DEV = ROOT / "evals" / "dev.jsonl"
SMOKE = ROOT / "evals" / "smoke.jsonl"

ZH_TEXT = (
    "委员会在 2018 年 4 月 19 日举行的委员会第 330 次会议上审议该报告后商定，\n"
    "建议将该文件作为安全理事会文件分发。\n"
    "秘书长强调,应加强参加 12 个工作组¹ 的 38 个反恐执行工作队实体² 间的协调一致性。\n"
)
EN_TEXT = (
    "Kazakhstan has ratified 16 of the 19 United Nations instruments on\n"
    " \n"
    "combating  terrorism, with measures taken for the early accession.\n"
)


def _good(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": "t-01",
        "lang": "en",
        "question": "At which meeting did the Committee consider the report?",
        "answerable": True,
        "doc": "a.txt",
        "evidence": ["委员会在2018年4月19日举行的委员会第330次会议上审议该报告"],
        "answer": "At its 330th meeting, on 19 April 2018.",
        "must_include": ["330", "19 April 2018"],
        "tags": ["factual", "cross-lingual"],
    }
    record.update(overrides)
    return record


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "zh").mkdir(parents=True)
    (root / "en").mkdir()
    (root / "zh" / "a.txt").write_text(ZH_TEXT, encoding="utf-8")
    (root / "en" / "b.txt").write_text(EN_TEXT, encoding="utf-8")
    return root


def _write(path: Path, records: list[dict[str, object]], extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- matching


def test_match_ignores_whitespace_inside_chinese_and_english() -> None:
    assert contains_evidence(ZH_TEXT, "委员会在2018年4月19日举行的委员会第330次会议")
    assert contains_evidence(EN_TEXT, "United Nations instruments on combating terrorism")


def test_match_ignores_footnote_markers_on_either_side() -> None:
    span = "参加12个工作组的38个反恐执行工作队实体间的协调一致性"
    assert contains_evidence(ZH_TEXT, span)
    assert contains_evidence(ZH_TEXT.replace("¹", "").replace("²", ""), "工作组¹ 的 38 个")


def test_match_folds_full_width_forms_but_not_content() -> None:
    assert match_key("第１３７３（２００１）号") == match_key("第 1373(2001)号")
    assert not contains_evidence(ZH_TEXT, "委员会第331次会议")
    assert not contains_evidence(ZH_TEXT, "   ")


# --------------------------------------------------------------------------- shipped sets


@pytest.mark.parametrize("path", [DEV, SMOKE], ids=["dev", "smoke"])
def test_shipped_sets_pass_the_check(path: Path) -> None:
    problems = check_question_set(path, CORPUS)
    assert problems == [], "\n".join(str(p) for p in problems)


def test_smoke_is_a_verbatim_subset_of_dev() -> None:
    dev = {q.id: q for q in load_question_set(DEV)}
    smoke = load_question_set(SMOKE)
    assert len(smoke) == 6
    for question in smoke:
        assert dev[question.id] == question
    slices = Counter(question_slice(q, CorpusFiles.scan(CORPUS).langs) for q in smoke)
    assert slices["zh→zh"] == 2 and slices["en→zh"] == 2 and slices["en→en"] == 1
    assert sum(not q.answerable for q in smoke) == 1


def test_dev_set_covers_the_required_slices() -> None:
    questions = load_question_set(DEV)
    langs = CorpusFiles.scan(CORPUS).langs
    slices = Counter(question_slice(q, langs) for q in questions)
    by_lang = Counter(q.lang for q in questions)
    followups = [q for q in questions if q.is_followup]
    assert len(questions) >= 90
    assert by_lang["zh"] == by_lang["en"]
    assert slices["en→zh"] >= 20 and slices["zh→en"] >= 12
    assert slices["zh→zh"] >= 12 and slices["en→en"] >= 12
    assert sum(not q.answerable for q in questions) >= 14
    assert len(followups) >= 6 and {q.lang for q in followups} == {"zh", "en"}
    assert sum("list" in q.tags for q in questions) >= 10
    assert sum("comparison" in q.tags for q in questions) >= 6
    assert any(q.is_cross_document and q.answerable for q in questions)


# --------------------------------------------------------------------------- broken sets


def test_check_catches_each_kind_of_broken_line(tmp_path: Path, tiny_corpus: Path) -> None:
    missing = _good(id="missing")
    del missing["must_include"]
    records = [
        _good(),
        missing,
        _good(id="not-in-doc", evidence=["委员会第331次会议"]),
        _good(),  # duplicate of t-01
        _good(
            id="unanswerable-with-evidence",
            answerable=False,
            must_include=[],
            tags=["unanswerable"],
            answer="The documents do not contain this information.",
        ),
        _good(id="unknown-doc", doc="nope.txt"),
        _good(id="wrong-lang", lang="zh"),
        _good(id="fact-not-in-answer", must_include=["331"]),
        _good(id="wrong-type", answerable="yes"),
        _good(id="cross-doc-unsupported", doc=["a.txt", "b.txt"], tags=["cross-document"]),
        _good(id="long-span", evidence=[ZH_TEXT]),
    ]
    path = _write(tmp_path / "bad.jsonl", records, extra_lines=("{not json",))
    messages = [str(p) for p in check_question_set(path, tiny_corpus)]
    text = "\n".join(messages)

    assert "[missing]: missing field(s): must_include" in text
    assert "[not-in-doc]: evidence not found in a.txt" in text
    assert "[t-01]: duplicate id (first on line 1)" in text
    assert "[unanswerable-with-evidence]: unanswerable question must have doc, evidence" in text
    assert "[unknown-doc]: unknown doc(s)" in text
    assert "[wrong-lang]: lang is 'zh' but the question reads as 'en'" in text
    assert "[fact-not-in-answer]: must_include fact '331' is not in the reference answer" in text
    assert "[wrong-type]: field 'answerable' must be true or false" in text
    assert "[cross-doc-unsupported]: no evidence span comes from: b.txt" in text
    assert "[long-span]: evidence span longer than 40 units" in text
    assert "bad.jsonl:12: invalid JSON" in text
    assert not any(m.startswith(f"{path}:1 ") or f"{path}:1 [" in m for m in messages)


def test_check_accepts_a_clean_set_in_both_languages(tmp_path: Path, tiny_corpus: Path) -> None:
    records = [
        _good(),
        _good(
            id="t-02",
            lang="zh",
            question="哈萨克斯坦批准了多少项联合国反恐文书？",
            doc="b.txt",
            evidence=["Kazakhstan has ratified 16 of the 19 United Nations instruments"],
            answer="哈萨克斯坦批准了19项联合国反恐文书中的16项。",
            must_include=["16", "19"],
            history=[{"question": "哈萨克斯坦谈了反恐吗？", "answer": "谈了。"}],
            tags=["followup", "cross-lingual"],
        ),
        _good(
            id="t-03",
            question="Who won the 2018 FIFA World Cup?",
            answerable=False,
            doc=[],
            evidence=[],
            must_include=[],
            answer="The documents do not contain this information.",
            tags=["unanswerable", "off-topic"],
        ),
    ]
    path = _write(tmp_path / "good.jsonl", records)
    assert check_question_set(path, tiny_corpus) == []
    questions = load_question_set(path)
    assert [q.id for q in questions] == ["t-01", "t-02", "t-03"]
    assert isinstance(questions[0], EvalQuestion)
    assert questions[0].doc == ("a.txt",) and questions[2].doc == ()
    assert questions[1].history[0].answer == "谈了。"
    assert questions[0].to_record()["doc"] == "a.txt"
    langs = CorpusFiles.scan(tiny_corpus).langs
    assert [question_slice(q, langs) for q in questions] == ["en→zh", "zh→en", "en→none"]


def test_load_refuses_a_set_that_breaks_the_schema(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.jsonl", [_good(), _good()])
    with pytest.raises(QuestionSetError, match="duplicate id"):
        load_question_set(path)


def test_cli_exit_code_follows_the_check(tmp_path: Path, tiny_corpus: Path) -> None:
    runner = CliRunner()
    good = _write(tmp_path / "good.jsonl", [_good()])
    bad = _write(tmp_path / "bad.jsonl", [_good(evidence=["不在文件里的句子"])])

    ok = runner.invoke(app, ["eval-check", str(good), "--corpus-dir", str(tiny_corpus)])
    assert ok.exit_code == 0, ok.output
    assert "1 questions, no problems (en→zh 1)" in ok.output

    failed = runner.invoke(app, ["eval-check", str(bad), "--corpus-dir", str(tiny_corpus)])
    assert failed.exit_code == 1
    assert "evidence not found in a.txt" in failed.output
