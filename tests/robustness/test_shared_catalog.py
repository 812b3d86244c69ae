"""Several hosts on one PostgreSQL catalog and one Chroma server, all real and started here.

Each "host" has its own index folder (BM25, term bridge, embedding cache) and its own corpus
folder; they share only the database and the Chroma server. What one host writes, the other
searches; uploads reach the other host's corpus folder through the catalog; ingests run at the
same moment from two processes; a writer killed mid-write and a database killed mid-ingest are
repaired by the next ingest.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.index.factory import open_index
from assistant.ingest.pipeline import ingest_paths
from assistant.retrieval.factory import build_retriever
from tests.conftest import use_postgres
from tests.robustness.support import (
    ENGINE_KEY,
    SMALL_MODEL,
    VENV_BIN,
    ServerProcess,
    copy_corpus,
    free_port,
    http_ok,
    start_chroma,
    start_llama_server,
)

pytestmark = pytest.mark.slow

MARKER = "Zanzibar fishing quota"
CLI_TIMEOUT = 600


@pytest.fixture(scope="module")
def chroma(tmp_path_factory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("chroma-server")
    server = start_chroma(root / "data", root)
    yield server
    server.stop()


def host(root: Path, name: str, chroma: ServerProcess, dsn: str, collection: str) -> Settings:
    """One host's settings: its own folders, the shared database and Chroma server."""
    settings = Settings()
    settings.paths.corpus_dir = root / name / "corpus"
    settings.paths.index_dir = root / name / "index"
    settings.paths.corpus_dir.mkdir(parents=True)
    settings.chroma.mode = "http"
    settings.chroma.port = chroma.port
    settings.chroma.collection = collection
    return use_postgres(settings, dsn)


def cli_env(settings: Settings) -> dict[str, str]:
    """The same settings for an `assistant` subprocess, through the environment."""
    assert settings.catalog.dsn is not None
    env = dict(os.environ)
    env.update(
        {
            "ASSISTANT_PROFILE": "default",
            "ASSISTANT_CONFIG": str(settings.paths.index_dir.parent / "no-such-config.yaml"),
            "ASSISTANT_PATHS__INDEX_DIR": str(settings.paths.index_dir),
            "ASSISTANT_PATHS__CORPUS_DIR": str(settings.paths.corpus_dir),
            "ASSISTANT_CHROMA__MODE": "http",
            "ASSISTANT_CHROMA__PORT": str(settings.chroma.port),
            "ASSISTANT_CHROMA__COLLECTION": settings.chroma.collection,
            "ASSISTANT_CATALOG__MODE": "postgres",
            "ASSISTANT_CATALOG__DSN": settings.catalog.dsn.get_secret_value(),
            # The term bridge embeds the whole vocabulary: not what these tests are about.
            "ASSISTANT_RETRIEVAL__TERM_TRANSLATION": "false",
        }
    )
    return env


def run_cli(args: list[str], settings: Settings) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV_BIN / "assistant"), *args],
        env=cli_env(settings),
        cwd=settings.paths.index_dir.parent,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
    )


def test_what_one_host_writes_the_other_searches(
    tmp_path, chroma, postgres_server, use_embedder
) -> None:
    dsn = postgres_server.create_database()
    a = host(tmp_path, "a", chroma, dsn, "shared_hosts")
    b = host(tmp_path, "b", chroma, dsn, "shared_hosts")
    copy_corpus(a.paths.corpus_dir)
    first, second = open_index(a, use_embedder), open_index(b, use_embedder)
    try:
        ingest_paths([a.paths.corpus_dir], first, a)
        second_search = build_retriever(b, second)
        assert second_search.search(MARKER, 3, mode="lexical") == []

        upload = a.paths.corpus_dir / "uploads" / "quota.txt"
        upload.parent.mkdir()
        upload.write_text(f"The {MARKER} for 2019 was set at 1,200 tonnes.", "utf-8")
        assert ingest_paths([upload], first, a).added == ["uploads/quota.txt"]
        ingested = time.monotonic()
        for mode in ("lexical", "dense", "hybrid"):  # each found within 10 s of the ingest
            while True:
                hits = second_search.search(MARKER, 3, mode=mode)
                if (hits and hits[0].doc_id == "uploads/quota.txt") or (
                    time.monotonic() - ingested > 10
                ):
                    break
                time.sleep(0.2)
            assert hits and hits[0].doc_id == "uploads/quota.txt", mode
        assert second.check().ok and first.check().ok

        # Host B's own ingest of its corpus folder fetches the upload from the catalog and
        # neither removes nor re-writes anything of host A's.
        report = ingest_paths([b.paths.corpus_dir], second, b)
        assert report.added == [] and report.removed == [] and report.failed == []
        local = b.paths.corpus_dir / "uploads" / "quota.txt"
        assert local.read_bytes() == upload.read_bytes()
        assert len(second.documents()) == 3

        # An admin deletion on host B: gone from host A's search, and the file from B's folder
        # at its next ingest, which does not bring the document back.
        second.delete_document("uploads/quota.txt")
        for mode in ("lexical", "hybrid"):
            hits = build_retriever(a, first).search(MARKER, 3, mode=mode)
            assert all(h.doc_id != "uploads/quota.txt" for h in hits), mode
        report = ingest_paths([b.paths.corpus_dir], second, b)
        assert not local.exists() and report.added == []
        assert first.check().ok and second.check().ok
        assert first.fingerprint == second.fingerprint
    finally:
        first.close()
        second.close()


def test_two_hosts_ingest_at_the_same_moment(tmp_path, chroma, postgres_server) -> None:
    """Different files and one file both hosts hold: all land once, both indexes are clean."""
    dsn = postgres_server.create_database()
    a = host(tmp_path, "a", chroma, dsn, "concurrent")
    b = host(tmp_path, "b", chroma, dsn, "concurrent")
    shared = "en/AFG_73_2018.txt"
    copy_corpus(a.paths.corpus_dir, ("zh/000_b645ea8b0039a4ff.txt", shared))
    copy_corpus(b.paths.corpus_dir, ("en/SOM_73_2018.txt", shared))
    procs = [
        subprocess.Popen(
            [str(VENV_BIN / "assistant"), "ingest"],
            env=cli_env(settings),
            cwd=settings.paths.index_dir.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for settings in (a, b)
    ]
    outputs = [proc.communicate(timeout=CLI_TIMEOUT) for proc in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-3000:]

    from assistant.index.catalog import open_catalog

    catalog = open_catalog(a, a.paths.index_dir)
    try:
        docs = {d.doc_id: d for d in catalog.documents()}
        assert set(docs) == {"zh/000_b645ea8b0039a4ff.txt", shared, "en/SOM_73_2018.txt"}
        for doc_id, info in docs.items():
            assert len(catalog.chunk_ids(doc_id)) == info.chunk_count > 0
        assert catalog.writes_in_progress() == []
        total = catalog.chunk_count()
    finally:
        catalog.close()
    for settings in (a, b):
        check = run_cli(["index", "check"], settings)
        assert check.returncode == 0 and "index is consistent" in check.stdout, check.stdout
        assert f"catalog chunks: {total}, chroma: {total}, bm25: {total}" in check.stdout


_KILLED_WRITER = """
import sys, time
import numpy as np
from assistant.config import Settings
from assistant.index.catalog import open_catalog
from assistant.index.vector_store import ChromaVectorIndex, VectorRecord
settings = Settings.model_validate_json(sys.argv[1])
catalog = open_catalog(settings, settings.paths.index_dir)
vectors = ChromaVectorIndex(settings.chroma, settings.paths.index_dir)
doc_id = sys.argv[2]
with catalog.writer_lock(doc_id):
    catalog.begin_write(doc_id, "new-version")
    vectors.delete_document(doc_id)  # what add_document does before the catalog commit
    vector = np.zeros(512, dtype=np.float32)
    vector[0] = 1.0
    vectors.add([VectorRecord("half-written", doc_id, "en", vector)])
    print("written", flush=True)
    time.sleep(600)
"""


def _settings_json(settings: Settings) -> str:
    import json

    data = json.loads(settings.model_dump_json())
    data["catalog"]["dsn"] = settings.catalog.dsn.get_secret_value()
    return json.dumps(data)


def test_a_writer_killed_mid_write_is_repaired_by_the_next_ingest(
    tmp_path, chroma, postgres_server, use_embedder
) -> None:
    dsn = postgres_server.create_database()
    a = host(tmp_path, "a", chroma, dsn, "killed_writer")
    b = host(tmp_path, "b", chroma, dsn, "killed_writer")
    copy_corpus(a.paths.corpus_dir)
    first = open_index(a, use_embedder)
    ingest_paths([a.paths.corpus_dir], first, a)
    victim = "en/AFG_73_2018.txt"
    before = first.catalog.chunk_ids(victim)
    first.close()

    writer = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, _settings_json(a), victim],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert writer.stdout.readline().strip() == "written"
        os.killpg(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            os.killpg(writer.pid, signal.SIGKILL)
    second = open_index(b, use_embedder)
    try:
        found = second.check()
        assert not found.ok and found.orphan_vectors == ["half-written"]
        assert set(found.missing_vectors) == before  # readers still see the old version whole
        ingest_paths([b.paths.corpus_dir], second, b)  # an ingest of other files, on host B
        assert second.check().ok and second.catalog.writes_in_progress() == []
        assert second.catalog.chunk_ids(victim) == before
    finally:
        second.close()


def test_database_killed_during_an_ingest(tmp_path, chroma) -> None:
    """A clear error, complete documents only, and the next ingest finishes the work."""
    from assistant.index.catalog import open_catalog
    from tests.postgres_server import start_postgres

    database = start_postgres()  # its own server: this test kills it
    try:
        a = host(tmp_path, "a", chroma, database.dsn(), "killed_database")
        corpus = PROJECT_ROOT / "corpus"
        for path in sorted(corpus.rglob("*.txt")):
            target = a.paths.corpus_dir / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        catalog = open_catalog(a, a.paths.index_dir)  # migrated before the ingest starts
        proc = subprocess.Popen(
            [str(VENV_BIN / "assistant"), "ingest"],
            env=cli_env(a),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + CLI_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if len(catalog.documents()) >= 2:  # the writing phase has begun
                break
            time.sleep(0.05)
        catalog.close()
        database.kill()
        _, err = proc.communicate(timeout=CLI_TIMEOUT)
        assert proc.returncode == 1, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
        last = err.strip().splitlines()[-1]
        assert last.startswith("error: ") and "catalog database" in last, last

        database.start()
        catalog = open_catalog(a, a.paths.index_dir)
        try:
            documents = catalog.documents()
            assert 2 <= len(documents) < 20
            for info in documents:  # what readers see is whole
                assert len(catalog.chunk_ids(info.doc_id)) == info.chunk_count
        finally:
            catalog.close()
        again = run_cli(["ingest"], a)
        assert again.returncode == 0, again.stderr[-3000:]
        check = run_cli(["index", "check"], a)
        assert check.returncode == 0 and "index is consistent" in check.stdout, check.stdout
    finally:
        database.remove()


def _start_app(settings: Settings, port: int, engine_port: int, log: Path) -> subprocess.Popen:
    env = cli_env(settings)
    env.update(
        {
            "GRADIO_ANALYTICS_ENABLED": "False",
            "ASSISTANT_APP__HOST": "127.0.0.1",
            "ASSISTANT_APP__PORT": str(port),
            "ASSISTANT_LLM__BACKEND": "openai",
            "ASSISTANT_LLM__OPENAI_BASE_URL": f"http://127.0.0.1:{engine_port}/v1",
            "ASSISTANT_LLM__OPENAI_MODEL": "small",
            "ASSISTANT_LLM__OPENAI_API_KEY_ENV": "TEST_ENGINE_KEY",
            "TEST_ENGINE_KEY": ENGINE_KEY,
            "ASSISTANT_ANSWER__SELECT_CANDIDATES": "3",  # a short choice prompt: shared CPU
        }
    )
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "app.py")],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _wait_for(proc: subprocess.Popen, port: int, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        if http_ok(f"http://127.0.0.1:{port}/"):
            return
        time.sleep(1)
    raise TimeoutError(f"app on {port} not up:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def test_two_app_hosts_answer_each_others_uploads(tmp_path, chroma, postgres_server) -> None:
    """Two app processes (hosts A and B) and one model server: a document uploaded through A
    is answered from B with its citation; with A killed, B goes on answering."""
    from gradio_client import Client

    if not SMALL_MODEL.is_file():
        pytest.skip("run `assistant models pull small`")
    dsn = postgres_server.create_database()
    a = host(tmp_path, "a", chroma, dsn, "two_apps")
    b = host(tmp_path, "b", chroma, dsn, "two_apps")
    copy_corpus(a.paths.corpus_dir)
    assert run_cli(["ingest"], a).returncode == 0
    engine = start_llama_server(SMALL_MODEL, tmp_path)
    ports = {"a": free_port(), "b": free_port()}
    logs = {name: tmp_path / f"app-{name}.log" for name in ports}
    apps = {
        name: _start_app(settings, ports[name], engine.port, logs[name])
        for name, settings in (("a", a), ("b", b))
    }
    try:
        for name, proc in apps.items():
            _wait_for(proc, ports[name], logs[name])
        client_b = Client(f"http://127.0.0.1:{ports['b']}/", verbose=False)
        warm = client_b.predict(
            "What did the statement say about refugees?", "en", None, api_name="/ask"
        )  # B has searched (jieba, BM25 built) before
        assert not warm.get("error"), warm
        upload = a.paths.corpus_dir / "uploads" / "quota.txt"
        upload.parent.mkdir()
        upload.write_text(
            f"The {MARKER} for 2019 was set at 1,200 tonnes by the fisheries committee.", "utf-8"
        )
        assert run_cli(["ingest", str(upload)], a).returncode == 0  # what an admin upload runs
        uploaded = time.perf_counter()
        reply = client_b.predict(f"What was the {MARKER} for 2019?", "en", None, api_name="/ask")
        assert not reply.get("error"), reply
        assert reply["passages"][0]["source"] == "quota.txt", reply["passages"]
        assert reply["timings"].get("retrieve", 0) < 10
        if not reply["refused"]:
            assert reply["citations"] and reply["citations"][0]["source"] == "quota.txt"
            assert "1,200" in reply["text"]
        logging.getLogger(__name__).warning(
            "upload on A to answer from B: %.1fs (retrieval %.2fs, refused: %s)",
            time.perf_counter() - uploaded,
            reply["timings"].get("retrieve", 0),
            reply["refused"],
        )

        _stop(apps["a"])  # host A dies; B answers on its own
        again = Client(f"http://127.0.0.1:{ports['b']}/", verbose=False).predict(
            "How many students were deprived of education after schools closed?",
            "en",
            None,
            api_name="/ask",
        )
        assert not again.get("error"), again
        assert again["passages"], again
    finally:
        for proc in apps.values():
            _stop(proc)
        engine.stop()
