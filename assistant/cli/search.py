"""``assistant search "query"``: ranked passages with document, paragraph and scores.

``--json`` prints every passage with its full text and metadata, for evaluators' scripts (as
``assistant ask --json`` does for answers).
"""

from __future__ import annotations

import json
import textwrap
from typing import Annotated

import typer

from assistant.answer.present import passage_to_dict
from assistant.answer.question_input import EmptyQuestionError, read_question
from assistant.cli import app
from assistant.cli.services import doc_ids_for, open_index
from assistant.config import get_settings
from assistant.retrieval.retriever import MODES
from assistant.schema import Passage

_SNIPPET_CHARS = 220


def _describe(rank: int, passage: Passage) -> str:
    scores = [f"score {passage.score:.3f}"]
    if passage.dense_score is not None:
        scores.append(f"cosine {passage.dense_score:.3f}")
    if passage.lexical_score is not None:
        scores.append(f"bm25 {passage.lexical_score:.2f}")
    snippet = " ".join(passage.text.split())
    if len(snippet) > _SNIPPET_CHARS:
        snippet = snippet[:_SNIPPET_CHARS] + "…"
    body = textwrap.indent(textwrap.fill(snippet, width=96), "    ")
    if passage.ocr_confidence is not None:
        scores.append(f"OCR {passage.ocr_confidence:.0%}")
    head = f"{rank:>2}. {passage.label}  [{passage.doc_id}, {passage.lang}]  {', '.join(scores)}"
    return f"{head}\n{body}"


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="A question or keywords, in Chinese or English.")],
    top_k: Annotated[
        int | None, typer.Option("-k", "--top-k", help="How many passages (default: settings).")
    ] = None,
    lang: Annotated[
        list[str] | None, typer.Option("--lang", help="Only passages in this language (zh, en).")
    ] = None,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Only this document (file name or id).")
    ] = None,
    mode: Annotated[str, typer.Option("--mode", help="hybrid, dense or lexical.")] = "hybrid",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the passages, full text and metadata, as JSON.")
    ] = False,
) -> None:
    """Search the index and print the best passages."""
    if mode not in MODES:
        raise typer.BadParameter(f"choose one of {', '.join(MODES)}", param_hint="--mode")
    from assistant.container import Container

    settings = get_settings()
    try:
        query = read_question(query, settings.answer.max_question_chars).text
    except EmptyQuestionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from exc
    with Container(settings) as container:
        open_index(container)
        if not container.documents.documents():
            typer.echo("The index is empty: run `assistant ingest` first.", err=True)
            raise typer.Exit(code=1)
        passages = container.retriever.search(
            query,
            top_k,
            langs=lang or None,
            doc_ids=doc_ids_for(container.documents, doc),
            mode=mode,  # type: ignore[arg-type]
        )
    if as_json:
        payload = {
            "query": query,
            "mode": mode,
            "passages": [passage_to_dict(rank, p) for rank, p in enumerate(passages, start=1)],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not passages:
        typer.echo("No matching passages.")
    for rank, passage in enumerate(passages, start=1):
        typer.echo(_describe(rank, passage))
