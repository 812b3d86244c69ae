"""An older version of the answering pipeline, run beside the current one in the same benchmark.

A speed-up claimed against figures from another day means little on a shared 2-core machine,
whose load drifts by a factor of two; the same questions answered by both versions in one run,
minutes apart, compare far better. ``bench_answer --baseline REF``:

1. checks REF out into a detached git worktree under the benchmark's work folder;
2. builds that version's own index of the same corpus with that version's own ingest (an index
   folder per commit, reused by later runs), so its retrieval is the one it shipped with;
3. runs ``baseline_runner.py`` in a child process with ``PYTHONPATH=<worktree>``, the same
   interpreter and virtual environment, the same model, and the same questions and histories;
4. removes the worktree (``git worktree remove --force``), also after a failure.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_ROOT
from assistant.eval.dataset import EvalQuestion
from benchmarks.common import BENCH_DIR

logger = logging.getLogger(__name__)

RUNNER = BENCH_DIR / "baseline_runner.py"


def _git(*args: str, repo: Path = PROJECT_ROOT) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def resolve_commit(ref: str, repo: Path = PROJECT_ROOT) -> str:
    """The full commit id ``ref`` names (a branch would move between runs; the id does not)."""
    try:
        return _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", repo=repo)
    except RuntimeError:
        raise ValueError(f"{ref!r} names no commit of {repo}") from None


def baseline_dir(work_dir: Path) -> Path:
    return work_dir / "baseline"


@contextmanager
def worktree(commit: str, work_dir: Path, repo: Path = PROJECT_ROOT) -> Iterator[Path]:
    """``commit`` checked out, detached, in a worktree under ``work_dir``; removed afterwards.

    A worktree shares the repository's objects, so checking out is quick and leaves the
    working tree others edit untouched. One left behind by an interrupted run is removed first.
    """
    path = baseline_dir(work_dir) / f"worktree-{commit[:12]}"
    _remove_worktree(path, repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    _git("worktree", "add", "--detach", str(path), commit, repo=repo)
    try:
        yield path
    finally:
        _remove_worktree(path, repo)


def _remove_worktree(path: Path, repo: Path) -> None:
    if path.exists():
        try:
            _git("worktree", "remove", "--force", str(path), repo=repo)
        except RuntimeError as exc:  # not registered (any more): a plain folder
            logger.warning("%s; deleting the folder", exc)
            shutil.rmtree(path, ignore_errors=True)
    _git("worktree", "prune", repo=repo)


def index_dir(work_dir: Path, commit: str, quick: bool) -> Path:
    """The baseline's own index of the benchmark corpus: one per commit, kept between runs."""
    return baseline_dir(work_dir) / commit[:12] / ("index-quick" if quick else "index")


def _stamp(index: Path) -> Path:
    return index.with_name(index.name + ".json")


def runner_questions(questions: Sequence[EvalQuestion]) -> dict[str, Any]:
    """What the runner asks: each question with the history the evaluation sends with it."""
    return {
        "questions": [
            {
                "id": q.id,
                "question": q.question,
                "history": [{"question": t.question, "answer": t.answer} for t in q.history],
            }
            for q in questions
        ]
    }


@dataclass(frozen=True)
class BaselineRun:
    """How to run one older version: its checkout, its index, what it answers from."""

    ref: str
    commit: str
    worktree: Path
    index: Path
    corpus_paths: tuple[Path, ...]
    log_dir: Path

    def command(
        self,
        model: str,
        questions_file: Path,
        out: Path,
        answer_overrides: dict[str, Any],
        warm_up_query: str,
    ) -> list[str]:
        """The child's command line; it ingests first when the index is not complete."""
        command = [
            sys.executable,
            "-P",  # this folder is not on sys.path: the worktree's code is what is imported
            str(RUNNER),
            "--questions",
            str(questions_file),
            "--out",
            str(out),
            "--model",
            model,
            "--index-dir",
            str(self.index),
            "--answer-overrides",
            json.dumps(answer_overrides),
            "--warm-up-query",
            warm_up_query,
        ]
        if not _stamp(self.index).is_file():
            for path in self.corpus_paths:
                command += ["--ingest", str(path)]
        return command

    def environment(self) -> dict[str, str]:
        """The parent's environment with the worktree first on ``PYTHONPATH`` (ahead of the
        editable install of the current checkout, which the import system tries last)."""
        inherited = os.environ.get("PYTHONPATH")
        path = str(self.worktree) if not inherited else f"{self.worktree}{os.pathsep}{inherited}"
        return {**os.environ, "PYTHONPATH": path, "TQDM_DISABLE": "1"}

    def answer(
        self,
        model: str,
        questions: Sequence[EvalQuestion],
        answer_overrides: dict[str, Any],
        warm_up_query: str,
    ) -> dict[str, Any]:
        """The older version's records for ``questions`` on ``model`` (see baseline_runner)."""
        building = not _stamp(self.index).is_file()
        if building:
            shutil.rmtree(self.index, ignore_errors=True)  # a half-built one from a failed run
        self.log_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{self.commit[:12]}-{model}-{time.time_ns()}"
        questions_file = self.log_dir / f"{stem}-questions.json"
        questions_file.write_text(
            json.dumps(runner_questions(questions), ensure_ascii=False), encoding="utf-8"
        )
        out = self.log_dir / f"{stem}.json"
        log = self.log_dir / f"{stem}.log"
        command = self.command(model, questions_file, out, answer_overrides, warm_up_query)
        logger.info("baseline %s (%s), %s model: log in %s", self.ref, self.commit[:12], model, log)
        started = time.perf_counter()
        with log.open("w", encoding="utf-8") as log_file:
            done = subprocess.run(
                command,
                cwd=self.worktree,
                env=self.environment(),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                check=False,
            )
        wall = time.perf_counter() - started
        if done.returncode != 0 or not out.is_file():
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"the baseline run failed ({done.returncode}):\n{tail}")
        result = json.loads(out.read_text(encoding="utf-8"))
        if building:
            _stamp(self.index).write_text(
                json.dumps({"commit": self.commit, "ingest": result.get("ingest")}, indent=2),
                encoding="utf-8",
            )
        expected = (self.worktree / "assistant").resolve()
        if Path(result["assistant_package"]).resolve() != expected:
            raise RuntimeError(
                f"the baseline imported {result['assistant_package']}, not {expected}"
            )
        result["process_wall_s"] = wall
        result["log"] = str(log)
        return result
