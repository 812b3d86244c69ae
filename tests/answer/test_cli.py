"""``assistant ask`` and ``assistant chat`` over a fake assistant; the container stays lazy."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

import assistant.container
from assistant.cli import (
    app,
    commands,  # noqa: F401  (registers the commands)
)
from assistant.config import LLMSettings
from assistant.container import LazyChatModel
from tests.answer.conftest import EN_SDG, ZH_330, ScriptedModel, make_passage

runner = CliRunner()


@pytest.fixture
def fake_container(monkeypatch, make_assistant):
    def install(replies: list[str]):
        passages = [make_passage(ZH_330, 0, symbol="S/2018/435"), make_passage(EN_SDG, 1)]
        fake = make_assistant(ScriptedModel(replies), passages)
        services = SimpleNamespace(assistant=fake, documents=None)  # no --doc: never read
        monkeypatch.setattr(assistant.container, "Container", lambda settings=None: services)
        return fake

    return install


def test_ask_prints_answer_and_sources(fake_container) -> None:
    fake_container([])
    result = runner.invoke(app, ["ask", "委员会在哪一次会议上审议了该报告？"])
    assert result.exit_code == 0, result.output
    assert (
        "第330次会议上审议该报告后商定，建议将该文件作为安全理事会文件分发。 [1]" in result.stdout
    )
    assert "[1] S/2018/435 (doc0.txt)" in result.stdout
    assert "“委员会在2018年4月19日" in result.stdout


def test_ask_json(fake_container) -> None:
    fake_container([])
    result = runner.invoke(
        app, ["ask", "How much did the United States pledge to the new fund?", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["language"] == "en"
    assert data["citations"][0]["source"] == "doc1.txt"
    assert data["citations"][0]["supporting_sentences"]
    assert data["refused"] is False


def test_ask_empty_question_is_a_polite_error(fake_container) -> None:
    fake_container([])
    result = runner.invoke(app, ["ask", "   "])
    assert result.exit_code == 2
    assert "Please type a question" in result.output


def test_ask_rejects_unknown_language(fake_container) -> None:
    fake_container([])
    result = runner.invoke(app, ["ask", "x", "--lang", "fr"])
    assert result.exit_code != 0


def test_chat_follow_up_uses_the_conversation(fake_container) -> None:
    fake = fake_container([])
    result = runner.invoke(
        app, ["chat"], input="委员会在哪一次会议上审议了该报告？\n那次会议是哪天举行的？\n/quit\n"
    )
    assert result.exit_code == 0, result.output
    first, second = fake.retriever.queries
    assert first == "委员会在哪一次会议上审议了该报告？"
    assert second.startswith("第330次会议是哪天举行的？")  # the reference resolved, no model call
    assert (
        "理解为：第330次会议是哪天举行的？" in result.stdout
        or "第330次会议是哪天举行的" in result.stdout
    )
    assert "2018年4月19日" in result.stdout


def test_lazy_model_does_not_load_until_used(tmp_path) -> None:
    model = LazyChatModel(LLMSettings(model=str(tmp_path / "missing.gguf")), tmp_path)
    assert model.name.endswith("missing.gguf")
    with pytest.raises(Exception, match=r"missing\.gguf"):
        model.count_tokens("x")


def test_calibration_from_another_embedder_is_warned_about(tmp_path, caplog) -> None:
    from assistant.answer.calibration import calibrate
    from assistant.config import Settings
    from assistant.container import _check_calibration

    settings = Settings()
    settings.paths.calibration_file = tmp_path / "calibration.json"
    result = calibrate([0.9, 0.1], [True, False])
    result.index_fingerprint = "other-embedder:abc"
    result.save(tmp_path / "calibration.json")
    _check_calibration(settings, "use-multilingual-v3:def")
    assert "calibrated with embedder other-embedder" in caplog.text
    caplog.clear()
    _check_calibration(settings, "other-embedder:changed-documents")
    assert caplog.text == ""
