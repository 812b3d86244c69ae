"""Faults: ingestion killed mid-way, a read-only or full index disk, the model server dying
mid-answer. Each must end in a clear error and an index that is intact or repaired.

The CLI runs in real subprocesses (a SIGKILL and a read-only mount only mean something to a
process of its own); every wait has a deadline and every server is loopback-only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer.pipeline import AnswerPipeline
from assistant.answer.prompts import PromptLibrary
from assistant.config import PROJECT_ROOT, Settings
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document_loading import load_document
from assistant.models.backends.base import BackendError
from assistant.models.backends.openai_backend import OpenAIChatModel
from tests.robustness.support import (
    ENGINE_KEY,
    SMALL_MODEL,
    VENV_BIN,
    copy_corpus,
    start_llama_server,
)

pytestmark = pytest.mark.slow

UNGDC = PROJECT_ROOT.parent / "shared" / "data" / "ungdc" / "session_70"  # shared/ beside the repo
KILL_CORPUS_FILES = 60
CLI_TIMEOUT = 600


def cli_env(index_dir: Path, corpus_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "ASSISTANT_PROFILE": "default",  # the CLI reads the settings below from the env
            "ASSISTANT_CONFIG": str(index_dir.parent / "no-such-config.yaml"),
            "ASSISTANT_PATHS__INDEX_DIR": str(index_dir),
            "ASSISTANT_PATHS__CORPUS_DIR": str(corpus_dir),
            # The term bridge embeds the whole vocabulary: minutes on a shared 2-core machine,
            # and not what these tests are about.
            "ASSISTANT_RETRIEVAL__TERM_TRANSLATION": "false",
        }
    )
    return env


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "assistant"), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
    )


def settings_for(index_dir: Path, corpus_dir: Path) -> Settings:
    settings = Settings()
    settings.paths.index_dir = index_dir
    settings.paths.corpus_dir = corpus_dir
    settings.retrieval.term_translation = False
    return settings


def expected_chunks(corpus_dir: Path, settings: Settings) -> dict[str, set[str]]:
    """Chunk ids per document as a clean ingest writes them (ids hash doc id and text)."""
    found = {}
    for path in sorted(corpus_dir.rglob("*.txt")):
        doc = load_document(path, corpus_dir)
        found[doc.doc_id] = {c.chunk_id for c in chunk_document(doc, settings.chunking)}
    return found


def catalog_documents(index_dir: Path) -> list[tuple[str, int, str]]:
    """The catalog's documents, read without opening the index (no writes, no Chroma)."""
    uri = f"file:{index_dir / 'catalog.sqlite'}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1)) as db:
            rows = db.execute(
                "SELECT doc_id, chunk_count, content_hash FROM documents ORDER BY doc_id"
            ).fetchall()
    except sqlite3.Error:
        return []
    return [tuple(row) for row in rows]


def assert_clear_failure(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.stderr.strip().splitlines()[-1].startswith("error: "), result.stderr[-2000:]


# -- (a) ingestion killed with SIGKILL ----------------------------------------------------------


def test_ingest_killed_midway_recovers(tmp_path, use_embedder) -> None:
    from assistant.index.factory import open_index
    from assistant.retrieval.factory import build_retriever

    if not UNGDC.is_dir():
        pytest.skip(f"{UNGDC} is not on this machine")
    corpus = tmp_path / "corpus"
    (corpus / "ungdc").mkdir(parents=True)
    for path in sorted(UNGDC.glob("*.txt"))[:KILL_CORPUS_FILES]:
        shutil.copyfile(path, corpus / "ungdc" / path.name)
    index_dir = tmp_path / "index"
    env = cli_env(index_dir, corpus)

    proc = subprocess.Popen(
        [str(VENV_BIN / "assistant"), "ingest"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + CLI_TIMEOUT
    written = 0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            written = len(catalog_documents(index_dir))
            if written >= 3:  # the writing phase has begun: Chroma and catalog half-filled
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None and written < 3:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "ingest finished before it could be killed"
    assert 3 <= len(catalog_documents(index_dir)) < KILL_CORPUS_FILES

    found = run_cli(["index", "check"], env, tmp_path)
    assert "Traceback" not in found.stderr, found.stderr[-3000:]
    assert "catalog chunks:" in found.stdout
    assert found.returncode == 1 and "index needs repair" in found.stdout  # BM25 never rebuilt

    again = run_cli(["ingest"], env, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    clean = run_cli(["index", "check"], env, tmp_path)
    assert clean.returncode == 0 and "index is consistent" in clean.stdout, clean.stdout

    settings = settings_for(index_dir, corpus)
    expected = expected_chunks(corpus, settings)
    index = open_index(settings, use_embedder)
    try:
        assert {d.doc_id for d in index.documents()} == set(expected)
        for doc_id, chunk_ids in expected.items():
            assert index.catalog.chunk_ids(doc_id) == chunk_ids, doc_id
        every = set().union(*expected.values())
        assert index.vectors.ids() == every == index.lexical.ids()
        assert index.check().ok
        hits = build_retriever(settings, index).search("climate change", 3, mode="dense")
        assert hits and all(h.doc_id in expected for h in hits)
    finally:
        index.close()


def test_death_between_catalog_and_bm25_is_repaired_by_the_next_ingest(
    tmp_path, use_embedder, monkeypatch
) -> None:
    """The narrowest window: every document committed, BM25 not yet rebuilt. The next ingest
    finds nothing new to write, and must still bring BM25 and the manifest up to date."""
    from assistant.index.factory import open_index
    from assistant.index.lexical import LexicalIndex
    from assistant.ingest.pipeline import ingest_paths

    corpus = copy_corpus(tmp_path / "corpus", ("en/AFG_73_2018.txt",))
    settings = settings_for(tmp_path / "index", corpus)
    index = open_index(settings, use_embedder)

    def die(self, entries):
        raise SystemExit("killed")

    monkeypatch.setattr(LexicalIndex, "build", die)
    with pytest.raises(SystemExit):
        ingest_paths([corpus], index, settings)
    index.close()
    monkeypatch.undo()

    reopened = open_index(settings, use_embedder)
    try:
        found = reopened.check()
        assert not found.ok and found.missing_lexical and found.fingerprint_stale
        report = ingest_paths([corpus], reopened, settings)
        assert report.unchanged == ["en/AFG_73_2018.txt"] and not report.added
        assert reopened.check().ok
    finally:
        reopened.close()


# -- (b) read-only and full index disks ----------------------------------------------------------


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        pytest.skip(f"cannot mount ({' '.join(args)}): {result.stderr.strip()} (needs root)")


def _umount(target: Path) -> None:
    """Unmount, lazily if something still holds a file there: a mount must never outlive a test."""
    if subprocess.run(["umount", str(target)], capture_output=True, timeout=30).returncode:
        subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def golden_index(tmp_path_factory) -> tuple[Path, Path]:
    """A one-document index built by ``assistant ingest`` in a process that has exited."""
    root = tmp_path_factory.mktemp("golden")
    corpus = copy_corpus(root / "corpus", ("zh/000_b645ea8b0039a4ff.txt",))
    result = run_cli(["ingest"], cli_env(root / "index", corpus), root)
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "index", corpus


@pytest.fixture
def new_document(tmp_path) -> Path:
    """Eight English statements in one file: writing it needs about a megabyte."""
    path = tmp_path / "incoming" / "statements.txt"
    path.parent.mkdir()
    shipped = sorted((PROJECT_ROOT / "corpus" / "en").glob("*.txt"))[:8]
    path.write_text("\n\n".join(p.read_text("utf-8") for p in shipped), "utf-8")
    return path


@pytest.fixture
def read_only_index(golden_index, tmp_path) -> Iterator[tuple[Path, Path, Path]]:
    """(writable original, read-only bind mount of it, corpus)."""
    index_dir, corpus = golden_index
    original = tmp_path / "rw"
    shutil.copytree(index_dir.parent / "index", original / "index")
    view = tmp_path / "ro"
    view.mkdir()
    _mount("--bind", str(original), str(view))
    try:
        _mount("-o", "remount,ro,bind", str(view))
        yield original / "index", view / "index", corpus
    finally:
        _umount(view)


def test_read_only_index_is_a_clear_error(read_only_index, new_document, tmp_path) -> None:
    writable, read_only, corpus = read_only_index
    before = catalog_documents(writable)
    env = cli_env(read_only, corpus)

    assert_clear_failure(run_cli(["ingest", str(new_document)], env, tmp_path))
    assert_clear_failure(run_cli(["index", "check"], env, tmp_path))

    _umount(read_only.parent)
    assert catalog_documents(writable) == before
    check = run_cli(["index", "check"], cli_env(writable, corpus), tmp_path)
    assert check.returncode == 0 and "index is consistent" in check.stdout, check.stdout


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    _mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point))
    try:
        yield mount_point
    finally:
        _umount(mount_point)


def _fill(disk: Path, leave_kb: int) -> Path:
    """Fill ``disk`` up to ``leave_kb`` free kilobytes with one file."""
    stats = os.statvfs(disk)
    free_kb = stats.f_bavail * stats.f_frsize // 1024
    filler = disk / "filler"
    with filler.open("wb") as handle:
        for _ in range(max(0, free_kb - leave_kb) // 64):
            handle.write(b"\0" * 65536)
    return filler


@pytest.mark.parametrize(
    ("leave_kb", "document_kept"),
    # Each value sits mid-way in the window of free space that fails at that stage (probed:
    # Chroma's compaction fails up to ~1.6 MB left, the catalog commit up to ~2.0 MB, the BM25
    # rebuild up to ~2.3 MB; with more the ingest succeeds).
    [(256, False), (768, False), (1400, False), (1850, False), (2150, True)],
    ids=[
        "fails-in-embedding-cache",
        "fails-in-chroma-write",
        "fails-in-chroma-compaction",
        "fails-in-the-catalog-commit",
        "fails-in-bm25-rebuild-after-the-catalog-commit",
    ],
)
def test_full_disk_is_a_clear_error_and_loses_nothing(
    golden_index, small_disk, new_document, tmp_path, leave_kb, document_kept
) -> None:
    """Before the catalog commit a failure leaves the catalog as it was; after it (BM25 is
    rebuilt from the catalog when the batch ends) the document is kept, the check reports
    BM25 behind the catalog, and the repair rebuilds it."""
    index_dir, corpus = golden_index
    shutil.copytree(index_dir, small_disk / "index")
    index = small_disk / "index"
    before = catalog_documents(index)
    env = cli_env(index, corpus)
    filler = _fill(small_disk, leave_kb)

    failed = run_cli(["ingest", str(new_document)], env, tmp_path)
    assert_clear_failure(failed)
    assert "error: writing the index" in failed.stderr
    after_failure = catalog_documents(index)
    if document_kept:
        assert len(after_failure) == len(before) + 1 and set(before) < set(after_failure)
    else:
        assert after_failure == before, failed.stderr[-2000:]
    assert not list(index.glob("*.new-*")), "a failed rebuild left its staging folder behind"

    filler.unlink()
    if document_kept:  # BM25 is behind the catalog, and the check says so
        checked = run_cli(["index", "check"], env, tmp_path)
        assert checked.returncode != 0, checked.stdout + checked.stderr
    repaired = run_cli(["index", "check", "--repair"], env, tmp_path)
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert repaired.stdout.strip().endswith("index is consistent")
    assert catalog_documents(index) == after_failure
    retried = run_cli(["ingest", str(new_document)], env, tmp_path)
    assert retried.returncode == 0, retried.stderr[-3000:]
    assert len(catalog_documents(index)) == len(before) + 1


def test_index_folder_under_a_file_is_a_clear_error(tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    env = cli_env(blocker / "index", tmp_path)
    for args in (["ingest", str(tmp_path)], ["index", "check"]):
        result = run_cli(args, env, tmp_path)
        assert_clear_failure(result)
        assert "Not a directory" in result.stderr


def test_chroma_server_down_is_a_clear_error(tmp_path) -> None:
    from tests.robustness.support import free_port

    env = cli_env(tmp_path / "index", tmp_path)
    env.update({"ASSISTANT_CHROMA__MODE": "http", "ASSISTANT_CHROMA__PORT": str(free_port())})
    result = run_cli(["index", "check"], env, tmp_path)
    assert_clear_failure(result)
    assert "cannot reach the Chroma server" in result.stderr


# -- (c) the model server going away mid-answer ---------------------------------------------------

QUESTION = "What did Afghanistan say about the elections?"


@pytest.fixture
def served_assistant(small_corpus_index, use_embedder, tmp_path):
    """An AnswerPipeline on the OpenAI-compatible backend, talking to a llama.cpp server."""
    if not SMALL_MODEL.is_file():
        pytest.skip(f"no small model at {SMALL_MODEL}: run `assistant models pull small`")
    settings, _index, retriever = small_corpus_index
    server = start_llama_server(SMALL_MODEL, tmp_path)
    answering = settings.model_copy(deep=True)
    answering.llm.backend = "openai"
    answering.llm.openai_base_url = f"http://127.0.0.1:{server.port}/v1"
    answering.llm.openai_model = "small"
    answering.answer.select_candidates = 3  # a short choice prompt: CPU time is shared here
    os.environ["TEST_ENGINE_KEY"] = ENGINE_KEY
    model = OpenAIChatModel(
        answering.llm.openai_base_url, "small", api_key_env="TEST_ENGINE_KEY", timeout_s=120
    )
    prompts = PromptLibrary(answering.paths.prompts_dir)
    assistant = AnswerPipeline(retriever, model, use_embedder, prompts, answering)
    state = {"server": server}
    yield assistant, state, tmp_path
    state["server"].stop()


_KILL_DELAY_S = 0.2  # after the evidence is on screen: the model is reading the choice prompt


class _Killer:
    """Kills the model's process while the choice request is in flight: the evidence shown means
    the pipeline is about to send it, and a prompt of a few hundred tokens keeps the small model
    busy for longer than the delay on two cores."""

    def __init__(self, kill) -> None:
        self._timer = threading.Timer(_KILL_DELAY_S, kill)
        self._timer.start()

    def wait(self) -> None:
        self._timer.join()


class RecordingAssistant:
    """Passes ``stream`` through and remembers what it raised (the app's callback swallows it)."""

    def __init__(self, inner: AnswerPipeline) -> None:
        self.inner = inner
        self.errors: list[Exception] = []

    def stream(self, *args, **kwargs):
        try:
            yield from self.inner.stream(*args, **kwargs)
        except Exception as exc:
            self.errors.append(exc)
            raise


def test_model_server_killed_mid_answer(served_assistant) -> None:
    from assistant.chat.session import ChatSession
    from assistant.ui.api import make_ask_endpoint
    from assistant.ui.chat import ChatCallbacks
    from assistant.ui.services import UIServices

    assistant, state, log_dir = served_assistant
    server = state["server"]
    recording = RecordingAssistant(assistant)
    services = UIServices(assistant=recording, documents=None, ingest=None)  # type: ignore[arg-type]
    chat = ChatCallbacks(services, assistant.settings)

    # 1. The server dies while the app streams an answer: the turn ends in an error badge, the
    #    callback itself does not raise, and the cause is a BackendError naming the server.
    _text, _messages, session, _status = chat.add_question(QUESTION, ChatSession(), "en")
    updates = []
    killer = None
    for update in chat.stream_answer(session, "en", None, None, None, None):
        updates.append(update)
        if killer is None and "evidence-found" in update[0][-1]["content"]:
            killer = _Killer(server.kill)
    assert killer is not None, "no evidence was shown"
    killer.wait()
    assert session.turns[-1].answer is None, "the answer finished before the server was killed"
    assert session.turns[-1].error and session.turns[-1].answer is None
    assert "error-badge" in updates[-1][0][-1]["content"]
    assert len(recording.errors) == 1 and isinstance(recording.errors[0], BackendError)
    assert f"127.0.0.1:{server.port}" in str(recording.errors[0])

    # 2. While it is down: a clear error at once, from the assistant and from the HTTP API.
    started = time.monotonic()
    with pytest.raises(BackendError, match="cannot reach the OpenAI-compatible server"):
        assistant.ask(QUESTION, language="en")
    assert time.monotonic() - started < 30
    with pytest.raises(BackendError, match="cannot reach"):
        make_ask_endpoint(services, assistant.settings)(QUESTION)

    # 3. Back on the same address: the next question is answered, in the app as well.
    state["server"] = start_llama_server(SMALL_MODEL, log_dir, port=server.port)
    _text, _messages, session, _status = chat.add_question(QUESTION, session, "en")
    list(chat.stream_answer(session, "en", None, None, None, None))
    answered = session.turns[-1]
    assert answered.error is None and answered.answer is not None
    assert answered.answer.text.strip() and answered.answer.question == QUESTION


# -- (d) the engine process dying inside the app ------------------------------------------------

MEETING_QUESTION = "反恐委员会在哪一次会议上审议了联合报告？"
OTHER_QUESTION = "反恐执行局的任务期限延长到什么时候？"


@pytest.fixture
def engine_assistant(small_corpus_index, use_embedder):
    """The app's own configuration: the small model in a supervised engine process."""
    from assistant.models.factory import load_chat_model

    if not SMALL_MODEL.is_file():
        pytest.skip(f"no small model at {SMALL_MODEL}: run `assistant models pull small`")
    settings, _index, retriever = small_corpus_index
    answering = settings.model_copy(deep=True)
    answering.llm.model = "small"
    answering.llm.engine_slots = 2
    answering.answer.select_candidates = 3
    model = load_chat_model(answering.llm, SMALL_MODEL.parent)
    prompts = PromptLibrary(answering.paths.prompts_dir)
    yield AnswerPipeline(retriever, model, use_embedder, prompts, answering), model
    model.supervisor.stop()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGILL])
def test_engine_killed_mid_answer_inside_the_app(engine_assistant, sig) -> None:
    """One user's answer is cut with a message in their language; the app and others go on.

    "Answered" after the restart means a cited answer, not an error or a refusal: which of two
    near-equal sentences the small model picks can change with the new engine's empty prompt
    cache, so the check does not hang on that.
    """
    from assistant.chat.session import ChatSession
    from assistant.ui.chat import ChatCallbacks
    from assistant.ui.labels import t
    from assistant.ui.services import UIServices

    assistant, model = engine_assistant
    services = UIServices(assistant=assistant, documents=None, ingest=None)  # type: ignore[arg-type]
    chat = ChatCallbacks(services, assistant.settings)

    # Another user has a finished conversation before the crash.
    _t, _m, other, _s = chat.add_question(MEETING_QUESTION, ChatSession(), "en")
    list(chat.stream_answer(other, "en", None, None, None, None))
    before = other.turns[0].answer
    assert before is not None and not before.refused and before.citations
    assert "000_b645ea8b0039a4ff.txt" in {c.passage.source for c in before.citations}
    first_engine = model.supervisor.pid

    # This user's answer is being chosen when the engine dies (another question: a prompt the
    # engine has not cached, so the choice takes long enough to be cut).
    _t, _m, session, _s = chat.add_question(OTHER_QUESTION, ChatSession(), "zh")
    killer = None
    pid = model.supervisor.pid
    for update in chat.stream_answer(session, "zh", None, None, None, None):
        if killer is None and "evidence-found" in update[0][-1]["content"]:
            killer = _Killer(lambda: os.kill(pid, sig))
    assert killer is not None, "no evidence was shown"
    killer.wait()
    assert session.turns[-1].answer is None
    assert session.turns[-1].error == t("engine_restarted", "zh")

    # The same app process answers the next question of both users, from a new engine.
    for user, lang in ((session, "zh"), (other, "en")):
        _t, _m, user, _s = chat.add_question(MEETING_QUESTION, user, lang)
        list(chat.stream_answer(user, lang, None, None, None, None))
        answer = user.turns[-1].answer
        assert user.turns[-1].error is None and answer is not None
        assert not answer.refused and answer.citations, answer.text
    assert model.supervisor.pid != first_engine
    assert other.turns[0].answer is not None  # the earlier conversation is intact
