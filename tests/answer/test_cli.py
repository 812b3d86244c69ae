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
from assistant.models.lazy_model import LazyChatModel
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
    from assistant.config import Settings
    from assistant.container import _check_calibration
    from assistant.eval.calibration import calibrate

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


def test_ask_exports_the_answer_to_word(fake_container, tmp_path) -> None:
    from docx import Document

    fake_container([])
    target = tmp_path / "answer.docx"
    result = runner.invoke(
        app, ["ask", "委员会在哪一次会议上审议了该报告？", "--export", str(target)]
    )
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert "委员会在哪一次会议上审议了该报告？" in text
    assert "第330次会议" in text
    assert "S/2018/435" in text and "doc0.txt" in text
    assert "“委员会在2018年4月19日" in text


def test_ask_exports_markdown_and_rejects_other_formats(fake_container, tmp_path) -> None:
    fake_container([])
    target = tmp_path / "answer.md"
    result = runner.invoke(
        app, ["ask", "委员会在哪一次会议上审议了该报告？", "--export", str(target)]
    )
    assert result.exit_code == 0, result.output
    written = target.read_text(encoding="utf-8")
    assert "**来源**" in written and "[1] S/2018/435" in written
    result = runner.invoke(app, ["ask", "x", "--export", str(tmp_path / "answer.pdf")])
    assert result.exit_code == 2 and "answer.pdf" in result.output and "--export" in result.output
    assert not (tmp_path / "answer.pdf").exists()


def test_chat_exports_the_conversation(fake_container, tmp_path) -> None:
    fake_container([])
    target = tmp_path / "conversation.md"
    result = runner.invoke(
        app,
        ["chat", "--export", str(target)],
        input="委员会在哪一次会议上审议了该报告？\n那次会议是哪天举行的？\n/quit\n",
    )
    assert result.exit_code == 0, result.output
    written = target.read_text(encoding="utf-8")
    assert "## 问题 1" in written and "## 问题 2" in written
    assert "那次会议是哪天举行的？" in written
