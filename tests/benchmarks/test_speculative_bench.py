"""The speculative-decoding benchmark's workload and summary (no engine needed)."""

from __future__ import annotations

import pytest

from assistant.config import get_settings
from benchmarks.speculative import summarise
from benchmarks.translation_workload import interleave, sentence_holding, translation_requests


def test_the_workload_is_the_pipelines_translations_of_cross_lingual_questions() -> None:
    requests = interleave(translation_requests(get_settings()))
    assert len(requests) >= 20
    directions = [r.label.split()[-1] for r in requests]
    assert directions[:2] in (["zh→en", "en→zh"], ["en→zh", "zh→en"])
    for request in requests:
        target = request.label.split()[-1].split("→")[1]
        assert request.params.temperature == 0.0 and request.params.stop == ["\n"]
        assert request.params.ban_cjk is (target == "en")
        assert request.messages[0].role == "system" and request.messages[-1].role == "user"
    first_zh = next(r for r in requests if r.label.startswith("en-zh-01"))
    assert "第330次会议 = 330th meeting" in first_zh.messages[-1].content


def test_the_sentence_holding_a_span_is_found_whole() -> None:
    text = "第一句。委员会在2018年4月19日 举行的第330次会议上审议该报告。第三句。"
    assert (
        sentence_holding(text, "第330次会议上审议")
        == "委员会在2018年4月19日 举行的第330次会议上审议该报告。"
    )
    assert sentence_holding("One. Two here. Three.", "Two") == "Two here."
    assert sentence_holding("One.", "absent") is None


def _figures(tok_s: float, wall: float, text: str, drafted: int = 0, kept: int = 0) -> dict:
    return {"text": text, "wall_s": wall, "generated_tokens": 10, "decode_ms": 10_000 / tok_s,
            "decode_tok_s": tok_s, "draft_tokens": drafted, "draft_accepted": kept}  # fmt: skip


def test_the_summary_gives_same_run_ratios_acceptance_and_same_text() -> None:
    rows = []
    for off, draft, same in ((20.0, 10.0, True), (30.0, 15.0, False), (10.0, 5.0, True)):
        by = {"off": _figures(off, 2.0, "a"), "draft": _figures(draft, 3.0, "a" if same else "b",
                                                                  8, 6)}  # fmt: skip
        for figures in by.values():
            figures["same_text_as_off"] = figures["text"] == by["off"]["text"]
        rows.append({"by_variant": by})
    summary = summarise(rows, ["off", "draft"])
    assert summary["draft"]["ratio_decode_tok_s_vs_off"] == pytest.approx(0.5)
    assert summary["draft"]["ratio_wall_vs_off"] == pytest.approx(1.5)
    assert summary["draft"]["acceptance"] == pytest.approx(0.75)
    assert summary["draft"]["same_text_as_off"] == "2/3"
    assert summary["off"]["same_text_as_off"] == "3/3" and summary["off"]["acceptance"] is None


def test_configurations_name_their_drafter_and_draft_length() -> None:
    from pathlib import Path

    from benchmarks.speculative import variants

    made = variants(["off", "draft", "draft@2", "ngram@8"], Path("/d.gguf"), 4, 0.75)
    assert [v.speculative.types for v in made] == [(), ("draft",), ("draft",), ("ngram-simple",)]
    assert [v.speculative.draft_max for v in made[1:]] == [4, 2, 8]
    with pytest.raises(ValueError, match="unknown configuration"):
        variants(["medusa"], Path("/d.gguf"), 4, 0.75)
