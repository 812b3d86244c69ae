"""Regular English word forms, to meet a dictionary's base forms in running text.

CC-CEDICT writes its senses in base forms and American spelling ("to strengthen", "budget",
"regularly", "program"), while UN text says "strengthening", "budgets", before a noun "regular",
and spells the British way ("programme", "labour", "centre", "defence"). The forms made here are
only candidates: a caller keeps those that English UN text actually has (``un_ngrams``), so a
form that is no word ("budgetting", "watre") costs nothing.
"""

from __future__ import annotations

VOWELS = frozenset("aeiou")
_SIBILANT = ("s", "x", "z", "ch", "sh")
# Plurals no ending rule makes; UN text speaks of women, people and children often.
_IRREGULAR_PLURALS = {"woman": "women", "man": "men", "child": "children", "person": "people"}


def plural(word: str) -> str:
    """The regular plural (also a verb's third person): treaties, witnesses, reports."""
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if word.endswith("y") and len(word) > 1 and word[-2] not in VOWELS:
        return word[:-1] + "ies"
    if word.endswith(_SIBILANT):
        return word + "es"
    return word + "s"


def doubled(word: str) -> str | None:
    """The word with its last consonant doubled before -ed/-ing (planned, committing), when it
    ends consonant-vowel-consonant; the counts decide whether that form exists."""
    if (
        len(word) >= 3
        and word[-1] not in VOWELS | {"w", "x", "y"}
        and word[-2] in VOWELS
        and word[-3] not in VOWELS
    ):
        return word + word[-1]
    return None


def participles(word: str) -> list[str]:
    """The -ing and -ed forms a verb may take (strengthening, strengthened; planning,
    planned), the doubled-consonant spellings included as candidates."""
    if word.endswith("ie"):
        return [word[:-2] + "ying", word + "d"]
    if word.endswith("e") and not word.endswith("ee"):
        return [word[:-1] + "ing", word + "d"]
    if word.endswith("y") and len(word) > 1 and word[-2] not in VOWELS:
        return [word + "ing", word[:-1] + "ied"]
    forms = [word + "ing", word + "ed"]
    if (doubled_form := doubled(word)) is not None:
        forms += [doubled_form + "ing", doubled_form + "ed"]
    elif word.endswith("l") and len(word) > 2 and word[-2] in VOWELS:
        forms += [word + "ling", word + "led"]  # British travelling, labelled
    return forms


def british_spellings(word: str) -> list[str]:
    """The word and its British spellings, which the UN uses (program → programme, labor →
    labour, center → centre, defense → defence, dialog → dialogue, analyze → analyse)."""
    forms = [word]
    rules = (
        ("gram", "gramme"),
        ("grams", "grammes"),
        ("or", "our"),
        ("ors", "ours"),
        ("ter", "tre"),
        ("ters", "tres"),
        ("ber", "bre"),
        ("bers", "bres"),
        ("ense", "ence"),
        ("enses", "ences"),
        ("og", "ogue"),
        ("ogs", "ogues"),
        ("yze", "yse"),
        ("yzed", "ysed"),
        ("yzing", "ysing"),
    )
    for ending, british in rules:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            forms.append(word[: -len(ending)] + british)
    return forms


def spellings(phrase: str) -> list[str]:
    """The phrase with each of its words in either spelling, the phrase as given first."""
    options = [british_spellings(word) for word in phrase.split()]
    combined = [""]
    for words in options:
        combined = [f"{head} {word}".strip() for head in combined for word in words]
    return combined


def adjective_of_adverb(word: str) -> str | None:
    """The adjective an -ly adverb is made from (regularly → regular, daily → None): a Chinese
    adverb before a noun (经常预算) is an English adjective ("regular budget")."""
    if not word.endswith("ly") or len(word) < 6:
        return None
    if word.endswith("ily"):
        return word[:-3] + "y"  # temporarily → temporary
    return word[:-2]


def phrase_forms(phrase: str, verb: bool) -> list[str]:
    """A sense phrase and its regular forms in running text, in either spelling, the phrase
    itself first: a verb phrase inflects its first word ("strengthening cooperation" from
    "strengthen"), any other its last ("budgets"); an adverb also stands as its adjective
    ("regularly" → "regular")."""
    words = phrase.split()
    forms = [phrase]
    if verb:
        forms += [" ".join([form, *words[1:]]) for form in [*participles(words[0])]]
    else:
        forms.append(" ".join([*words[:-1], plural(words[-1])]))
    if len(words) == 1 and (adjective := adjective_of_adverb(words[0])) is not None:
        forms.append(adjective)
    return list(dict.fromkeys(spelled for form in forms for spelled in spellings(form)))
