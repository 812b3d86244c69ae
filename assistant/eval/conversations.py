"""Run a conversation set turn by turn, as the app would, and compare each turn asked alone.

Each conversation is asked in order, every turn with the history the app keeps: a
:class:`~assistant.chat.session.ChatSession` records each answer and hands back
``ChatSession.history(settings.answer.history_turns)`` (the question, the answer's text, its
cited chunks and its standalone reading), so the measurement follows whatever the app sends.

Each turn is scored like a question-set item, and counts as *right* when it is answered with
every key fact and cites one of its own documents (or, unanswerable, is declined). Then every
follow-up's ``standalone`` form and every unrelated turn are asked again alone, without
history: a follow-up that fails in the conversation but passes alone was not understood as a
follow-up; an unrelated turn that passes alone but fails after other turns was pulled off
course by the history (and when it cites the previous turn's documents, the topics were mixed).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.answer.types import Turn
from assistant.chat.session import ChatSession
from assistant.config import Settings
from assistant.eval.convset import Conversation, load_conversation_set, turn_question
from assistant.eval.dataset import CorpusFiles, doc_language
from assistant.eval.metrics import QuestionOutcome
from assistant.eval.provenance import git_state, sha256_file
from assistant.eval.rundir import RESULTS_FILE
from assistant.eval.runner import RunResult, ask_and_record, warn_if_not_reproducible
from assistant.eval.split import load_split, split_path
from assistant.eval.summary import open_run, write_summary
from assistant.eval.turns import conversation_section

logger = logging.getLogger(__name__)

HISTORY_SNIPPET = 200


def turn_right(record: dict[str, Any]) -> bool:
    """A turn is right when an answerable one is answered with every key fact and cites one
    of its documents, and an unanswerable one is declined."""
    if record.get("error"):
        return False
    if not record["answerable"]:
        return bool(record.get("refused"))
    return bool(record.get("passed")) and bool(
        set(record.get("cited_docs", [])) & set(record["doc"])
    )


def mixed_topics(record: dict[str, Any], previous_docs: Sequence[str]) -> bool:
    """Whether an answer cites a document of the previous turn that is not one of its own."""
    own = set(record["doc"])
    return bool((set(record.get("cited_docs", [])) & set(previous_docs)) - own)


def _history_record(history: Sequence[Turn]) -> list[dict[str, Any]]:
    return [
        {
            "question": turn.question,
            "answer": turn.answer[:HISTORY_SNIPPET],
            "cited_chunk_ids": list(turn.cited_chunk_ids),
            "standalone": turn.standalone,
        }
        for turn in history
    ]


def _alone_record(record: dict[str, Any]) -> dict[str, Any]:
    """What the summary needs of a turn asked alone (the full record would repeat passages)."""
    keep = ("question", "answer", "refused", "refusal_reason", "cited_docs", "timings")
    return {
        **{name: record.get(name) for name in keep},
        "outcome": record["outcome"],
        "stage": record["stage"],
        "passed": record["passed"],
        "error": record["error"],
    }


def run_conversation(
    conversation: Conversation,
    target: Any,
    doc_langs: dict[str, str],
    history_turns: int,
    *,
    ask_alone: bool = True,
) -> list[dict[str, Any]]:
    """Every turn's record: asked with the app's history, and (for follow-ups and unrelated
    turns) asked alone. A turn that fails with an error is left out of the history, as the app
    leaves out a turn that has no answer."""
    session = ChatSession()
    records: list[dict[str, Any]] = []
    for index, turn in enumerate(conversation.turns):
        question = turn_question(conversation, index, doc_langs)
        doc_lang = doc_language(question, doc_langs)
        history = session.history(history_turns)
        record, answer = ask_and_record(question, target, doc_lang, history=history)
        if answer is not None:
            session.add(turn.question, answer)
        outcome = QuestionOutcome.from_dict(record["outcome"])
        outcome.followup = turn.kind == "followup"
        record["outcome"] = outcome.to_dict()
        record.update(
            {
                "conversation": conversation.id,
                "turn": index + 1,
                "kind": turn.kind,
                "conversation_lang": conversation.lang,
                "sent_history": _history_record(history),
                "right": turn_right(record),
            }
        )
        previous_docs = conversation.turns[index - 1].doc if index else ()
        if turn.kind == "unrelated":
            record["mixed_topics"] = mixed_topics(record, previous_docs)
        if ask_alone and turn.kind in ("followup", "unrelated"):
            alone_question = turn_question(conversation, index, doc_langs, alone=True)
            alone, _answer = ask_and_record(alone_question, target, doc_lang, history=[])
            alone_part = _alone_record(alone)
            alone_part["right"] = turn_right(alone)
            if turn.kind == "unrelated":
                alone_part["mixed_topics"] = mixed_topics(alone, previous_docs)
            record["alone"] = alone_part
        records.append(record)
    return records


def _select(
    conversations: list[Conversation], path: Path, split: str | None, limit: int | None
) -> list[Conversation]:
    if split is not None:
        halves = load_split(split_path(path), conversations)  # type: ignore[arg-type]
        wanted = halves.ids(split)
        conversations = [c for c in conversations if c.id in wanted]
    return conversations[:limit] if limit is not None else conversations


def run_conversations(
    conversation_set: str | Path,
    assistant: Any,
    settings: Settings,
    out_dir: Path | None = None,
    *,
    label: str = "",
    limit: int | None = None,
    split: str | None = None,
    ask_alone: bool = True,
    progress: bool = True,
) -> RunResult:
    """Run a conversation set and write ``<out_dir>/<timestamp>_<label>/`` like a question-set
    run (one record per turn), with a ``conversation`` section in the summary.

    ``split`` keeps one half as fixed in ``<set>_split.json`` (by conversation id); ``limit``
    then keeps the first N conversations.
    """
    if not hasattr(assistant, "ask"):
        raise TypeError("a conversation set needs an AnswerPipeline (an object with .ask)")
    path = Path(conversation_set)
    code = git_state()
    conversations = load_conversation_set(path)
    n_total = len(conversations)
    conversations = _select(conversations, path, split, limit)
    doc_langs = CorpusFiles.scan(settings.paths.corpus_dir).langs
    warn_if_not_reproducible(settings)
    label = label or ("conversations-" + split if split else "conversations")
    run_dir, started = open_run(settings, out_dir, label)
    history_turns = settings.answer.history_turns

    clock = time.perf_counter()
    records: list[dict[str, Any]] = []
    with (run_dir / RESULTS_FILE).open("w", encoding="utf-8") as out:
        for conversation in tqdm(
            conversations, desc="eval conversations", unit="conv", disable=not progress
        ):
            for record in run_conversation(
                conversation, assistant, doc_langs, history_turns, ask_alone=ask_alone
            ):
                records.append(record)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
    wall = time.perf_counter() - clock
    set_stamp = {
        "path": str(path),
        "sha256": sha256_file(path),
        "format": "conversations",
        "n_conversations": n_total,
        "n_questions": sum(len(c.turns) for c in load_conversation_set(path)),
        "split": split,
        "limit": limit,
        "only": [],
        "n_run": len(records),
        "n_conversations_run": len(conversations),
    }
    section = conversation_section(records, history_turns=history_turns, ask_alone=ask_alone)
    summary = write_summary(
        run_dir,
        records,
        label=label,
        mode="conversations",
        started=started,
        wall=wall,
        set_stamp=set_stamp,
        code=code,
        target=assistant,
        settings=settings,
        extra={"conversation": section},
    )
    logger.info("evaluated %d conversations in %.1f s -> %s", len(conversations), wall, run_dir)
    return RunResult(run_dir=run_dir, summary=summary, records=records)
