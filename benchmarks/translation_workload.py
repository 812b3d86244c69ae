"""The model's streamed work in answering, as requests a benchmark can replay on any engine.

The answering pipeline asks the model for two things: one grammar-constrained token to choose
the evidence (prompt processing only: drafting cannot help it), and, when the chosen sentence is
in the other language, its translation — the only text the model writes token by token, and so
the only place speculative decoding can save the user time. This module builds those
translation requests exactly as ``Composer`` does (same prompts, glossary and term renderings,
figures of the question, token budget, CJK ban for English), for the cross-lingual questions
of the development set, with the full corpus sentence that holds each question's evidence as
the "chosen" sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.answer.candidates import Candidate
from assistant.answer.compose import Composer
from assistant.answer.prompts import PromptLibrary
from assistant.config import Settings
from assistant.eval.dataset import CorpusFiles, doc_language, load_question_set
from assistant.models.backends.base import ChatMessage, GenerationParams
from assistant.schema import Passage
from assistant.text.glossary import Glossary
from assistant.text.question import analyse_question
from assistant.text.term_rendering import TermRenderer
from benchmarks.common import DEV_SET

_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+")


@dataclass(frozen=True)
class ModelRequest:
    """One streamed request of the pipeline: what it sends and with which parameters."""

    label: str  # question id and direction, e.g. "en-zh-01 zh→en"
    messages: tuple[ChatMessage, ...]
    params: GenerationParams


class _Recorder:
    """A chat model that records what the composer asks and writes nothing."""

    name = "recorder"
    fingerprint = "recorder"
    context_window = 4096

    def __init__(self) -> None:
        self.requests: list[tuple[list[ChatMessage], GenerationParams]] = []

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        self.requests.append((list(messages), params))
        return iter(())

    def count_tokens(self, text: str) -> int:
        return len(text)


def sentence_holding(text: str, span: str) -> str | None:
    """The corpus sentence that contains ``span`` (whitespace-insensitive), or None."""
    flat = " ".join(text.split())
    for sentence in _SENTENCE_END.split(flat):
        if span.replace(" ", "") in sentence.replace(" ", ""):
            return sentence.strip()
    return None


def translation_requests(settings: Settings, limit: int | None = None) -> list[ModelRequest]:
    """The translation request for each answerable cross-lingual development question."""
    corpus = CorpusFiles.scan(settings.paths.corpus_dir)
    glossary = Glossary.load(settings.paths.glossary_file)
    recorder = _Recorder()
    composer = Composer(
        recorder,  # type: ignore[arg-type]
        PromptLibrary(settings.paths.prompts_dir),
        glossary,
        settings.llm.seed,
        TermRenderer(glossary),
    )
    out: list[ModelRequest] = []
    for question in load_question_set(DEV_SET):
        docs = doc_language(question, corpus.langs)
        if not question.answerable or docs not in ("zh", "en") or docs == question.lang:
            continue
        if not question.evidence or question.doc[0] not in corpus.paths:
            continue
        sentence = sentence_holding(corpus.text(question.doc[0]), question.evidence[0])
        if sentence is None:
            continue
        before = len(recorder.requests)
        candidate = _candidate(sentence, question.doc[0], docs)
        for _ in composer.stream([candidate], analyse_question(question.question), question.lang):
            pass
        for messages, params in recorder.requests[before:]:
            label = f"{question.id} {docs}→{question.lang}"
            out.append(ModelRequest(label, tuple(messages), params))
        if limit is not None and len(out) >= limit:
            break
    return out


def _candidate(sentence: str, doc: str, lang: str) -> Candidate:
    passage = Passage(
        chunk_id=f"{doc}#bench", doc_id=doc, source=doc, title=doc, text=sentence,
        lang=lang, score=1.0,
    )  # fmt: skip
    return Candidate(
        sentence=sentence, shown=sentence, passage=passage, rank=0, match=1.0, cosine=1.0,
        score=1.0,
    )  # fmt: skip


def interleave(requests: Sequence[ModelRequest]) -> list[ModelRequest]:
    """Requests alternating between directions (zh→en, en→zh), so that the first ``n`` of
    them hold both."""
    groups: dict[str, list[ModelRequest]] = {}
    for request in requests:
        groups.setdefault(request.label.split()[-1], []).append(request)
    ordered: list[ModelRequest] = []
    lists = list(groups.values())
    for i in range(max((len(g) for g in lists), default=0)):
        ordered.extend(g[i] for g in lists if i < len(g))
    return ordered
