"""The conversation-set format: the shipped set is clean, and the check catches broken ones."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.cli import evalcheck as _evalcheck  # noqa: F401  (registers eval-check)
from assistant.eval.convset import (
    check_conversation_set,
    composition,
    conversation_split,
    is_conversation_set,
    load_conversation_set,
    turn_question,
)
from assistant.eval.dataset import QuestionSetError
from assistant.eval.split import load_split

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
CONVERSATIONS = ROOT / "evals" / "conversations.jsonl"
DEV = ROOT / "evals" / "dev.jsonl"

ZH_DOC = "000_b645ea8b0039a4ff.txt"
EN_DOC = "TCD_73_2018.txt"
ZH_TEXT = "委员会在 2018 年 4 月 19 日举行的委员会第 330 次会议上审议该报告后商定，建议分发。\n"
EN_TEXT = "This law sets the minimum age for marriage at 18 years and provides for a prison term.\n"


def _turn(**values: Any) -> dict[str, Any]:
    turn = {
        "kind": "first",
        "lang": "zh",
        "question": "委员会在第几次会议上审议了报告？",
        "answerable": True,
        "doc": ZH_DOC,
        "evidence": ["委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定"],
        "answer": "在第330次会议上。",
        "must_include": ["330"],
    }
    turn.update(values)
    return {name: value for name, value in turn.items() if value is not None}


def _followup(**values: Any) -> dict[str, Any]:
    defaults = {
        "kind": "followup",
        "question": "那次会议是哪天？",
        "standalone": "委员会审议报告的第330次会议是哪天举行的？",
        "answer": "2018年4月19日。",
        "must_include": ["2018年4月19日"],
    }
    return _turn(**{**defaults, **values})


def _unrelated(**values: Any) -> dict[str, Any]:
    defaults = {
        "kind": "unrelated",
        "lang": "en",
        "question": "What is the minimum age for marriage in Chad?",
        "doc": EN_DOC,
        "evidence": ["minimum age for marriage at 18 years"],
        "answer": "18 years.",
        "must_include": ["18"],
    }
    return _turn(**{**defaults, **values})


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "zh").mkdir(parents=True)
    (root / "en").mkdir()
    (root / "zh" / ZH_DOC).write_text(ZH_TEXT, encoding="utf-8")
    (root / "en" / EN_DOC).write_text(EN_TEXT, encoding="utf-8")
    return root


def _write(tmp_path: Path, *conversations: dict[str, Any]) -> Path:
    path = tmp_path / "conversations.jsonl"
    lines = [json.dumps(c, ensure_ascii=False) for c in conversations]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _messages(path: Path, corpus: Path) -> list[str]:
    return [p.message for p in check_conversation_set(path, corpus)]


# --------------------------------------------------------------------------- the shipped set


def test_shipped_conversation_set_is_clean() -> None:
    problems = check_conversation_set(CONVERSATIONS, CORPUS)
    assert problems == [], "\n".join(str(p) for p in problems[:20])


def test_shipped_set_composition() -> None:
    conversations = load_conversation_set(CONVERSATIONS)
    counts = composition(conversations)
    assert len(conversations) >= 40
    assert counts["conversations"]["zh"] >= 15
    assert counts["conversations"]["en"] >= 15
    assert counts["conversations"]["mixed"] >= 10
    assert counts["kinds"]["followup"] >= 40
    assert counts["kinds"]["unrelated"] >= 10
    assert counts["answerable"]["unanswerable"] >= 5
    middle = [c for c in conversations if any(t.kind == "unrelated" for t in c.turns[1:-1])]
    assert len(middle) >= 3, "unrelated questions in the middle of a conversation"
    used = {name for c in conversations for t in c.turns for name in t.doc}
    assert len(used) == 20, "every shipped document is used"


def test_shipped_set_does_not_copy_dev_questions() -> None:
    dev = {json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()}
    for conversation in load_conversation_set(CONVERSATIONS):
        for turn in conversation.turns:
            assert turn.question not in dev
            assert turn.standalone not in dev


def test_shipped_split_covers_every_conversation_once() -> None:
    conversations = load_conversation_set(CONVERSATIONS)
    split = load_split(CONVERSATIONS.with_name("conversations_split.json"), conversations)  # type: ignore[arg-type]
    tune, test = split.ids("tune"), split.ids("test")
    assert tune | test == {c.id for c in conversations}
    assert abs(len(tune) - len(test)) <= 1
    for lang in ("zh", "en", "mixed"):
        per_half = Counter(split.half_of(c.id) for c in conversations if c.lang == lang)
        assert abs(per_half["tune"] - per_half["test"]) <= 1


def test_eval_check_recognises_a_conversation_set() -> None:
    result = CliRunner().invoke(app, ["eval-check", str(CONVERSATIONS)])
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output
    assert "followup" in result.output


# --------------------------------------------------------------------------- the check


def test_a_clean_small_set(tmp_path: Path, corpus: Path) -> None:
    path = _write(
        tmp_path, {"id": "c1", "lang": "mixed", "turns": [_turn(), _followup(), _unrelated()]}
    )
    assert _messages(path, corpus) == []
    assert is_conversation_set(path)
    assert not is_conversation_set(DEV)


@pytest.mark.parametrize(
    ("turns", "lang", "expected"),
    [
        ([_turn(), _followup(standalone=None)], "zh", "needs its 'standalone' form"),
        ([_turn(), _followup(standalone="那次会议是哪天？")], "zh", "make it stand alone"),
        ([_turn(), _followup(standalone="When was the meeting held?")], "zh", "not written in zh"),
        ([_turn(), _unrelated(standalone="x")], "mixed", "only a follow-up"),
        ([_turn(), _unrelated(doc=ZH_DOC, lang="zh", question="报告的结论是什么？",
                              answer="2018年4月19日审议。", must_include=[],
                              evidence=[])], "zh", "shares a document"),
        ([_followup(), _turn()], "zh", "the first turn, and only it"),
        ([_turn()], "zh", "2 to 4 turns"),
        ([_turn(), _followup()], "mixed", "the turns make it 'zh'"),
        ([_turn(), _followup(tags=["cross-lingual"])], "zh", "are derived, not written"),
        ([_turn(), _followup(evidence=["not in the document"])], "zh", "evidence not found"),
        ([_turn(), _followup(must_include=["2019"])], "zh", "not in the reference answer"),
        ([_turn(), _followup(kind="follow-up")], "zh", "field 'kind' must be one of"),
    ],
)  # fmt: skip
def test_the_check_catches(
    tmp_path: Path, corpus: Path, turns: list[dict[str, Any]], lang: str, expected: str
) -> None:
    path = _write(tmp_path, {"id": "c1", "lang": lang, "turns": turns})
    messages = _messages(path, corpus)
    assert any(expected in m for m in messages), messages


def test_duplicate_ids_and_loading_a_broken_set(tmp_path: Path, corpus: Path) -> None:
    good = {"id": "c1", "lang": "zh", "turns": [_turn(), _followup()]}
    path = _write(tmp_path, good, good)
    assert any("duplicate id" in m for m in _messages(path, corpus))
    with pytest.raises(QuestionSetError):
        load_conversation_set(path)


def test_turn_question_derives_the_structural_tags(tmp_path: Path, corpus: Path) -> None:
    path = _write(
        tmp_path,
        {
            "id": "c1",
            "lang": "mixed",
            "turns": [_turn(), _followup(lang="en", question="And when?", standalone="When was "
                      "the 330th meeting held?", answer="On 19 April 2018.",
                      must_include=["19 April 2018"]), _unrelated(answerable=False, doc=[],
                      evidence=[], must_include=[], answer="The documents do not say.")],
        },
    )  # fmt: skip
    conversation = load_conversation_set(path)[0]
    langs = {ZH_DOC: "zh", EN_DOC: "en"}
    first = turn_question(conversation, 0, langs)
    followup = turn_question(conversation, 1, langs)
    alone = turn_question(conversation, 1, langs, alone=True)
    unrelated = turn_question(conversation, 2, langs)
    assert first.id == "c1/1" and first.tags == ()
    assert followup.question == "And when?" and "cross-lingual" in followup.tags
    assert alone.question == "When was the 330th meeting held?"
    assert not followup.history, "the history is what the app sends, not part of the item"
    assert "unanswerable" in unrelated.tags


def test_split_is_balanced_per_language_and_stable(tmp_path: Path) -> None:
    records = []
    for lang, count in (("zh", 5), ("en", 4), ("mixed", 3)):
        for n in range(count):
            turns = [_turn(), _followup()] if lang == "zh" else [_turn(lang="en")]
            records.append({"id": f"{lang}-{n}", "lang": lang, "turns": turns})
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    conversations = load_conversation_set_unchecked(path)
    first = conversation_split(conversations)
    assert first == conversation_split(list(reversed(conversations)))
    assert len(first.ids("tune")) + len(first.ids("test")) == 12
    assert abs(len(first.ids("tune")) - len(first.ids("test"))) <= 1


def load_conversation_set_unchecked(path: Path) -> list[Any]:
    """Conversations built without the shape check (the split does not need valid turns)."""
    from assistant.eval.convset import Conversation, _build_turn

    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return [
        Conversation(r["id"], r["lang"], tuple(_build_turn(t) for t in r["turns"])) for r in records
    ]
