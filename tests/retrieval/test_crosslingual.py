"""Cross-lingual keyword search: the glossary and the embedding term bridge."""

from __future__ import annotations

from assistant.index.factory import open_index
from assistant.index.term_bridge import TermBridge, term_language
from assistant.text.glossary import Glossary
from tests.index.conftest import EN_CLIMATE, ZH_MEETING, make_document


def test_glossary_matches_whole_words_both_ways(tmp_path):
    path = tmp_path / "glossary.tsv"
    path.write_text(
        "# comment line\n"
        "consider\t审议\n"
        "joint report\t联合报告  # standard term\n"
        "broken line without a tab\n",
        encoding="utf-8",
    )
    glossary = Glossary.load(path)
    assert len(glossary) == 2
    matches = glossary.matches("Did the Committee CONSIDER the Joint Report?")
    assert matches == [("CONSIDER", "审议"), ("Joint Report", "联合报告")]
    assert glossary.matches("reconsidered reports") == []
    expected = [("审议", "consider"), ("联合报告", "joint report")]
    assert glossary.matches("委员会审议了联合报告") == expected


def test_missing_glossary_is_empty(tmp_path):
    assert len(Glossary.load(tmp_path / "none.tsv")) == 0
    assert Glossary.load(None).matches("anything") == []


def test_shipped_glossary_loads(settings_for, tmp_path):
    glossary = Glossary.load(settings_for(tmp_path).paths.glossary_file)
    assert len(glossary) > 20
    assert ("CTED", "反恐执行局") in glossary.matches("What did CTED do?")


def test_term_language():
    assert term_language("会议") == "zh" and term_language("meeting") == "en"
    assert term_language("会") is None and term_language("2395") is None
    assert term_language("s/2018/208") is None and term_language("un") is None


def test_bridge_translates_terms_both_ways(tmp_path, use_embedder):
    bridge = TermBridge(tmp_path / "terms")
    bridge.build(
        ["会议", "报告", "谈判", "学校", "meeting", "report", "negotiations", "schools", "2018"],
        use_embedder,
    )
    assert len(bridge) == 8
    found = bridge.translate(
        ["meeting", "谈判", "2018"], use_embedder, min_similarity=0.8, per_token=1
    )
    assert found == ["negotiations", "会议"]  # Chinese tokens first, then English ones
    reloaded = TermBridge(tmp_path / "terms")
    assert reloaded.translate(["report"], use_embedder, min_similarity=0.8, per_token=1) == ["报告"]
    assert reloaded.translate(["report"], use_embedder, min_similarity=0.99, per_token=1) == []


def test_index_builds_the_bridge_when_switched_on(tmp_path, use_embedder, settings_for):
    settings = settings_for(tmp_path)
    settings.retrieval.term_translation = False
    index = open_index(settings, use_embedder)
    index.add_document(*make_document("zh/a.txt", "zh", [ZH_MEETING]))
    index.add_document(*make_document("en/b.txt", "en", [EN_CLIMATE]))
    assert len(index.terms) == 0
    index.close()
    settings.retrieval.term_translation = True
    index = open_index(settings, use_embedder)
    assert len(index.terms) > 5
    assert "climate" in index.terms.translate(
        ["气候"], use_embedder, min_similarity=0.5, per_token=3
    )
    index.close()
