"""Metrics on hand-made cases: evidence, hit@k/MRR, refusals, citations, latency, slices."""

from __future__ import annotations

import pytest

from assistant.eval.metrics import (
    first_evidence_rank,
    hit_at_k,
    mean_reciprocal_rank,
    missing_facts,
    passage_has_evidence,
    percentile,
    refusal_precision_recall,
    summarize,
    summarize_slices,
    text_language,
)
from tests.eval.evalfakes import (
    EN_EVIDENCE,
    EN_PASSAGE,
    OTHER_PASSAGE,
    ZH_EVIDENCE,
    ZH_PASSAGE,
    outcome,
)


def test_evidence_found_across_whitespace_line_breaks_and_footnotes() -> None:
    # The passage has spaces around digits, a line break inside the span and a "¹" marker.
    assert passage_has_evidence(ZH_PASSAGE, [ZH_EVIDENCE])
    assert passage_has_evidence(EN_PASSAGE, [EN_EVIDENCE])
    assert passage_has_evidence("参加 12 个工作组¹ 的 38 个实体", ["参加12个工作组的38个实体"])


def test_evidence_full_width_forms_match() -> None:
    assert passage_has_evidence("第1373（2001）号决议", ["第 1373(2001)号决议"])


def test_evidence_absent() -> None:
    assert not passage_has_evidence(OTHER_PASSAGE, [ZH_EVIDENCE])
    assert not passage_has_evidence(ZH_PASSAGE, [])
    assert not passage_has_evidence("", [ZH_EVIDENCE])
    # Another number is another fact.
    assert not passage_has_evidence(ZH_PASSAGE.replace("330", "331"), [ZH_EVIDENCE])


def test_any_of_several_spans_is_enough() -> None:
    assert passage_has_evidence(EN_PASSAGE, [ZH_EVIDENCE, EN_EVIDENCE])


def test_span_cut_by_a_chunk_boundary_counts_for_the_larger_part() -> None:
    span = "反恐怖主义委员会执行局是安全理事会第1535(2004)号决议设立的一个特别政治任务"
    cut = 24  # more than half of the span stays in the first chunk
    first_chunk = "前文。" + span[:cut]
    second_chunk = span[cut:] + "后文。"
    assert passage_has_evidence(first_chunk, [span])
    assert not passage_has_evidence(second_chunk, [span])  # holds less than half
    assert not passage_has_evidence("前文。" + span[:8], [span])


def test_first_evidence_rank_and_hits() -> None:
    texts = [OTHER_PASSAGE, EN_PASSAGE, ZH_PASSAGE]
    assert first_evidence_rank(texts, [ZH_EVIDENCE]) == 3
    assert first_evidence_rank(texts, [EN_EVIDENCE, ZH_EVIDENCE]) == 2
    assert first_evidence_rank([OTHER_PASSAGE], [ZH_EVIDENCE]) is None

    ranks = [1, 3, None, 7]
    assert hit_at_k(ranks, 1) == 0.25
    assert hit_at_k(ranks, 5) == 0.5
    assert hit_at_k(ranks, 10) == 0.75
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 7) / 4)
    assert hit_at_k([], 5) is None
    assert mean_reciprocal_rank([]) is None


def test_missing_facts() -> None:
    answer = "委员会于2018年4月19日举行的第三百三十次会议上审议了报告。"
    assert missing_facts(["19 April 2018", "330"], answer) == []
    assert missing_facts(["2018年4月19日", "331", "预算外"], answer) == ["331", "预算外"]


def test_refusal_precision_recall() -> None:
    refused = [True, True, False, False, True]
    answerable = [False, True, False, True, False]
    precision, recall = refusal_precision_recall(refused, answerable)
    assert precision == pytest.approx(2 / 3)  # one answerable question refused
    assert recall == pytest.approx(2 / 3)  # one unanswerable question answered
    assert refusal_precision_recall([False, False], [True, True]) == (None, None)


def test_text_language_ignores_quotes_and_markers() -> None:
    assert text_language("委员会于2018年4月19日审议了报告[1]。") == "zh"
    assert text_language("The Committee met on 19 April 2018 [1].") == "en"
    quoted = "The report says “委员会在2018年4月19日举行的第330次会议上审议该报告” [1]: it met."
    assert text_language(quoted) == "en"


def test_citation_precision_and_recall() -> None:
    outcomes = [
        # Two citations: one holds the evidence, one only supported by the answer's attribution.
        outcome("a", citations_total=2, citations_supporting=2, citations_with_evidence=1),
        # Two citations, one wrong; the evidence passage is not cited.
        outcome(
            "b",
            citations_total=2,
            citations_supporting=1,
            citations_with_evidence=0,
            evidence_cited=False,
        ),
        # No citation at all.
        outcome(
            "c",
            citations_total=0,
            citations_supporting=0,
            citations_with_evidence=0,
            evidence_cited=False,
        ),
        # Refused answerable question: not part of citation metrics.
        outcome("d", refused=True, citations_total=3, citations_supporting=0, evidence_cited=False),
    ]
    summary = summarize(outcomes)
    assert summary["citation_precision"] == pytest.approx(3 / 4)
    assert summary["citation_precision_strict"] == pytest.approx(1 / 4)
    assert summary["citation_recall"] == pytest.approx(1 / 3)
    assert summary["citation_rate"] == pytest.approx(2 / 3)
    assert summary["key_fact_accuracy"] == pytest.approx(3 / 4)


def test_key_fact_accuracy_refusals_and_language() -> None:
    outcomes = [
        outcome("ok"),
        outcome("missing", facts_missing=["330"]),
        outcome("wrong-lang", question_lang="en", doc_lang="zh", answer_lang="zh"),
        outcome("refused", refused=True, answer_lang="zh"),
        outcome(
            "un-refused",
            answerable=False,
            has_evidence=False,
            evidence_rank=None,
            refused=True,
            doc_lang="none",
            facts_missing=None,
        ),
        outcome(
            "un-answered",
            answerable=False,
            has_evidence=False,
            evidence_rank=None,
            refused=False,
            doc_lang="none",
            facts_missing=None,
        ),
        outcome("error", error="RuntimeError: boom", refused=None, answer_lang=None),
    ]
    summary = summarize(outcomes)
    assert summary["n"] == 7
    assert summary["errors"] == 1
    # answerable: ok, missing, wrong-lang, refused, error -> ok and wrong-lang have all facts.
    assert summary["key_fact_accuracy"] == pytest.approx(2 / 5)
    # pass: ok, wrong-lang, un-refused
    assert summary["answer_accuracy"] == pytest.approx(3 / 7)
    # refusals (no error): refused (answerable) + un-refused -> precision 1/2; recall 1/2.
    assert summary["refusal_precision"] == pytest.approx(1 / 2)
    assert summary["refusal_recall"] == pytest.approx(1 / 2)
    # language: 6 without error, "wrong-lang" is the only mismatch.
    assert summary["language_accuracy"] == pytest.approx(5 / 6)


def test_retrieval_only_outcomes_have_no_answer_metrics() -> None:
    outcomes = [
        outcome(
            f"r{i}",
            retrieval_only=True,
            evidence_rank=rank,
            refused=None,
            facts_missing=None,
            citations_total=None,
            evidence_cited=None,
            answer_lang=None,
            timings={"retrieve": 0.01 * (i + 1)},
        )
        for i, rank in enumerate([1, 2, 6, None])
    ]
    summary = summarize(outcomes)
    assert summary["hit@1"] == 0.25
    assert summary["hit@5"] == 0.5
    assert summary["hit@10"] == 0.75
    assert summary["key_fact_accuracy"] is None
    assert summary["refusal_precision"] is None
    assert summary["citation_precision"] is None
    assert summary["ttft_p50_s"] is None
    assert summary["retrieve_p50_s"] == pytest.approx(0.025)
    assert [o.passed for o in outcomes] == [True, True, False, False]


def test_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([], 50) is None


def test_slices_by_language_pair_and_tags() -> None:
    outcomes = [
        outcome("zz"),
        outcome("ez", question_lang="en", answer_lang="en", tags=["cross-lingual"]),
        outcome("ee", question_lang="en", doc_lang="en", answer_lang="en", followup=True),
        outcome("ze", doc_lang="en", evidence_rank=None, tags=["cross-lingual"]),
        outcome(
            "un",
            question_lang="en",
            doc_lang="none",
            answerable=False,
            has_evidence=False,
            refused=True,
            answer_lang="en",
        ),
    ]
    slices = summarize_slices(outcomes)
    assert list(slices)[:7] == ["all", "q:en", "q:zh", "zh→zh", "en→zh", "en→en", "zh→en"]
    assert slices["all"]["n"] == 5
    assert slices["q:en"]["n"] == 3
    assert slices["zh→en"]["hit@5"] == 0.0
    assert slices["zh→zh"]["hit@5"] == 1.0
    assert slices["unanswerable"]["refusal_recall"] == 1.0
    assert slices["followup"]["n"] == 1
    assert slices["tag:cross-lingual"]["n"] == 2
