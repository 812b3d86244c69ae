"""English renderings of Chinese UN terms: the glossary, then the CC-CEDICT sense UN English
uses, compositions only where UN English has them; and the script that builds the counts."""

from __future__ import annotations

import gzip
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.text import term_spans
from assistant.text.aligned_senses import ALIGNED_FILE, AlignedSenses
from assistant.text.cedict_senses import load_senses, parse_definition
from assistant.text.glossary import Glossary
from assistant.text.term_rendering import TermRenderer, render_term, sentence_renderings
from assistant.text.un_ngrams import NGRAMS_FILE, NgramCounts, is_composition, word_runs

CORPUS_ZH = PROJECT_ROOT / "corpus" / "zh"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load(Settings().paths.glossary_file)


@pytest.fixture(scope="module")
def renderer(glossary: Glossary) -> TermRenderer:
    return TermRenderer(glossary)


@pytest.fixture(scope="module")
def corpus_text() -> str:
    return "".join(
        re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
        for path in sorted(CORPUS_ZH.glob("*.txt"))
    )


# Terms of the Chinese corpus, as a UN translator renders them (and, in the comment, what
# CC-CEDICT's first sense says). Only renderings the data supports are asserted.
UN_TERMS = [
    ("会员国", "Member States"),  # glossary (CC-CEDICT: member nation)
    ("执行局", "Executive Directorate"),  # glossary (no entry)
    ("能力建设", "capacity-building"),  # glossary (no entry)
    ("外国恐怖主义作战人员", "foreign terrorist fighters"),  # glossary (no entry)
    ("经常预算", "regular budget"),  # composed: 经常 "regularly" + 预算 "budget"
    ("审议", "consider"),  # deliberate
    ("加强", "strengthen"),  # reinforce
    ("区域", "region"),  # area
    ("方案", "programme"),  # plan; British spelling, as the UN writes it
    ("评估", "assessment"),  # evaluate
    ("会议", "meeting"),  # meeting; UN English says "conference" more often, translators don't
    ("资金", "funds"),  # funds; likewise "capital"
    ("全球", "global"),  # entire
    ("合作", "cooperation"),  # cooperate
    ("拨款", "appropriation"),  # allocate funds
    ("建议", "recommendations"),  # propose
]


@pytest.mark.parametrize(("chinese", "english"), UN_TERMS)
def test_un_terms_of_the_corpus_are_rendered_as_un_english_writes_them(
    renderer: TermRenderer, corpus_text: str, chinese: str, english: str
) -> None:
    assert chinese in corpus_text
    assert renderer.render_term(chinese) == english


@pytest.mark.parametrize(
    ("chinese", "usable"),
    [
        # No entry, and "extrabudgetary" is no composition of 预算 "budget" and 外 "outside":
        # nothing rather than "budget external" (what the model wrote) or "external budget".
        ("预算外", {None, "extrabudgetary"}),
        # "posts": no composition of 员 "member" and 额 "forehead; specified amount".
        ("员额", {None, "posts"}),
    ],
)
def test_terms_the_data_does_not_support_get_no_literal_rendering(
    renderer: TermRenderer, corpus_text: str, chinese: str, usable: set[str | None]
) -> None:
    assert chinese in corpus_text
    assert renderer.render_term(chinese) in usable


@pytest.mark.parametrize("unknown", ["乌拉拉", "犇羴", "hello", "", "   ", "2018"])
def test_unknown_words_return_none(renderer: TermRenderer, unknown: str) -> None:
    assert renderer.render_term(unknown) is None


def test_without_a_glossary_the_dictionary_and_counts_still_render() -> None:
    assert render_term("会员国") == "member nations"  # CC-CEDICT's "member nation", as used
    assert render_term("审议") == "consider"


def test_a_verb_standing_as_a_noun_takes_its_ing_form(renderer: TermRenderer) -> None:
    assert renderer.render_term("加强", verbal_noun=True) == "strengthening"
    assert renderer.render_term("审议", verbal_noun=True) == "considering"


def test_traditional_characters_are_rendered_as_simplified_ones(renderer: TermRenderer) -> None:
    assert renderer.render_term("審議") == "consider"
    assert renderer.render_term("經常預算") == "regular budget"


def test_a_function_word_sense_is_not_chosen_for_a_content_word(renderer: TermRenderer) -> None:
    # 处: "to reside; to live; ...; in; ...": "in" is the commonest, and no rendering.
    assert renderer.render_term("处") != "in"


def test_a_sentence_gives_its_glossary_names_phrases_and_nouns_longest_first(
    renderer: TermRenderer,
) -> None:
    sentence = "反恐怖主义委员会执行局继续与会员国合作，评估其执行安全理事会决议的情况。"
    pairs = renderer.sentence_renderings(sentence, 8)
    assert pairs[:3] == [
        ("反恐怖主义委员会执行局", "Counter-Terrorism Committee Executive Directorate"),
        ("安全理事会", "Security Council"),
        ("会员国", "Member States"),
    ]
    assert ("合作", "cooperation") in pairs and ("评估", "assessment") in pairs
    terms = [term for term, _ in pairs]
    assert "执行局" not in terms and "委员会" not in terms  # inside a longer name
    assert "继续" not in terms  # an everyday verb: the model translates it well itself
    assert all(term in sentence for term in terms)
    assert len(renderer.sentence_renderings(sentence, 2)) == 2


def test_two_words_un_english_writes_as_one_phrase_are_one_term(renderer: TermRenderer) -> None:
    pairs = renderer.sentence_renderings("但办公室只有8个经常预算员额。", 8)
    assert ("经常预算", "regular budget") in pairs
    assert not any(term in {"经常", "预算"} for term, _ in pairs)
    assert all(term != "员额" for term, _ in pairs)  # no rendering the data supports


def test_a_pair_across_a_longer_name_is_not_composed(renderer: TermRenderer) -> None:
    # 专项活动 | 捐助方: 活动捐助 ("active contribution") cuts across both.
    pairs = renderer.sentence_renderings("反恐执行局接受专项活动捐助方预算外资金的权力。", 8)
    assert all(term != "活动捐助" for term, _ in pairs)
    assert ("资金", "funds") in pairs


def test_a_sentence_word_is_given_only_in_a_sense_un_english_uses(
    renderer: TermRenderer,
) -> None:
    # 全体会议: CC-CEDICT's only sense, "general congress", is not UN usage ("plenary").
    assert renderer.render_term("全体会议") == "general congress"
    pairs = renderer.sentence_renderings("工作组举行了全体会议。", 8)
    assert all(term != "全体会议" for term, _ in pairs)


@pytest.mark.parametrize(
    ("sentence", "pairs"),
    [
        ("只有8个经常预算员额", [("经常", "预算")]),  # a measure word before is no part of it
        ("联合国反恐怖主义中心的项目", []),  # 反 + 恐怖主义 + 中心: a longer name
        ("接受专项活动捐助方资金", [("专项", "活动")]),  # 活动捐助 has 方 glued after it
        ("加强合作", []),  # a verb and its object are no term
        ("联合国系统", [("联合国", "系统")]),  # a name modifies; it is not modified
    ],
)
def test_candidate_pairs_are_a_modifier_and_a_noun_standing_alone(
    sentence: str, pairs: list[tuple[str, str]]
) -> None:
    found = term_spans.candidate_pairs(term_spans.tokens(sentence))
    assert [(first.text, second.text) for first, second in found] == pairs


def test_pairs_sharing_a_word_are_neither_of_them_a_phrase() -> None:
    a, b, c = term_spans.tokens("专项活动经费")
    assert term_spans.standalone([(a, b), (b, c)]) == []
    assert term_spans.standalone([(a, b)]) == [(a, b)]


def test_a_traditional_sentence_gives_its_terms_as_written(renderer: TermRenderer) -> None:
    pairs = renderer.sentence_renderings("反恐執行局將審議經常預算和方案。", 8)
    assert ("經常預算", "regular budget") in pairs
    assert ("方案", "programme") in pairs


def test_module_functions_take_the_glossary_as_a_parameter(glossary: Glossary) -> None:
    assert render_term("执行局", glossary) == "Executive Directorate"
    assert render_term("执行局") is None
    assert ("会员国", "Member States") in sentence_renderings("会员国合作。", 4, glossary)


# --- CC-CEDICT senses and the counts -------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "key", "text", "verb"),
    [
        ("(of a committee etc) to deliberate", "deliberate", "deliberate", True),
        ("to crack down on sth", "crack down on", "crack down on", True),
        ("foreign (country)", "foreign", "foreign", False),
        ("capacity-building", "capacity building", "capacity-building", False),
        ("Chad", "chad", "Chad", False),
    ],
)
def test_definitions_become_senses(definition: str, key: str, text: str, verb: bool) -> None:
    sense = parse_definition(definition)
    assert sense is not None
    assert (sense.key, sense.text, sense.verb) == (key, text, verb)


@pytest.mark.parametrize(
    "note", ["CL:個|个[ge4]", "surname Wai", "variant of 額|额[e2]", "abbr. for 联合国"]
)
def test_notes_are_no_senses(note: str) -> None:
    assert parse_definition(note) is None


def test_english_is_counted_in_runs_that_punctuation_breaks() -> None:
    runs = list(word_runs("Capacity-building, in the country. Foreign States' aid 2018 now"))
    assert runs == [["capacity", "building"], ["in", "the", "country"], ["foreign", "states"],
                    ["aid"], ["now"]]  # fmt: skip


def test_a_composition_is_sense_phrases_without_function_words() -> None:
    phrases = {"regular", "budget", "member", "states", "in", "secretary"}
    assert is_composition("regular budget", phrases)
    assert is_composition("member states", phrases)
    assert not is_composition("in secretary", phrases)  # a function word
    assert not is_composition("budget", phrases)  # one phrase is no composition
    assert not is_composition("regular posts", phrases)  # "posts" is no sense here


def test_the_shipped_tables_are_small_and_say_how_they_were_built() -> None:
    for path in (NGRAMS_FILE, ALIGNED_FILE):
        assert path.stat().st_size < 1_000_000
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            header = [line for line in lines if line.startswith("#")]
        assert any("scripts/build_un_term_frequencies.py" in line for line in header)
        assert any("UN Parallel Corpus" in line for line in header)
    counts = NgramCounts.load()
    assert counts.count("regular budget") >= 2
    assert counts.score("strengthen") > counts.score("reinforce")
    assert AlignedSenses.load().count("会议", "meeting") > AlignedSenses.load().count(
        "会议", "conference"
    )


# --- The build script, on a small fixture --------------------------------------------------

FIXTURE_CEDICT = """\
# CC-CEDICT fixture
預算 预算 [yu4 suan4] /budget/
經常 经常 [jing1 chang2] /frequently; constantly; regularly; often/day-to-day; everyday/
審議 审议 [shen3 yi4] /(of a committee etc) to deliberate; to consider; to discuss/
會議 会议 [hui4 yi4] /meeting/conference/CL:個|个[ge4]/
報告 报告 [bao4 gao4] /to inform; to report/report/CL:份[fen4]/
"""
FIXTURE_STATEMENTS = {
    "session_70/AAA_70_2015.txt": "We considered the regular budget. The conference will "
    "consider the report. A conference, a conference and another conference.",
    "session_71/BBB_71_2016.txt": "The regular budget is small; the report was discussed.",
}
FIXTURE_UNPC = (
    "line\tunpc_doc_id\ten\tzh\n"
    "1\t2015/a/1\tThe meeting considered the report.\t会议审议了报告。\n"
    "2\t2015/a/2\tThe meeting was held on Monday.\t会议于星期一举行。\n"
)


def _build_script() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "build_un_term_frequencies.py"
    spec = importlib.util.spec_from_file_location("build_un_term_frequencies", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_builds_both_tables_from_a_small_fixture(tmp_path: Path) -> None:
    cedict = tmp_path / "cedict.txt.gz"
    with gzip.open(cedict, "wt", encoding="utf-8") as out:
        out.write(FIXTURE_CEDICT)
    for name, text in FIXTURE_STATEMENTS.items():
        (tmp_path / "ungdc" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "ungdc" / name).write_text(text, encoding="utf-8")
    unpc = tmp_path / "unpc.tsv"
    unpc.write_text(FIXTURE_UNPC, encoding="utf-8")
    ngrams, aligned = tmp_path / "out" / "ngrams.tsv.gz", tmp_path / "out" / "aligned.tsv.gz"

    script = _build_script()
    code = script.main(
        [
            *("--ungdc", str(tmp_path / "ungdc"), "--unpc", str(unpc)),
            *("--out", str(ngrams), "--aligned-out", str(aligned), "--cedict", str(cedict)),
        ]
    )

    assert code == 0
    counts = NgramCounts.load(ngrams).counts
    assert counts["regular budget"] == 2  # a composition seen twice
    assert counts["conference"] == 4 and counts["consider"] == 1 and counts["considered"] == 2
    assert counts["report"] == 3 and counts["meeting"] == 2  # statements and UNPC English
    assert "the report" not in counts  # a function word: no sense, no composition
    assert "small" not in counts  # no sense of the fixture dictionary
    assert AlignedSenses.load(aligned).counts == {
        ("会议", "meeting"): 2,
        ("审议", "consider"): 1,
        ("报告", "report"): 1,
    }
    renderer = TermRenderer(
        None,
        senses=lambda: load_senses(cedict),
        counts=lambda: NgramCounts.load(ngrams),
        aligned=lambda: AlignedSenses.load(aligned),
    )
    assert renderer.render_term("经常预算") == "regular budget"
    assert renderer.render_term("会议") == "meeting"  # translated so twice, though rarer
    assert renderer.render_term("审议") == "consider"
    # The same input gives the same bytes: the committed table can be checked by rebuilding.
    first = ngrams.read_bytes()
    assert script.main([*("--ungdc", str(tmp_path / "ungdc"), "--unpc", str(unpc)),
                        *("--out", str(ngrams), "--aligned-out", str(aligned)),
                        "--cedict", str(cedict)]) == 0  # fmt: skip
    assert ngrams.read_bytes() == first


def test_the_script_stops_with_a_message_when_the_data_is_missing(tmp_path: Path) -> None:
    script = _build_script()
    missing = tmp_path / "nowhere"
    args = ["--ungdc", str(missing), "--unpc", str(missing / "x.tsv")]
    assert script.main([*args, "--out", str(tmp_path / "n.gz")]) == 1
    assert not (tmp_path / "n.gz").exists()
