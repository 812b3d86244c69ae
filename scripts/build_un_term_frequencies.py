"""Build the UN usage counts that choose CC-CEDICT senses for translations.

Reads the UN General Debate statements (``--ungdc``, a folder of English ``.txt`` files) and
the UN Parallel Corpus development set (``--unpc``, a TSV with ``en`` and ``zh`` columns), and
writes two gzip-compressed tables (by default the files shipped in the package):

* ``--out``: the lower-cased 1–3-word n-grams of all the English, kept where a rendering can
  ask about them (CC-CEDICT sense phrases and their regular forms, and compositions of them
  seen at least ``--min-composed`` times: ``assistant.text.un_ngrams``);
* ``--aligned-out``: for each Chinese word of the UNPC sentences, how many sentence pairs
  translate it by each of its CC-CEDICT senses (``assistant.text.aligned_senses``).

Run from the project root:

    python scripts/build_un_term_frequencies.py

The inputs live in ../shared/data (CI has them; the app never reads them: it reads the output).
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from assistant.text.aligned_senses import (  # noqa: E402
    ALIGNED_FILE,
    count_aligned_senses,
    write_aligned,
)
from assistant.text.cedict_senses import SenseDictionary, load_senses, sense_forms  # noqa: E402
from assistant.text.tokenize import lexical_tokens  # noqa: E402
from assistant.text.un_ngrams import NGRAMS_FILE, count_ngrams, prune, write_counts  # noqa: E402

logger = logging.getLogger("build_un_term_frequencies")

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
MIN_COMPOSED = 2


def ungdc_texts(folder: Path) -> Iterator[str]:
    """Each statement's text, in file-name order (the counts do not depend on it)."""
    files = sorted(folder.rglob("*.txt"))
    logger.info("UNGDC: %d statements in %s", len(files), folder)
    for number, path in enumerate(files, 1):
        if number % 250 == 0:
            logger.info("UNGDC: %d/%d statements read", number, len(files))
        yield path.read_text(encoding="utf-8", errors="replace")


def unpc_pairs(path: Path) -> list[tuple[str, str]]:
    """The (Chinese, English) sentence pairs of the UNPC development set."""
    with open(path, encoding="utf-8", newline="") as rows:
        reader = csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE)
        pairs = [(row["zh"] or "", row["en"] or "") for row in reader]
    logger.info("UNPC: %d sentence pairs in %s", len(pairs), path)
    return pairs


def sense_vocabulary(senses: SenseDictionary) -> set[str]:
    """Every CC-CEDICT sense phrase and regular form short enough to count."""
    vocabulary = {form for found in senses.values() for s in found for form in sense_forms(s)}
    logger.info("CC-CEDICT: %d headwords, %d sense phrases and forms", len(senses), len(vocabulary))
    return vocabulary


def build(
    ungdc: Path,
    unpc: Path,
    out: Path,
    aligned_out: Path,
    cedict: Path | None = None,
    min_composed: int = MIN_COMPOSED,
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Count, prune and write both tables; returns what was written."""
    senses = load_senses(cedict)
    pairs = unpc_pairs(unpc)
    statements = sum(1 for _ in ungdc.rglob("*.txt"))
    counts: Counter[str] = count_ngrams(ungdc_texts(ungdc))
    counts.update(count_ngrams(english for _, english in pairs))
    logger.info("%d distinct n-grams counted", len(counts))
    kept = prune(counts, sense_vocabulary(senses), min_composed)
    sources = (
        f"Sources: {ungdc.name}/ (UN General Debate Corpus statements, {statements} files) and "
        f"{unpc.name} ({len(pairs)} sentence pairs of the UN Parallel Corpus v1.0 development "
        "set; its 'en' column for the n-grams)."
    )
    licences = (
        "CC-CEDICT is CC BY-SA 4.0 (MDBG); UNGDC: Baturo, Dasandi and Mikhaylov 2017; "
        "UNPC: Ziemski, Junczys-Dowmunt and Pouliquen, LREC 2016."
    )
    write_counts(
        out,
        kept,
        [
            "English UN n-grams (lower-cased, 1-3 words) with their counts; "
            "built by scripts/build_un_term_frequencies.py.",
            sources,
            "Kept: CC-CEDICT sense phrases and their regular forms that occur, and compositions "
            f"of two or three of them (no function words) seen at least {min_composed} times.",
            f"Format: ngram<TAB>count. {licences}",
        ],
    )
    logger.info("%d n-grams written to %s (%.0f KB)", len(kept), out, out.stat().st_size / 1024)
    logger.info("UNPC: counting the senses each Chinese word is translated by")
    aligned = dict(count_aligned_senses(pairs, senses, lexical_tokens))
    write_aligned(
        aligned_out,
        aligned,
        [
            "Chinese words (jieba, search mode) of the UNPC development set with the number of "
            "sentence pairs whose English has each CC-CEDICT sense of the word; built by "
            "scripts/build_un_term_frequencies.py.",
            sources,
            f"Format: word<TAB>sense<TAB>pairs. {licences}",
        ],
    )
    logger.info(
        "%d (word, sense) counts written to %s (%.0f KB)",
        len(aligned),
        aligned_out,
        aligned_out.stat().st_size / 1024,
    )
    return kept, aligned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ungdc", type=Path, default=SHARED_DATA / "ungdc")
    parser.add_argument("--unpc", type=Path, default=SHARED_DATA / "unpc" / "unpc_devset_en_zh.tsv")
    parser.add_argument("--out", type=Path, default=NGRAMS_FILE)
    parser.add_argument("--aligned-out", type=Path, default=ALIGNED_FILE)
    parser.add_argument("--cedict", type=Path, default=None, help="CC-CEDICT .txt.gz file")
    parser.add_argument("--min-composed", type=int, default=MIN_COMPOSED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for source in (args.ungdc, args.unpc):
        if not source.exists():
            logger.error("%s not found (the shared UN data: see ../shared/data/README.md)", source)
            return 1
    build(args.ungdc, args.unpc, args.out, args.aligned_out, args.cedict, args.min_composed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
