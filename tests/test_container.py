"""The composition root: services built lazily, once, over one index and one embedder."""

from __future__ import annotations

import pytest

from assistant.container import Container, build_chat_model
from assistant.document_service import UnknownDocumentError
from assistant.models.lazy_model import LazyChatModel
from tests.answer.conftest import ScriptedModel
from tests.conftest import CORPUS_DIR


def test_nothing_is_built_until_asked_for(settings_for, tmp_path) -> None:
    container = Container(settings_for(tmp_path / "index"))

    container.close()  # nothing opened: nothing to close

    assert not (tmp_path / "index").exists()


def test_the_chat_model_is_built_by_one_function_and_loads_lazily(settings_for, tmp_path):
    settings = settings_for(tmp_path / "index")
    settings.llm.model = str(tmp_path / "missing.gguf")

    model = build_chat_model(settings)

    assert isinstance(model, LazyChatModel)
    assert Container(settings).chat_model is not model  # one per container, still lazy
    with pytest.raises(Exception, match=r"missing\.gguf"):
        model.count_tokens("x")


def test_services_share_one_index_and_one_embedder(settings_for, tmp_path, use_embedder):
    corpus = tmp_path / "corpus"
    (corpus / "en").mkdir(parents=True)
    (corpus / "en" / "NGA_73_2018.txt").write_bytes(
        (CORPUS_DIR / "en/NGA_73_2018.txt").read_bytes()
    )
    settings = settings_for(tmp_path / "index", corpus)
    settings.retrieval.term_translation = False  # the term bridge is not what this is about
    model = ScriptedModel()

    with Container(settings, embedder=use_embedder, chat_model=model) as container:
        report = container.ingest([corpus])
        found = container.retriever.search("Nigeria", 3)

        assert report.added == ["en/NGA_73_2018.txt"]
        assert container.retriever.index is container.index
        assert container.assistant.retriever is container.retriever
        assert container.assistant.chat_model is model
        assert container.assistant.vectors.embedder is container.embedder is use_embedder
        assert found and found[0].doc_id == "en/NGA_73_2018.txt"
        assert container.documents.resolve(["NGA_73_2018.txt"]) == ["en/NGA_73_2018.txt"]
        assert container.documents.fingerprint == container.index.fingerprint
        with pytest.raises(UnknownDocumentError, match=r"no indexed document named 'x\.pdf'"):
            container.documents.resolve(["x.pdf"])
        container.documents.delete_document("en/NGA_73_2018.txt")
        assert container.retriever.search("Nigeria", 3) == []
