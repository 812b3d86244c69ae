"""Regular English forms of dictionary base forms, as UN text writes them."""

from __future__ import annotations

import pytest

from assistant.text.inflect import (
    adjective_of_adverb,
    british_spellings,
    participles,
    phrase_forms,
    plural,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [("treaty", "treaties"), ("witness", "witnesses"), ("report", "reports"), ("woman", "women")],
)
def test_plural(word: str, expected: str) -> None:
    assert plural(word) == expected


def test_participles_include_doubled_and_british_spellings() -> None:
    assert participles("strengthen")[:2] == ["strengthening", "strengthened"]
    assert {"planning", "planned"} <= set(participles("plan"))
    assert {"travelling", "travelled"} <= set(participles("travel"))
    assert participles("implement")[:2] == ["implementing", "implemented"]


def test_british_spellings_are_candidates_the_counts_choose_between() -> None:
    assert british_spellings("program") == ["program", "programme"]
    assert "labour" in british_spellings("labor")
    assert "centre" in british_spellings("center")
    assert "defence" in british_spellings("defense")


@pytest.mark.parametrize(
    ("adverb", "adjective"),
    [("regularly", "regular"), ("temporarily", "temporary"), ("daily", None)],
)
def test_an_adverb_modifying_a_noun_is_its_adjective(adverb: str, adjective: str | None) -> None:
    assert adjective_of_adverb(adverb) == adjective


def test_a_verb_phrase_inflects_its_verb_and_a_noun_phrase_its_head() -> None:
    assert "carrying out" in phrase_forms("carry out", verb=True)
    assert "armed forces" in phrase_forms("armed force", verb=False)
    assert phrase_forms("budget", verb=False)[0] == "budget"
