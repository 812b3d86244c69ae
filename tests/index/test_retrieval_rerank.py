"""Sentence-level similarity, document-title matching and glossary matching, both languages."""

from __future__ import annotations

import numpy as np

from assistant.index.glossary import Glossary
from assistant.index.rerank import SentenceScorer, passage_sentences
from assistant.index.titles import TitleScorer
from assistant.text.tokenize import lexical_tokens

VOCAB = ["meeting", "会议", "budget", "预算", "schools", "学校"]


class WordEmbedder:
    """One dimension per concept: a text's vector marks the concepts it names."""

    name, dimension = "words", 3

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for i, word in enumerate(VOCAB):
                if word in text:
                    out[row, i // 2] = 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def test_passage_sentences_split_both_languages_and_drop_fragments():
    assert passage_sentences("一. 引言\n委员会举行了会议。审议了预算。") == [
        "委员会举行了会议。",
        "审议了预算。",
    ]
    assert passage_sentences("The schools closed. The budget fell.") == [
        "The schools closed.",
        "The budget fell.",
    ]
    assert passage_sentences("(a)") == ["(a)"]


def test_best_sentence_decides_and_vectors_are_embedded_once():
    embedder = WordEmbedder()
    scorer = SentenceScorer(embedder)
    texts = {
        "zh": "委员会讨论了很多事情。它在会议上审议了预算。",  # one sentence names both
        "en": "The meeting was long. The budget was approved.",  # each sentence names one
    }
    query = embedder.embed(["meeting budget"])[0]
    scores = scorer.scores(query, texts)
    assert scores["zh"] > scores["en"] > 0.5
    calls = embedder.calls
    scorer.scores(query, texts)
    assert embedder.calls == calls  # cached per chunk


def test_title_scores_weigh_rare_title_words_and_refresh_with_the_corpus():
    titles = {
        "en/BFA.txt": "General Debate statement: Burkina Faso, 73rd session (2018)",
        "en/CHN.txt": "General Debate statement: China, 73rd session (2018)",
        "zh/003.txt": "2010年11月2日安全理事会主席的信",
    }
    scorer = TitleScorer(lexical_tokens)
    scorer.update("v1", lambda: titles)
    scores = scorer.scores(lexical_tokens("What did Burkina Faso say in its statement?"), titles)
    assert scores["en/BFA.txt"] > scores["en/CHN.txt"] > 0  # "statement" is in both
    assert scorer.scores(["2010"], titles)["zh/003.txt"] > 0
    scorer.update("v2", lambda: {})
    assert scorer.scores(["2010"], ["zh/003.txt"]) == {"zh/003.txt": 0.0}


def test_glossary_prefers_the_longest_match_in_either_language():
    glossary = Glossary(
        [
            ("India", "印度"),
            ("Indonesia", "印度尼西亚"),
            ("Guinea", "几内亚"),
            ("Papua New Guinea", "巴布亚新几内亚"),
        ]
    )
    assert glossary.matches("印度尼西亚和印度") == [("印度尼西亚", "Indonesia")]
    assert glossary.matches("Papua New Guinea and India") == [
        ("India", "印度"),
        ("Papua New Guinea", "巴布亚新几内亚"),
    ]
