"""The catalog on both engines (SQLite, a real PostgreSQL server): one suite, run on each."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from pydantic import SecretStr, ValidationError

from assistant.config import PROJECT_ROOT, CatalogSettings
from assistant.index.catalog import CatalogError, ChunkRecord, DocumentInfo, StoredFile
from assistant.index.catalog import open_catalog as _open
from assistant.index.migrate import SchemaTooNewError, migrations


def _doc(doc_id: str, content_hash: str = "h1", chunks: int = 2) -> DocumentInfo:
    return DocumentInfo(
        doc_id,
        doc_id.rsplit("/", 1)[-1],
        "Title",
        "zh",
        "S/1",
        chunks,
        f"/corpus/{doc_id}",
        "2018-04-19",
        content_hash,
        "2026-01-01T00:00:00",
    )


def _chunks(doc_id: str, texts: list[str]) -> list[ChunkRecord]:
    return [
        ChunkRecord(f"{doc_id}#{i}", doc_id, i, text, text.split(), {"lang": "zh", "page": i + 1})
        for i, text in enumerate(texts)
    ]


@pytest.fixture
def settings(tmp_path, settings_for, catalog_mode):
    return catalog_mode(settings_for(tmp_path / "index"))


@pytest.fixture
def catalog(settings):
    opened = _open(settings, settings.paths.index_dir)
    yield opened
    opened.close()


def test_documents_and_chunks_round_trip(catalog):
    catalog.replace_document(_doc("zh/a.txt"), _chunks("zh/a.txt", ["安理会 会议", "第二 段"]))
    catalog.replace_document(_doc("en/b.txt"), _chunks("en/b.txt", ["climate change"]))
    assert [d.doc_id for d in catalog.documents()] == ["en/b.txt", "zh/a.txt"]
    assert catalog.document("zh/a.txt") == _doc("zh/a.txt")
    assert catalog.document("missing") is None
    assert catalog.chunk_ids("zh/a.txt") == {"zh/a.txt#0", "zh/a.txt#1"}
    assert catalog.chunk_count() == 3
    found = catalog.chunks(["zh/a.txt#1", "nope"])
    assert list(found) == ["zh/a.txt#1"] and found["zh/a.txt#1"].tokens == ["第二", "段"]
    assert found["zh/a.txt#1"].metadata == {"lang": "zh", "page": 2}
    assert [c.index for c in catalog.document_chunks("zh/a.txt")] == [0, 1]
    entries = catalog.lexical_entries()
    assert [e.chunk_id for e in entries] == ["en/b.txt#0", "zh/a.txt#0", "zh/a.txt#1"]
    assert entries[1].lang == "zh" and entries[1].tokens == ["安理会", "会议"]


def test_replace_delete_and_version(catalog):
    start = catalog.version()
    catalog.replace_document(_doc("zh/a.txt"), _chunks("zh/a.txt", ["一", "二"]))
    fingerprint = catalog.fingerprint()
    catalog.replace_document(_doc("zh/a.txt", "h2", 1), _chunks("zh/a.txt", ["三"]))
    assert catalog.chunk_ids() == {"zh/a.txt#0"} and catalog.chunks(["zh/a.txt#0"])
    assert catalog.fingerprint() != fingerprint
    catalog.update_tokens({"zh/a.txt#0": ["新"]})
    assert catalog.chunks(["zh/a.txt#0"])["zh/a.txt#0"].tokens == ["新"]
    catalog.delete_document("zh/a.txt")
    assert catalog.documents() == [] and catalog.chunk_count() == 0
    assert catalog.version() == start + 4  # every write moves it, reads do not
    catalog.documents()
    assert catalog.version() == start + 4


def test_uploaded_files_are_stored_and_deleted_with_their_document(catalog):
    upload = StoredFile.of("uploads/r.txt", "uploads/r.txt", "报告正文".encode())
    catalog.replace_document(_doc("uploads/r.txt"), _chunks("uploads/r.txt", ["报告"]), upload)
    [stored] = catalog.files()
    assert stored == upload[0] and not stored.deleted
    assert catalog.file_content("uploads/r.txt") == "报告正文".encode()
    catalog.delete_document("uploads/r.txt")
    [tombstone] = catalog.files()
    assert tombstone.deleted and tombstone.sha256 == upload[0].sha256
    assert catalog.file_content("uploads/r.txt") is None
    again = StoredFile.of("uploads/r.txt", "uploads/r.txt", b"v2")
    catalog.replace_document(_doc("uploads/r.txt"), _chunks("uploads/r.txt", ["v2"]), again)
    assert catalog.files() == [again[0]] and catalog.file_content("uploads/r.txt") == b"v2"


def test_write_marks_are_cleared_by_the_commit(catalog):
    catalog.begin_write("zh/a.txt", "h1")
    catalog.begin_write("en/b.txt", None)
    marks = {m.doc_id: m for m in catalog.writes_in_progress()}
    assert set(marks) == {"zh/a.txt", "en/b.txt"} and marks["zh/a.txt"].pid == os.getpid()
    catalog.replace_document(_doc("zh/a.txt"), _chunks("zh/a.txt", ["一"]))
    catalog.delete_document("en/b.txt")
    assert catalog.writes_in_progress() == []
    catalog.begin_write("x", None)
    catalog.end_write("x")
    assert catalog.writes_in_progress() == []


def test_meta_feedback_and_audit(catalog):
    assert catalog.get_meta("index") is None
    catalog.set_meta("index", "one")
    catalog.set_meta("index", "two")
    assert catalog.get_meta("index") == "two"
    catalog.add_feedback({"rating": "up", "question": "哪次会议？", "timestamp": "t1"})
    catalog.add_feedback({"rating": "down", "question": "second"})
    assert [f["question"] for f in catalog.feedback()] == ["second", "哪次会议？"]
    assert catalog.feedback(limit=1)[0]["rating"] == "down"
    catalog.audit("admin", "upload", "uploads/r.txt", "added")
    catalog.audit("admin", "delete", "uploads/r.txt")
    log = catalog.audit_log()
    assert [(e.action, e.target) for e in log] == [
        ("delete", "uploads/r.txt"),
        ("upload", "uploads/r.txt"),
    ]
    assert log[1].detail == "added" and log[0].host
    catalog.clear()  # index data only: votes and the audit trail stay
    assert catalog.get_meta("index") is None and len(catalog.feedback()) == 2
    assert len(catalog.audit_log()) == 2


def test_writer_lock_is_exclusive_across_connections(catalog, settings):
    other = _open(settings, settings.paths.index_dir)
    try:
        with catalog.writer_lock("zh/a.txt") as taken:
            assert taken
            with other.writer_lock("zh/a.txt", wait=False) as second:
                assert not second
            with other.writer_lock("en/b.txt", wait=False) as unrelated:
                assert unrelated
        with other.writer_lock("zh/a.txt", wait=False) as after:
            assert after
    finally:
        other.close()


_HOLD_LOCK = """
import sys, time
from assistant.config import Settings
from assistant.index.catalog import open_catalog
settings = Settings.model_validate_json(sys.argv[1])
catalog = open_catalog(settings, settings.paths.index_dir)
with catalog.writer_lock("zh/a.txt"):
    print("locked", flush=True)
    time.sleep(600)
"""


def test_a_killed_writers_lock_is_released(catalog, settings):
    payload = settings.model_dump_json()
    if settings.catalog.dsn is not None:  # model_dump_json masks secrets
        data = json.loads(payload)
        data["catalog"]["dsn"] = settings.catalog.dsn.get_secret_value()
        payload = json.dumps(data)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, payload],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        start_new_session=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with catalog.writer_lock("zh/a.txt", wait=False) as taken:
            assert not taken
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        deadline = time.monotonic() + 10  # the server notices the dropped connection
        while True:
            with catalog.writer_lock("zh/a.txt", wait=False) as taken:
                if taken or time.monotonic() > deadline:
                    break
            time.sleep(0.2)
        assert taken
    finally:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait()


def test_schema_is_migrated_once_and_a_newer_schema_is_refused(catalog, settings):
    engine = settings.catalog.mode
    assert catalog.schema_version() == len(migrations(engine))
    again = _open(settings, settings.paths.index_dir)  # nothing left to apply
    assert again.schema_version() == len(migrations(engine))
    with again._writing() as conn:
        again._run(
            conn,
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (99, "future", "2030-01-01"),
        )
    again.close()
    with pytest.raises(SchemaTooNewError, match="upgrade the assistant"):
        _open(settings, settings.paths.index_dir)


def test_a_catalog_from_before_migrations_keeps_its_documents(tmp_path, settings_for):
    import sqlite3

    settings = settings_for(tmp_path / "index")
    settings.paths.index_dir.mkdir(parents=True)
    old = sqlite3.connect(settings.paths.index_dir / "catalog.sqlite")
    old.executescript(migrations("sqlite")[0].sql)
    old.execute(
        "INSERT INTO documents VALUES ('zh/a.txt', 'a.txt', '/c/zh/a.txt', 'T', 'zh', NULL, NULL,"
        " 'h', 0, 'then')"
    )
    old.commit()
    old.close()
    catalog = _open(settings, settings.paths.index_dir)
    assert [d.doc_id for d in catalog.documents()] == ["zh/a.txt"]
    assert catalog.version() == 0 and catalog.files() == []
    catalog.close()


def test_postgres_needs_a_dsn():
    with pytest.raises(ValidationError, match="ASSISTANT_CATALOG__DSN"):
        CatalogSettings(mode="postgres")


def test_unreachable_or_refused_database_says_what_to_fix(postgres_server, tmp_path, settings_for):
    from tests.conftest import use_postgres
    from tests.postgres_server import PASSWORD

    settings = settings_for(tmp_path / "index")
    closed_port = postgres_server.dsn().replace(str(postgres_server.port), "1")
    for dsn in (closed_port, postgres_server.dsn(password=False)):
        use_postgres(settings, dsn)
        settings.catalog.connect_timeout_s = 2
        with pytest.raises(CatalogError) as caught:
            _open(settings, settings.paths.index_dir)
        message = str(caught.value)
        assert "catalog.dsn" in message and "PostgreSQL is running" in message
        assert PASSWORD not in message


def test_password_from_a_file(postgres_server, tmp_path, settings_for):
    from tests.postgres_server import PASSWORD

    secret = tmp_path / "catalog.password"
    secret.write_text(PASSWORD + "\n")
    settings = settings_for(tmp_path / "index")
    dsn = postgres_server.create_database().replace(f":{PASSWORD}@", "@")
    settings.catalog = CatalogSettings(mode="postgres", dsn=SecretStr(dsn), password_file=secret)
    catalog = _open(settings, settings.paths.index_dir)
    assert catalog.describe().startswith("postgres assistant@127.0.0.1:")
    assert PASSWORD not in catalog.describe()
    catalog.close()
    settings.catalog.password_file = tmp_path / "absent"
    with pytest.raises(CatalogError, match="password_file"):
        _open(settings, settings.paths.index_dir)


def test_reads_recover_after_the_database_restarts(tmp_path, settings_for):
    """An app process keeps its catalog open: while the database is down a read fails with
    the catalog error, and once it is back the next read works without reopening."""
    from tests.conftest import use_postgres
    from tests.postgres_server import start_postgres

    server = start_postgres()  # its own server: this test stops it
    try:
        settings = use_postgres(settings_for(tmp_path / "index"), server.dsn())
        settings.catalog.connect_timeout_s = 1
        catalog = _open(settings, settings.paths.index_dir)
        catalog.replace_document(_doc("zh/a.txt"), _chunks("zh/a.txt", ["一"]))
        server.kill()
        started = time.monotonic()
        with pytest.raises(CatalogError, match="cannot be used"):
            catalog.documents()
        assert time.monotonic() - started < 30
        server.start()
        assert [d.doc_id for d in catalog.documents()] == ["zh/a.txt"]
        assert catalog.chunks(["zh/a.txt#0"])
        catalog.close()
    finally:
        server.remove()


def test_order_is_bytewise_whatever_the_database_locale(postgres_server, tmp_path, settings_for):
    """A database created with a language's collation still lists, fingerprints and feeds BM25
    in SQLite's order, so both engines rank ties alike."""
    import psycopg

    from tests.conftest import use_postgres

    with psycopg.connect(postgres_server.dsn(), autocommit=True) as conn:
        conn.execute(
            "CREATE DATABASE t_icu_en TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
            " LOCALE 'C'"
        )
    settings = use_postgres(settings_for(tmp_path / "index"), postgres_server.dsn("t_icu_en"))
    catalog = _open(settings, settings.paths.index_dir)
    try:
        for doc_id in ("en/b.txt", "en/B.txt", "en/a.txt"):
            catalog.replace_document(_doc(doc_id), _chunks(doc_id, ["x"]))
        with catalog._reading() as conn:
            locale_order = [r[0] for r in conn.execute("SELECT doc_id FROM documents ORDER BY 1")]
        assert locale_order == ["en/a.txt", "en/b.txt", "en/B.txt"]  # the database's own order
        assert [d.doc_id for d in catalog.documents()] == ["en/B.txt", "en/a.txt", "en/b.txt"]
        assert [e.doc_id for e in catalog.lexical_entries()] == ["en/B.txt", "en/a.txt", "en/b.txt"]
    finally:
        catalog.close()
