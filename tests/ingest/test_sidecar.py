"""Curated ``documents.yaml`` metadata overrides what extraction guessed, and re-ingests on edit."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.document_loading import load_document

TEXT = (
    "关于如何评估联合国系统在执行《联合国全球反恐战略》方面取得的影响和进展的备选办法\n\n"
    "1. 本报告根据大会第72/284号决议第83段的要求印发。\n"
)


def test_sidecar_symbol_overrides_and_changes_hash(tmp_path: Path) -> None:
    doc_path = tmp_path / "report.txt"
    doc_path.write_text(TEXT, encoding="utf-8")
    before = load_document(doc_path, tmp_path)
    assert before.symbol is None

    (tmp_path / "documents.yaml").write_text("report.txt:\n  symbol: A/73/866\n", encoding="utf-8")
    after = load_document(doc_path, tmp_path)

    assert after.symbol == "A/73/866"
    assert after.content_hash != before.content_hash


def test_shipped_corpus_symbols_come_from_sidecar() -> None:
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    doc = load_document(corpus / "zh" / "002_8cdbc4ed2a739b7c.txt", corpus)
    assert doc.symbol == "A/73/866"


def test_broken_sidecar_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Statement by the delegation.\n", encoding="utf-8")
    (tmp_path / "documents.yaml").write_text(": : not yaml [", encoding="utf-8")
    assert load_document(tmp_path / "a.txt", tmp_path).symbol is None
