"""A chosen sentence translated into the answer's language by the model, in that language only.

The model is told the sentence's figures as they are written in the target language (rendered by
the deterministic parsers), the glossary's official names of its terms and, for a Chinese
sentence, English renderings of its other terms in the senses UN translators use
(``assistant.text.term_rendering``: 会议 = meeting, 经常预算 = regular budget), so it does not
render 330 as another number or a term word by word. An English translation is kept free of
CJK characters at decoding (the engine bans the tokens that write them): asking the model to
write English is not enough for a 1.5B model over a Chinese sentence.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.answer.prompts import Prompt, PromptLibrary
from assistant.models.backends.base import ChatMessage, ChatModel, GenerationParams
from assistant.text.cjk import has_han
from assistant.text.glossary import Glossary
from assistant.text.term_rendering import TermRenderer

TRANSLATE_PROMPTS = ("translate_system", "translate", "translate_terms")
_MAX_TERMS = 8


def sentence_terms(
    sentence: str,
    glossary: Glossary | None,
    renderings: Sequence[tuple[str, str]],
    renderer: TermRenderer | None = None,
) -> list[tuple[str, str]]:
    """(term in the sentence, its rendering): the figures first, then glossary names, longest
    first (official names the model would otherwise translate word by word), then, for a
    Chinese sentence, the renderer's renderings of its other content terms, longest first (a
    term inside one already listed, 会议 in 第330次会议, is not listed again)."""
    terms = dict(renderings)
    if glossary is not None:
        found = [(t, r) for t, r in glossary.matches(sentence) if t in sentence]
        for term, rendering in sorted(found, key=lambda pair: -len(pair[0])):
            terms.setdefault(term, rendering)
    if renderer is not None and has_han(sentence) and len(terms) < _MAX_TERMS:
        for term, rendering in renderer.sentence_renderings(sentence, _MAX_TERMS):
            if len(terms) >= _MAX_TERMS:
                break
            if not any(term in listed or listed in term for listed in terms):
                terms[term] = rendering
    return list(terms.items())[:_MAX_TERMS]


def translation_messages(
    sentence: str, target: str, terms: Sequence[tuple[str, str]], prompts: PromptLibrary
) -> tuple[list[ChatMessage], list[Prompt]]:
    system, user, terms_prompt = (prompts.get(name, target) for name in TRANSLATE_PROMPTS)
    listed = "; ".join(f"{term} = {rendering}" for term, rendering in terms)
    terms_text = terms_prompt.render(terms=listed) + "\n\n" if terms else ""
    messages = [
        ChatMessage("system", system.text),
        ChatMessage("user", user.render(terms=terms_text, sentence=" ".join(sentence.split()))),
    ]
    return messages, [system, user, terms_prompt]


def stream_translation(
    messages: list[ChatMessage], target: str, model: ChatModel, max_tokens: int, seed: int
) -> Iterator[str]:
    """The translation's text as the model writes it (one line)."""
    params = GenerationParams(
        max_tokens=max_tokens,
        temperature=0.0,
        seed=seed,
        stop=["\n"],
        ban_cjk=target == "en",
    )
    yield from model.stream(messages, params)
