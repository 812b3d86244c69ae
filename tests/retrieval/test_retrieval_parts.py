"""The retriever's parts, each alone: query sides, expanders, grouped BM25, sources, composition."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from assistant.index.catalog import ChunkRecord
from assistant.index.lexical import LexicalEntry, LexicalIndex, TermGroup
from assistant.retrieval.candidate_sources import KeywordSource, SourceRun
from assistant.retrieval.dictionary import (
    BilingualDictionary,
    DictionaryExpander,
    cedict_path,
    clean_gloss,
    english_forms,
)
from assistant.retrieval.expanders import CROSSLINGUAL, GlossaryExpander, TermBridgeExpander
from assistant.retrieval.fusion import RoutedFusion
from assistant.retrieval.query import Query, plain_groups
from assistant.retrieval.retriever import Retriever
from assistant.text.glossary import Glossary
from assistant.text.script import script_language
from assistant.text.tokenize import lexical_tokens

CEDICT_LINES = [
    "# a comment",
    "審議 审议 [shen3 yi4] /(of a committee etc) to deliberate/to consider/to discuss/",
    "考慮 考虑 [kao3 lu:4] /to think over/to consider/",
    "會議 会议 [hui4 yi4] /meeting/conference/CL:場|场[chang3],屆|届[jie4]/",
    "報告 报告 [bao4 gao4] /to inform/to report/report (i.e. a document)/CL:份[fen4]/",
    "恐怖主義 恐怖主义 [kong3 bu4 zhu3 yi4] /terrorism/",
    "恐怖 恐怖 [kong3 bu4] /terrible/frightful/terror/",
    "个 个 [ge4] /variant of 個|个[ge4]/",
]


def _dictionary() -> BilingualDictionary:
    return BilingualDictionary.from_lines(CEDICT_LINES)


def _query(text: str) -> Query:
    return Query(text, script_language(text), lexical_tokens(text))


def test_a_side_drops_own_tokens_repeats_and_empty_groups() -> None:
    query = Query("q", "en", ["meeting", "2018"])
    query.extend_side("x", "zh", [TermGroup(("会议", "2018")), TermGroup(("2018",))])
    query.extend_side("x", "zh", [TermGroup(("会议", "会谈"), 0.5, "meeting")])
    assert query.keywords["x"].groups == (
        TermGroup(("会议",)),
        TermGroup(("会谈",), 0.5, "meeting"),
    )
    assert query.terms("x") == ["会议", "会谈"] and query.terms("missing") == []
    query.extend_side("empty", "zh", plain_groups(["2018"]))
    assert "empty" not in query.keywords


def test_cc_cedict_ships_inside_the_package_and_parses() -> None:
    with gzip.open(cedict_path(), "rt", encoding="utf-8") as lines:
        head = [next(lines) for _ in range(400)]
    parsed = BilingualDictionary.from_lines(head)
    assert len(parsed.zh_to_en) > 100


def test_glosses_are_cleaned_into_lookup_phrases() -> None:
    assert clean_gloss("(of a committee etc) to deliberate") == "deliberate"
    assert clean_gloss("CL:份[fen4]") is None
    assert clean_gloss("variant of 個|个[ge4]") is None
    assert clean_gloss("to hold a long and complicated meeting about it") is None
    assert english_forms("meetings")[:2] == ["meetings", "meeting"]
    dictionary = _dictionary()
    assert dictionary.zh_to_en["审议"] == ["deliberate", "consider", "discuss"]
    assert dictionary.en_to_zh["consider"] == ["审议", "考虑"]
    assert "个" not in dictionary.zh_to_en


def test_dictionary_groups_each_english_term_with_its_rarest_corpus_translations() -> None:
    frequencies = {"审议": 3, "考虑": 40, "会议": 9, "报告": 20}
    expander = DictionaryExpander(
        _dictionary,
        lexical_tokens,
        lambda terms: {t: frequencies[t] for t in terms if t in frequencies},
        per_term=1,
    )
    query = _query("Did the committee consider the reports at the meeting?")
    expander.expand(query)
    side = query.keywords["dictionary"]
    assert side.lang == "zh"
    assert [(g.source, g.alternatives) for g in side.groups] == [
        ("consider", ("审议",)),  # 考虑 is commoner in the corpus
        ("reports", ("报告",)),
        ("meeting", ("会议",)),
    ]
    covered = _query("Did the committee consider the reports?")
    covered.covered.add("consider")  # the glossary translated it already
    expander.expand(covered)
    assert [g.source for g in covered.keywords["dictionary"].groups] == ["reports"]


def test_dictionary_translates_chinese_words_whole_not_their_parts() -> None:
    expander = DictionaryExpander(
        _dictionary, lexical_tokens, lambda terms: dict.fromkeys(terms, 1), per_term=8
    )
    query = _query("恐怖主义会议")
    expander.expand(query)
    groups = {g.source: g.alternatives for g in query.keywords["dictionary"].groups}
    assert set(groups) == {"恐怖主义", "会议"}  # not 恐怖, a part of 恐怖主义
    assert "terrorism" in groups["恐怖主义"] and "meetings" in groups["会议"]


class _Bridge:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def translate(self, tokens, embedder, *, min_similarity, per_token) -> list[str]:
        self.asked = list(tokens)
        return [{"committee": "委员会", "meeting": "会议"}[t] for t in tokens if t != "2018"]


def test_the_bridge_translates_only_what_the_glossary_left() -> None:
    bridge = _Bridge()
    index = type("FakeIndex", (), {"terms": bridge, "query_embedder": None})()
    glossary = Glossary([("Security Council", "安全理事会")])
    query = _query("Security Council committee meeting 2018")
    GlossaryExpander(glossary, lexical_tokens).expand(query)
    TermBridgeExpander(index, min_similarity=0.7, per_token=1).expand(query)
    assert bridge.asked == ["committee", "meeting", "2018"]
    assert query.terms(CROSSLINGUAL)[-2:] == ["委员会", "会议"]
    assert query.keywords[CROSSLINGUAL].lang == "zh"


@pytest.fixture
def lexical(tmp_path: Path) -> LexicalIndex:
    index = LexicalIndex(tmp_path / "bm25")
    texts = {
        "a": "审议 报告 会议",
        "b": "考虑 考虑 考虑 报告",
        "c": "会议 会议",
        "d": "climate change",
    }
    index.build(
        [LexicalEntry(cid, f"doc-{cid}", "zh", text.split()) for cid, text in texts.items()]
    )
    return index


def test_grouped_bm25_counts_the_best_alternative_once(lexical: LexicalIndex) -> None:
    plain = lexical.score_groups(plain_groups(["审议", "考虑"]))
    grouped = lexical.score_groups([TermGroup(("审议", "考虑"))])
    single = {t: lexical.score_groups([TermGroup((t,))]) for t in ("审议", "考虑")}
    assert plain is not None and grouped is not None
    np.testing.assert_allclose(grouped, np.maximum(single["审议"], single["考虑"]))
    np.testing.assert_allclose(plain, single["审议"] + single["考虑"])
    half = lexical.score_groups([TermGroup(("审议", "考虑"), 0.5)])
    np.testing.assert_allclose(half, 0.5 * grouped)
    assert lexical.search(["审议", "考虑"], 2) == lexical.top(plain, 2)
    assert lexical.document_frequencies(["会议", "报告", "unknown"]) == {"会议": 2, "报告": 2}


def test_a_keyword_source_ranks_and_completes_its_side(lexical: LexicalIndex) -> None:
    query = Query("q", "en", ["meeting"])
    query.extend_side("dictionary", "zh", [TermGroup(("会议",))])
    source = KeywordSource("dictionary", lambda: lexical, candidates=10)
    run = source.run(query, 10, None, None)
    assert run is not None and run.lang == "zh" and not run.cosine
    assert [cid for cid, _ in run.ranked] == ["c", "a"]
    assert run.complete(["a", "b"])["b"] == 0.0
    assert source.run(Query("q", "en", []), 10, None, None) is None


class _Index:
    """Enough of a HybridIndex for the retriever: fingerprint, refresh, tokens, chunks."""

    fingerprint = "v1"

    def refresh(self) -> bool:
        return False

    def tokens(self, text: str) -> list[str]:
        return lexical_tokens(text)

    def chunks(self, ids):
        return {
            cid: ChunkRecord(cid, f"{lang}/doc", 0, f"text {cid}", [], {"lang": lang})
            for cid in ids
            for lang in [("zh" if cid.startswith("zh") else "en")]
        }


class _FixedSource:
    def __init__(self, side: str, kind: str, lang: str | None, scores: dict[str, float]):
        self.side, self.kind, self.lang, self.scores, self.candidates = side, kind, lang, scores, 5

    def run(self, query, top_k, langs, doc_ids) -> SourceRun:
        ranked = sorted(self.scores.items(), key=lambda item: -item[1])[:top_k]
        complete = lambda ids: {i: self.scores.get(i, 0.0) for i in ids}  # noqa: E731
        return SourceRun(self.side, ranked, self.lang, self.kind == "dense", complete)


def test_the_retriever_composes_sources_and_fuser_without_an_index() -> None:
    dense = _FixedSource("dense", "dense", None, {"zh1": 0.5, "zh2": 0.45, "en1": 0.2})
    own = _FixedSource("lexical", "keyword", "en", {"en1": 8.0})
    other = _FixedSource("dictionary", "keyword", "zh", {"zh2": 3.0, "zh1": 1.0})
    fuser = RoutedFusion({"dense": 1.0, "lexical": 1.0, "dictionary": 1.0})
    retriever = Retriever(_Index(), 3, [], [dense, own, other], fuser)  # type: ignore[arg-type]
    hybrid = retriever.search("Which meeting considered the report?")
    assert [p.chunk_id for p in hybrid] == ["zh2", "zh1", "en1"]
    assert hybrid[0].dense_score == 0.45 and hybrid[0].lexical_score == 3.0
    dense_only = retriever.search("Which meeting considered the report?", mode="dense")
    assert [p.chunk_id for p in dense_only] == ["zh1", "zh2", "en1"]
    assert dense_only[0].lexical_score is None
    keyword_only = retriever.search("Which meeting?", 2, mode="lexical")
    assert {p.chunk_id for p in keyword_only} <= {"en1", "zh1", "zh2"}
    assert retriever.search("   ") == []
    with pytest.raises(ValueError):
        retriever.search("q", mode="sparse")  # type: ignore[arg-type]
