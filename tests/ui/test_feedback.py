"""Feedback: one JSON line per vote with what is needed to judge the answer, and no secrets."""

from __future__ import annotations

import json

from assistant.chat.session import ChatSession, TurnRecord
from assistant.ui.auth import secret_values
from assistant.ui.feedback import FeedbackCallbacks
from tests.ui.conftest import make_answer


def _session() -> ChatSession:
    record = TurnRecord(
        "反恐委员会在哪一次会议上审议了联合报告？", make_answer(), filters={"doc_ids": None}
    )
    return ChatSession(turns=[record], selected_turn=0)


def test_vote_writes_one_line_with_question_answer_citations_model_and_index(settings, tmp_path):
    path = settings.paths.feedback_file
    callbacks = FeedbackCallbacks(path, lambda: "use:abc123", [])
    status, comment = callbacks.vote("up", "  很有用 ", _session(), "zh")
    assert status == "谢谢，您的反馈已保存。" and comment == ""
    (line,) = path.read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    assert entry["rating"] == "up" and entry["comment"] == "很有用"
    assert entry["question"] == "反恐委员会在哪一次会议上审议了联合报告？"
    assert entry["answer"] == "委员会在第330次会议上审议了该报告[1]。"
    assert entry["citations"][0]["doc_id"] == "zh/000_b645ea8b0039a4ff.txt"
    assert entry["citations"][0]["symbol"] == "S/2018/435"
    assert entry["model"] == "small" and entry["index_fingerprint"] == "use:abc123"
    assert entry["timestamp"].endswith("+00:00")


def test_feedback_never_contains_secrets(settings, monkeypatch):
    monkeypatch.setenv("ASSISTANT_ADMIN_USER", "chief")
    monkeypatch.setenv("ASSISTANT_ADMIN_PASSWORD", "s3cret-passw0rd")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-42")
    secrets = secret_values(settings)
    assert set(secrets) == {"s3cret-passw0rd", "sk-test-key-42"}
    callbacks = FeedbackCallbacks(settings.paths.feedback_file, lambda: "fp", secrets)
    callbacks.vote(
        "down", "my password is s3cret-passw0rd and key sk-test-key-42", _session(), "en"
    )
    text = settings.paths.feedback_file.read_text(encoding="utf-8")
    assert "s3cret-passw0rd" not in text and "sk-test-key-42" not in text
    assert "[redacted]" in text
    entry = json.loads(text)
    assert not {"settings", "env", "password", "api_key"} & set(entry)


def test_like_on_a_chat_message_maps_to_its_turn(settings):
    session = _session()
    session.turns.append(TurnRecord("second", make_answer("second", text="B [1]")))
    callbacks = FeedbackCallbacks(settings.paths.feedback_file, lambda: "fp", [])
    callbacks.like(3, False, "", session, "en")  # message 3 = answer of turn 1
    entry = json.loads(settings.paths.feedback_file.read_text(encoding="utf-8"))
    assert entry["question"] == "second" and entry["rating"] == "down"


def test_vote_without_an_answer_writes_nothing(settings):
    callbacks = FeedbackCallbacks(settings.paths.feedback_file, lambda: "fp", [])
    status, comment = callbacks.vote("up", "kept", ChatSession(), "en")
    assert status == "Ask a question first." and comment == "kept"
    assert not settings.paths.feedback_file.exists()
