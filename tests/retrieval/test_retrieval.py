"""Retrieval over the shipped corpus (indexed once per session): the right seed passages come
back for Chinese and English questions, including across languages."""

from __future__ import annotations

import pytest

CASES = [
    # (question, text the passage must contain, document it must come from)
    (
        "Which Security Council resolution asked CTED and the Office of Counter-Terrorism "
        "for a joint report?",
        "2395",
        "zh/000_",
    ),
    (
        "Options for assessing the impact of the United Nations Global Counter-Terrorism Strategy",
        "备选办法",
        "zh/002_",
    ),
    ("委员会在哪次会议上审议了联合报告？", "第330次会议", "zh/000_"),
    ("布基纳法索有多少所学校因恐怖主义威胁而关闭？", "520 schools", "en/BFA_"),
    ("中国希望何时完成《巴黎协定》实施准则的谈判？", "Paris Agreement", "en/CHN_"),
    ("How many schools have closed in Burkina Faso?", "520 schools", "en/BFA_"),
]


def test_shipped_corpus_is_fully_indexed(corpus_index):
    report = corpus_index.report
    assert len(report.added) == 20 and not report.failed and not report.skipped
    docs = corpus_index.index.documents()
    assert {d.lang for d in docs} == {"zh", "en"}
    assert sum(d.chunk_count for d in docs) == corpus_index.index.catalog.chunk_count()
    assert corpus_index.index.check().ok


@pytest.mark.parametrize(("question", "needle", "doc_prefix"), CASES)
def test_seed_passage_in_top_5(corpus_index, question, needle, doc_prefix):
    passages = corpus_index.retriever.search(question, 5)
    assert any(needle in p.text and p.doc_id.startswith(doc_prefix) for p in passages), [
        (p.doc_id, p.text[:60]) for p in passages
    ]


def test_meeting_passage_is_found_with_a_margin(corpus_index):
    """The Chinese question finds the 第330次会议 passage in the top 3 (room for harmless
    reordering). The English one found it at rank 2 only through glossary lines written for it
    ("consider" → 审议, "joint report" → 联合报告), removed in issue 16; without them it is not in
    the top 8, and the dictionary's translations bring it back within the answering top_k (8)."""
    chinese = corpus_index.retriever.search("委员会在哪次会议上审议了联合报告？", 3)
    assert any("第330次会议" in p.text for p in chinese), [p.text[:40] for p in chinese]
    question = "At which meeting did the Committee consider the joint report?"
    english = corpus_index.retriever.search(question, 8)
    assert any("第330次会议" in p.text for p in english), [p.text[:40] for p in english]


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("At which meeting did the Committee consider the joint report?", "zh"),
        ("委员会在哪次会议上审议了联合报告？", "zh"),
        ("How many schools have closed in Burkina Faso?", "en"),
        ("布基纳法索有多少所学校因恐怖主义威胁而关闭？", "en"),
    ],
)
def test_questions_are_routed_to_the_language_they_are_about(corpus_index, question, lang):
    passages = corpus_index.retriever.search(question, 5)
    assert [p.lang for p in passages] == [lang] * 5


def test_a_chinese_question_reaches_an_english_statement_through_the_dictionary(corpus_index):
    """CC-CEDICT's own direction (zh → en): the dictionary side alone ranks the Lake Chad passage
    first among the English ones, and the passage search returns keeps that BM25 score, the
    lexical evidence an answer reads beside the fused score."""
    question = "乍得说乍得湖的面积缩小到了多少？"
    side = corpus_index.retriever.prepare(question).keywords["dictionary"]
    assert side.lang == "en" and {"lake", "chad", "area"} <= set(side.terms)
    lexical = corpus_index.index.lexical
    scores = lexical.score_groups(side.groups)
    (best, score), *_ = lexical.top(scores, 1, ["en"])
    assert "25,000 square kilometres" in corpus_index.index.chunks([best])[best].text
    top = corpus_index.retriever.search(question, 3)[0]
    assert top.chunk_id == best and top.lexical_score >= score > 0


def test_passages_keep_raw_scores_and_labels(corpus_index):
    passages = corpus_index.retriever.search("联合国全球反恐战略", 5)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert all(p.dense_score is not None for p in passages)  # weighted fusion scores every side
    assert any(p.lexical_score for p in passages)
    assert all(p.label for p in passages)


def test_language_and_document_filters(corpus_index):
    retriever = corpus_index.retriever
    only_en = retriever.search("反恐战略", 5, langs=["en"])
    assert only_en and {p.lang for p in only_en} == {"en"}
    one_doc = retriever.search("terrorism", 5, doc_ids=["zh/001_1e92452d4c4f6fdf.txt"])
    assert one_doc and {p.doc_id for p in one_doc} == {"zh/001_1e92452d4c4f6fdf.txt"}


def test_cross_lingual_terms_reach_the_other_language(corpus_index):
    retriever = corpus_index.retriever
    query = "At which meeting did the Committee consider the joint report?"
    prepared = retriever.prepare(query)
    assert {"会议", "委员会"} <= set(prepared.terms("crosslingual"))  # term bridge
    assert {"会议", "审议", "报告"} <= set(prepared.terms("dictionary"))  # CC-CEDICT
    lexical = retriever.search("谈判", 10, mode="lexical", langs=["en"])
    assert any("negotiat" in p.text for p in lexical)


def test_reingesting_the_unchanged_corpus_does_nothing(corpus_index):
    from assistant.ingest.pipeline import ingest_paths

    settings = corpus_index.settings
    report = ingest_paths([settings.paths.corpus_dir], corpus_index.index, settings)
    assert len(report.unchanged) == 20 and not report.changed and report.chunks_written == 0


def test_translated_terms_reuse_the_prepared_search_query(corpus_index):
    retriever = corpus_index.retriever
    question = "At which meeting did the Committee consider the joint report?"
    retriever.search(question, 5)
    assert {"会议", "委员会"} <= set(retriever.translated_terms(question))
    assert retriever.prepare(question) is retriever.prepare(question)
