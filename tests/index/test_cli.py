"""The ``assistant ingest``, ``search`` and ``index`` commands on a small corpus."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from assistant.cli import (
    app,
    commands,  # noqa: F401  (registers the commands)
)
from assistant.config import get_settings
from tests.conftest import CORPUS_DIR


@pytest.fixture
def cli_env(tmp_path, monkeypatch, use_embedder, settings_from_environment):
    corpus = tmp_path / "corpus"
    for name in ("zh/000_b645ea8b0039a4ff.txt", "en/NGA_73_2018.txt"):
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS_DIR / name, corpus / name)
    monkeypatch.setenv("ASSISTANT_PATHS__INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_PATHS__CORPUS_DIR", str(corpus))
    monkeypatch.setattr("assistant.index.factory.build_embedder", lambda _s: use_embedder)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_ingest_search_check_repair(cli_env):
    runner = cli_env
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "zh/000_b645ea8b0039a4ff.txt" in result.output

    result = runner.invoke(app, ["search", "第330次会议", "-k", "2", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert " 1. " in result.output and "bm25" in result.output and "第330次会议" in result.output

    result = runner.invoke(app, ["search", "terrorism", "--doc", "NGA_73_2018.txt"])
    assert result.exit_code == 0 and "zh/000" not in result.output

    result = runner.invoke(app, ["index", "stats"])
    assert result.exit_code == 0 and "use-multilingual-v3" in result.output

    from assistant.index.factory import open_index

    index = open_index(get_settings())
    victim = sorted(index.catalog.chunk_ids("zh/000_b645ea8b0039a4ff.txt"))[0]
    index.vectors.delete_ids([victim])
    index.close()

    result = runner.invoke(app, ["index", "check"])
    assert result.exit_code == 1 and "missing from Chroma" in result.output
    result = runner.invoke(app, ["index", "check", "--repair"])
    assert result.exit_code == 0 and "index is consistent" in result.output
    assert runner.invoke(app, ["index", "check"]).exit_code == 0


def test_search_rejects_unknown_mode_and_document(cli_env):
    runner = cli_env
    assert runner.invoke(app, ["ingest"]).exit_code == 0
    assert runner.invoke(app, ["search", "x", "--mode", "fuzzy"]).exit_code != 0
    result = runner.invoke(app, ["search", "x", "--doc", "nope.txt"])
    assert result.exit_code != 0


def test_ingest_refuses_an_index_of_another_embedder(cli_env, tmp_path):
    from assistant.index.factory import open_index
    from tests.index.conftest import FakeEmbedder

    open_index(get_settings(), FakeEmbedder()).close()
    result = cli_env.invoke(app, ["ingest"])
    assert result.exit_code == 1 and "--rebuild" in result.output
    result = cli_env.invoke(app, ["ingest", "--rebuild"])
    assert result.exit_code == 0 and "2 added" in result.output


def test_search_json_prints_full_passages_with_metadata(cli_env):
    import json

    runner = cli_env
    assert runner.invoke(app, ["ingest"]).exit_code == 0
    result = runner.invoke(app, ["search", "第330次会议", "-k", "3", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["query"] == "第330次会议" and payload["mode"] == "hybrid"
    passages = payload["passages"]
    assert [p["rank"] for p in passages] == [1, 2, 3]
    top = passages[0]
    assert "第330次会议" in top["text"] and "…" not in top["text"]  # the full text, not a snippet
    assert top["doc_id"] == "zh/000_b645ea8b0039a4ff.txt" and top["language"] == "zh"
    assert top["ocr"] is False and top["ocr_confidence"] is None
    assert {"symbol", "paragraph", "page", "title", "label", "chunk_id"} <= set(top)
    assert top["scores"]["fused"] >= passages[1]["scores"]["fused"]
    assert top["scores"]["lexical"] is not None


def test_audit_prints_the_admin_trail_newest_first(
    tmp_path, monkeypatch, settings_from_environment
):
    from assistant.index.catalog import open_catalog

    monkeypatch.setenv("ASSISTANT_PATHS__INDEX_DIR", str(tmp_path / "index"))
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["audit"]).output.strip() == "no admin actions recorded"
    catalog = open_catalog(get_settings(), tmp_path / "index")
    catalog.audit("chief", "upload", "report.pdf", "added")
    catalog.audit("chief", "delete", "uploads/report.pdf")
    catalog.close()
    result = runner.invoke(app, ["audit", "--limit", "1"])
    assert result.exit_code == 0, result.output
    [line] = result.output.strip().splitlines()
    assert line.endswith("chief  delete  uploads/report.pdf")
    full = runner.invoke(app, ["audit"]).output.strip().splitlines()
    assert full[1].endswith("chief  upload  report.pdf  (added)")
