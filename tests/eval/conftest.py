"""Fixtures for the evaluation tests (the helpers themselves live in evalfakes.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.eval.dataset import EvalQuestion, HistoryTurn
from assistant.eval.metrics import QuestionOutcome
from tests.eval.evalfakes import EN_EVIDENCE, make_question, write_run


@pytest.fixture
def questions() -> list[EvalQuestion]:
    """Four questions: zh→zh, en→zh, en→en (a follow-up), and an unanswerable one."""
    return [
        make_question("zh-1"),
        make_question(
            "en-1",
            "en",
            answer="On 19 April 2018, at the 330th meeting.",
            must_include=("19 April 2018", "330"),
            tags=("factual", "cross-lingual"),
        ),
        make_question(
            "en-2",
            "en",
            question="How much did they pledge?",
            doc=("USA_73_2018.txt",),
            evidence=(EN_EVIDENCE,),
            answer="12 million dollars.",
            must_include=("12 million",),
            history=(HistoryTurn("What does the US say about the 2030 Agenda?", "It does."),),
            tags=("followup", "number"),
        ),
        make_question(
            "un-1",
            "en",
            question="What is the capital of Mars?",
            answerable=False,
            doc=(),
            evidence=(),
            answer="",
            must_include=(),
            tags=("unanswerable",),
        ),
    ]


@pytest.fixture
def run_factory(tmp_path: Path) -> Callable[..., Path]:
    def factory(name: str, outcomes: list[QuestionOutcome], **kwargs: Any) -> Path:
        return write_run(tmp_path / name, outcomes, **kwargs)

    return factory
