"""``assistant eval-check SET.jsonl``: validate a question set before anyone measures with it.

A conversation set (``evals/conversations.jsonl``) is recognised by its format and checked
turn by turn with the same rules, plus the rules of a conversation (``assistant.eval.convset``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import app
from assistant.config import get_settings
from assistant.eval.convset import (
    check_conversation_set,
    composition,
    is_conversation_set,
    load_conversation_set,
)
from assistant.eval.dataset import CorpusFiles, check_question_set, load_question_set, slice_counts

QuestionSet = Annotated[Path, typer.Argument(help="A question set, e.g. evals/dev.jsonl.")]
CorpusDir = Annotated[
    Path | None,
    typer.Option(
        "--corpus-dir",
        help="Raw corpus root with zh/ and en/ folders (default: the configured corpus_dir).",
    ),
]


@app.command("eval-check")
def eval_check(question_set: QuestionSet, corpus_dir: CorpusDir = None) -> None:
    """Check fields, ids and every evidence span against the raw corpus; exit 1 on any problem."""
    corpus_root = corpus_dir or get_settings().paths.corpus_dir
    conversations = is_conversation_set(question_set)
    check = check_conversation_set if conversations else check_question_set
    problems = check(question_set, corpus_root)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {question_set}", err=True)
        raise typer.Exit(code=1)
    if conversations:
        counts = composition(load_conversation_set(question_set))
        groups = "; ".join(
            f"{group}: " + ", ".join(f"{k} {v}" for k, v in sorted(values.items()))
            for group, values in counts.items()
        )
        typer.echo(f"{question_set}: no problems ({groups})")
        return
    questions = load_question_set(question_set)
    slices = slice_counts(questions, CorpusFiles.scan(corpus_root).langs)
    summary = ", ".join(f"{name} {count}" for name, count in slices.items())
    typer.echo(f"{question_set}: {len(questions)} questions, no problems ({summary})")
