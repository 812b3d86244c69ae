"""Build the English UN n-gram counts that choose CC-CEDICT senses for translations.

Reads the UN General Debate statements (``--ungdc``, a folder of English ``.txt`` files) and
the English column of the UN Parallel Corpus development set (``--unpc``, a TSV with an ``en``
column), counts their lower-cased 1–3-word n-grams, keeps those a rendering can ask about
(CC-CEDICT sense phrases and their regular forms, and compositions of them seen at least
``--min-composed`` times: ``assistant.text.un_ngrams``) and writes them, gzip-compressed, to
``--out`` (by default the file shipped in the package). Run from the project root:

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

from assistant.text.cedict_senses import load_senses, sense_forms  # noqa: E402
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


def unpc_english(path: Path) -> Iterator[str]:
    """The English column of the UNPC development set."""
    with open(path, encoding="utf-8", newline="") as rows:
        reader = csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE)
        count = 0
        for row in reader:
            count += 1
            yield row["en"] or ""
    logger.info("UNPC: %d English sentences in %s", count, path)


def sense_vocabulary(cedict: Path | None) -> set[str]:
    """Every CC-CEDICT sense phrase and regular form short enough to count."""
    senses = load_senses(cedict)
    vocabulary = {form for found in senses.values() for s in found for form in sense_forms(s)}
    logger.info("CC-CEDICT: %d headwords, %d sense phrases and forms", len(senses), len(vocabulary))
    return vocabulary


def build(
    ungdc: Path, unpc: Path, out: Path, cedict: Path | None = None, min_composed: int = MIN_COMPOSED
) -> dict[str, int]:
    """Count, prune and write; returns what was written."""
    counts: Counter[str] = count_ngrams(ungdc_texts(ungdc))
    counts.update(count_ngrams(unpc_english(unpc)))
    logger.info("%d distinct n-grams counted", len(counts))
    kept = prune(counts, sense_vocabulary(cedict), min_composed)
    header = [
        "English UN n-grams (lower-cased, 1-3 words) with their counts; "
        "built by scripts/build_un_term_frequencies.py.",
        f"Sources: {ungdc.name}/ (UN General Debate Corpus statements, "
        f"{sum(1 for _ in ungdc.rglob('*.txt'))} files) and the 'en' column of {unpc.name} "
        "(UN Parallel Corpus v1.0 development set).",
        "Kept: CC-CEDICT sense phrases and their regular forms that occur, and compositions of "
        f"two or three of them (no function words) seen at least {min_composed} times.",
        "Format: ngram<TAB>count. CC-CEDICT is CC BY-SA 4.0 (MDBG); UNGDC: Baturo, Dasandi and "
        "Mikhaylov 2017; UNPC: Ziemski, Junczys-Dowmunt and Pouliquen, LREC 2016.",
    ]
    write_counts(out, kept, header)
    logger.info("%d n-grams written to %s (%.0f KB)", len(kept), out, out.stat().st_size / 1024)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ungdc", type=Path, default=SHARED_DATA / "ungdc")
    parser.add_argument("--unpc", type=Path, default=SHARED_DATA / "unpc" / "unpc_devset_en_zh.tsv")
    parser.add_argument("--out", type=Path, default=NGRAMS_FILE)
    parser.add_argument("--cedict", type=Path, default=None, help="CC-CEDICT .txt.gz file")
    parser.add_argument("--min-composed", type=int, default=MIN_COMPOSED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for source in (args.ungdc, args.unpc):
        if not source.exists():
            logger.error("%s not found (the shared UN data: see ../shared/data/README.md)", source)
            return 1
    build(args.ungdc, args.unpc, args.out, args.cedict, args.min_composed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
