"""Fakes of the core services for the UI callback tests (the real ones are tested elsewhere)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.answer.types import (
    Answer,
    Citation,
    EvidenceSentence,
    RetrievedEvidence,
    Turn,
)
from assistant.config import AppSettings, PathSettings, Settings
from assistant.index.catalog import DocumentInfo
from assistant.ingest.pipeline import IngestReport
from assistant.schema import Passage
from assistant.ui.services import UIServices

ZH_TEXT = (
    "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，"
    "建议将该文件作为安全理事会文件分发。"
)


def make_passage(**overrides: object) -> Passage:
    values: dict[str, object] = {
        "chunk_id": "c1",
        "doc_id": "zh/000_b645ea8b0039a4ff.txt",
        "source": "000_b645ea8b0039a4ff.txt",
        "title": "反恐委员会主席给安全理事会主席的信",
        "text": ZH_TEXT,
        "lang": "zh",
        "score": 1.0,
        "symbol": "S/2018/435",
        "paragraph": "2",
        "page": None,
    }
    values.update(overrides)
    return Passage(**values)  # type: ignore[arg-type]


def make_answer(question: str = "反恐委员会在哪一次会议上审议了联合报告？", **overrides) -> Answer:
    passage = make_passage()
    values: dict[str, object] = {
        "question": question,
        "text": "委员会在第330次会议上审议了该报告[1]。",
        "language": "zh",
        "citations": [
            Citation(
                number=1,
                passage=passage,
                supporting_sentences=[
                    "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，"
                ],
                answer_sentences=["委员会在第330次会议上审议了该报告[1]。"],
            )
        ],
        "model": "small",
        "timings": {"total": 1.5},
    }
    values.update(overrides)
    return Answer(**values)  # type: ignore[arg-type]


@dataclass
class StreamCall:
    question: str
    history: list[Turn]
    language: str | None
    doc_ids: list[str] | None
    langs: list[str] | None


class FakeAssistant:
    """Streams the answer text in small pieces, then the Answer; records every call."""

    def __init__(self, answer_for=None, delay: float = 0.0, fail_after: int | None = None):
        self.answer_for = answer_for or (lambda q: make_answer(q))
        self.delay = delay
        self.fail_after = fail_after
        self.calls: list[StreamCall] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        language: str | None = None,
        doc_ids: Sequence[str] | None = None,
        langs: Sequence[str] | None = None,
        evidence_events: bool = False,
    ) -> Iterator[str | RetrievedEvidence | Answer]:
        self.calls.append(
            StreamCall(
                question,
                list(history),
                language,
                list(doc_ids) if doc_ids else None,
                list(langs) if langs else None,
            )
        )
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            answer = self.answer_for(question)
            if evidence_events and answer.citations:
                cited = answer.citations[0]
                sentence = EvidenceSentence(cited.supporting_sentences[0], cited.passage, "")
                yield RetrievedEvidence([sentence])
            pieces = [answer.text[i : i + 4] for i in range(0, len(answer.text), 4)]
            for n, piece in enumerate(pieces):
                if self.fail_after is not None and n >= self.fail_after:
                    raise RuntimeError("model server went away (secret-token-123)")
                if self.delay:
                    time.sleep(self.delay)
                yield piece
            yield answer
        finally:
            with self._lock:
                self.active -= 1


@dataclass
class FakeIndex:
    docs: list[DocumentInfo] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    fingerprint: str = "use:abc123"

    def documents(self) -> list[DocumentInfo]:
        return list(self.docs)

    def delete_document(self, doc_id: str) -> None:
        self.deleted.append(doc_id)
        self.docs = [d for d in self.docs if d.doc_id != doc_id]


class FakeIngest:
    """Like ``ingest_paths`` on the files it is given: bytes starting "%PDF-1" or text load;
    anything containing "CORRUPT" fails with a clear reason, as the loaders would."""

    def __init__(self, index: FakeIndex, corpus_dir: Path):
        self.index = index
        self.corpus_dir = corpus_dir
        self.calls: list[list[Path]] = []
        self.progress_seen: list[tuple[float, str]] = []

    def __call__(self, paths: list[Path], progress=None) -> IngestReport:
        self.calls.append(list(paths))
        report = IngestReport()
        for n, path in enumerate(paths):
            if progress:
                progress(n / len(paths), f"reading {path.name}")
                self.progress_seen.append((n / len(paths), path.name))
            if b"CORRUPT" in path.read_bytes():
                report.failed.append((str(path), "PDF is damaged and cannot be read"))
                continue
            doc_id = path.resolve().relative_to(self.corpus_dir.resolve()).as_posix()
            known = {d.doc_id for d in self.index.docs}
            (report.updated if doc_id in known else report.added).append(doc_id)
            self.index.docs = [d for d in self.index.docs if d.doc_id != doc_id]
            self.index.docs.append(
                DocumentInfo(doc_id, path.name, path.stem, "en", None, 3, str(path))
            )
        return report


SHIPPED = [
    DocumentInfo(
        "zh/000_b645ea8b0039a4ff.txt", "000_b645ea8b0039a4ff.txt", "联合报告", "zh", None, 12
    ),
    DocumentInfo("en/CHN_73_2018.txt", "CHN_73_2018.txt", "China statement", "en", "A/73/PV.9", 8),
]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("ASSISTANT_ADMIN_USER", "ASSISTANT_ADMIN_PASSWORD", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    corpus = tmp_path / "corpus"
    (corpus / "zh").mkdir(parents=True)
    return Settings(
        paths=PathSettings(
            corpus_dir=corpus,
            index_dir=tmp_path / "index",
            feedback_file=tmp_path / "feedback" / "feedback.jsonl",
        ),
        app=AppSettings(max_upload_mb=1),
    )


@pytest.fixture
def fake_index() -> FakeIndex:
    return FakeIndex(docs=list(SHIPPED))


@pytest.fixture
def services(settings: Settings, fake_index: FakeIndex) -> UIServices:
    return UIServices(
        assistant=FakeAssistant(),
        documents=fake_index,
        ingest=FakeIngest(fake_index, settings.paths.corpus_dir),
    )
