"""The document formats beyond PDF text: Word, web pages and scans, made from the shipped corpus.

``bench_ingest --formats`` writes, into its work directory, Word files (the corpus paragraphs as
a Word-numbered list under a title), saved web pages (the same paragraphs inside navigation,
scripts and a footer) and scanned PDFs (Chinese corpus lines printed into page images with Noto
Sans CJK at the OCR resolution, no text layer). Then it measures:

- loading throughput per format (load, clean, detect paragraphs and languages, chunk), in files,
  characters and chunks per second;
- OCR pages per second with ``ingest.ocr_threads`` (2: the machine's cores) and the character
  error rate of every page against the text drawn into it;
- one ingest of all of them into a fresh index (the real pipeline, embedding included): which
  share of its time OCR took.
"""

from __future__ import annotations

import logging
import shutil
import time
import unicodedata
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_ROOT, ChunkSettings, Settings
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document_loading import load_document
from assistant.ingest.loaders.pdf import OCR_TALLY

logger = logging.getLogger(__name__)

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
_SC_FACE = 2
_A4_INCHES = (8.27, 11.69)
_POINT_SIZE = 12
_LINE_CHARS = 34  # Han characters per printed line at 12 pt inside one-inch margins
_LINES_PER_PAGE = 30
_NAV = (
    "<header><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li>"
    "<li><a href='/press'>Press releases</a></li><li><a href='/contact'>Contact</a></li>"
    "</ul></nav></header><div class='sidebar'><a href='/related'>Related stories</a></div>"
)
_SCRIPT = "<script>window.analytics = {menu: 'Home News Press'}; console.log(1);</script>"


def corpus_paragraphs(min_chars: int = 40) -> dict[str, list[list[str]]]:
    """Paragraphs of each shipped document, by language: the text the files are made of."""
    out: dict[str, list[list[str]]] = {"zh": [], "en": []}
    for lang in out:
        for path in sorted((PROJECT_ROOT / "corpus" / lang).glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
            out[lang].append([p for p in paragraphs if len(p) >= min_chars])
    return out


def make_word_files(folder: Path, count: int) -> list[Path]:
    from docx import Document

    folder.mkdir(parents=True, exist_ok=True)
    sources = [doc for docs in corpus_paragraphs().values() for doc in docs]
    paths = []
    for n in range(count):
        paragraphs = sources[n % len(sources)]
        document = Document()
        document.add_paragraph(f"Report {n + 1}", style="Title")
        for paragraph in paragraphs:
            document.add_paragraph(paragraph, style="List Number")
        path = folder / f"report-{n + 1:03d}.docx"
        document.save(str(path))
        paths.append(path)
    return paths


def make_web_pages(folder: Path, count: int) -> list[Path]:
    from html import escape

    folder.mkdir(parents=True, exist_ok=True)
    sources = [doc for docs in corpus_paragraphs().values() for doc in docs]
    paths = []
    for n in range(count):
        body = "".join(f"<p>{escape(p)}</p>" for p in sources[n % len(sources)])
        page = (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Statement {n + 1}</title>"
            f"<meta name='date' content='2018-09-{(n % 28) + 1:02d}'>{_SCRIPT}</head><body>"
            f"{_NAV}<main><article><h1>Statement {n + 1}</h1>{body}</article></main>"
            f"<footer>Copyright United Nations · Terms of use</footer>{_SCRIPT}</body></html>"
        )
        path = folder / f"statement-{n + 1:03d}.html"
        path.write_text(page, encoding="utf-8")
        paths.append(path)
    return paths


def scan_lines(pages: int) -> list[list[str]]:
    """Printed lines of ``pages`` pages, cut from the Chinese corpus text."""
    text = "".join("".join(doc) for doc in corpus_paragraphs()["zh"])
    lines = [text[i : i + _LINE_CHARS] for i in range(0, len(text), _LINE_CHARS)]
    return [
        lines[p * _LINES_PER_PAGE : (p + 1) * _LINES_PER_PAGE]
        for p in range(min(pages, len(lines) // _LINES_PER_PAGE))
    ]


def scanned_page(lines: list[str], dpi: int, point_size: int = _POINT_SIZE) -> Any:
    """A white A4 page image with ``lines`` printed from the one-inch top margin."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(CJK_FONT), round(point_size * dpi / 72), _SC_FACE)
    width, height = (round(side * dpi) for side in _A4_INCHES)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    step = round(point_size * dpi / 72 * 1.8)
    for row, line in enumerate(lines):
        draw.text((dpi, dpi + row * step), line, font=font, fill=0)
    return image


def scanned_pdf(path: Path, pages: list[list[str]], dpi: int) -> Path:
    """A PDF of image-only pages, one per entry of ``pages`` (an empty list: a blank scan)."""
    images = [scanned_page(lines, dpi) for lines in pages]
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path


def make_scans(folder: Path, pages: int, dpi: int, pages_per_file: int = 5) -> list[Path]:
    """Image-only PDFs of the corpus lines (``scan_lines``), ``pages_per_file`` pages each."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = scan_lines(pages)
    return [
        scanned_pdf(folder / f"scan-{n + 1:02d}.pdf", texts[start : start + pages_per_file], dpi)
        for n, start in enumerate(range(0, len(texts), pages_per_file))
    ]


def loading_throughput(paths: list[Path], settings: Settings) -> dict[str, Any]:
    """Load, clean and chunk each file (no embedding): the per-format cost of reading."""
    started = time.perf_counter()
    chars = chunks = 0
    chunking: ChunkSettings = settings.chunking
    for path in paths:
        doc = load_document(path, path.parent, settings.ingest)
        chars += len(doc.text)
        chunks += len(chunk_document(doc, chunking))
    seconds = time.perf_counter() - started
    megabytes = sum(p.stat().st_size for p in paths) / 1024**2
    return {
        "files": len(paths),
        "source_mb": round(megabytes, 3),
        "chars": chars,
        "chunks": chunks,
        "seconds": round(seconds, 3),
        "files_per_s": round(len(paths) / seconds, 2) if seconds else None,
        "chars_per_s": round(chars / seconds) if seconds else None,
        "chunks_per_s": round(chunks / seconds, 1) if seconds else None,
        "mb_per_s": round(megabytes / seconds, 3) if seconds else None,
    }


def ocr_accuracy_and_speed(paths: list[Path], settings: Settings, pages: int) -> dict[str, Any]:
    """OCR every scanned page; pages per second and per-page character error rate, beside the
    way the loader recognised pages before issue 26 (one engine on ``ocr_threads`` onnxruntime
    threads, pages one after another), file by file in the same run."""
    from assistant.ingest.loaders import load_file

    expected = ["".join(lines) for lines in scan_lines(pages)]
    recognised: list[str] = []
    before_text: list[str] = []
    confidences: list[float] = []
    ocr_seconds = before_seconds = 0.0
    ocr_pages = 0
    started = time.perf_counter()
    for path in paths:
        t0 = time.perf_counter()
        before_text += _ocr_as_before(path, settings)
        before_seconds += time.perf_counter() - t0
        tally_pages, tally_s = OCR_TALLY.pages, OCR_TALLY.seconds
        for page in load_file(path, settings.ingest).pages:
            recognised.append(page.text)
            confidences.append(page.ocr_confidence or 0.0)
        ocr_pages += OCR_TALLY.pages - tally_pages
        ocr_seconds += OCR_TALLY.seconds - tally_s
    wall = time.perf_counter() - started
    pairs = list(zip(recognised, expected, strict=False))
    cers = [character_error_rate(got, want) for got, want in pairs]
    old_cers = [character_error_rate(a, b) for a, b in zip(before_text, expected, strict=False)]
    # Full-width and half-width forms folded (，/, （/( ¹/1), as the BM25 tokens see the text.
    folded = [
        character_error_rate(
            unicodedata.normalize("NFKC", got), unicodedata.normalize("NFKC", want)
        )
        for got, want in pairs
    ]
    return {
        "pages": ocr_pages,
        "dpi": settings.ingest.ocr_dpi,
        "threads": settings.ingest.ocr_threads,
        "ocr_seconds": round(ocr_seconds, 2),
        "wall_seconds": round(wall, 2),
        "pages_per_s": round(ocr_pages / ocr_seconds, 3) if ocr_seconds else None,
        "seconds_per_page": round(ocr_seconds / ocr_pages, 2) if ocr_pages else None,
        "cer_mean": round(sum(cers) / len(cers), 4) if cers else None,
        "cer_max": round(max(cers), 4) if cers else None,
        "cer_width_folded_mean": round(sum(folded) / len(folded), 4) if folded else None,
        "line_rotation": settings.ingest.ocr_line_rotation,
        "mean_confidence": round(sum(confidences) / len(confidences), 4) if confidences else None,
        "chars_per_page": round(sum(map(len, expected)) / len(expected)) if expected else None,
        "before": {
            "how": "one engine on `threads` onnxruntime threads, pages one after another, "
            "the shipped graphs, the detector on the full page",
            "seconds_per_page": round(before_seconds / len(before_text), 2)
            if before_text
            else None,
            "cer_mean": round(sum(old_cers) / len(old_cers), 4) if old_cers else None,
            "cer_max": round(max(old_cers), 4) if old_cers else None,
            "same_text": before_text == recognised,
            "seconds_ratio": round(ocr_seconds / before_seconds, 3) if before_seconds else None,
        },
    }


def _ocr_as_before(path: Path, settings: Settings) -> list[str]:
    """The page texts of a scanned PDF recognised as the loader did before issue 26."""
    import pypdfium2
    from rapidocr_onnxruntime import RapidOCR

    from assistant.ingest.loaders.ocr import _line, reading_order_text

    options = settings.ingest
    global _BEFORE_ENGINE
    if _BEFORE_ENGINE is None:
        _BEFORE_ENGINE = RapidOCR(
            intra_op_num_threads=options.ocr_threads or -1, inter_op_num_threads=1
        )
    document = pypdfium2.PdfDocument(str(path))
    texts = []
    try:
        for page in document:
            image = page.render(scale=options.ocr_dpi / 72, grayscale=True).to_numpy()
            found, _ = _BEFORE_ENGINE(
                image, use_cls=options.ocr_line_rotation, text_score=options.ocr_min_confidence
            )
            lines = [line for line in (_line(item) for item in found or []) if line.text.strip()]
            texts.append(reading_order_text(lines))
    finally:
        document.close()
    return texts


_BEFORE_ENGINE: Any = None


def ingest_share(folder: Path, settings: Settings, work_dir: Path) -> dict[str, Any]:
    """One real ingest of every made file into a fresh index: the share OCR took."""
    from assistant.index.factory import open_index
    from assistant.ingest.pipeline import ingest_paths

    index_path = work_dir / "formats-index"
    shutil.rmtree(index_path, ignore_errors=True)
    settings = settings.model_copy(deep=True)
    settings.paths.index_dir = index_path
    index = open_index(settings)
    try:
        before = OCR_TALLY.seconds
        report = ingest_paths([folder], index, settings)
        ocr_seconds = OCR_TALLY.seconds - before
    finally:
        index.close()
    total = report.seconds_total
    return {
        "documents": len(report.added),
        "failed": report.failed,
        "chunks": report.chunks_written,
        "seconds_total": round(total, 2),
        "seconds_loading": round(report.seconds_loading, 2),
        "seconds_embedding": round(report.seconds_embedding, 2),
        "seconds_writing": round(report.seconds_writing, 2),
        "seconds_ocr": round(ocr_seconds, 2),
        "ocr_share": round(ocr_seconds / total, 3) if total else None,
    }


def character_error_rate(recognised: str, reference: str) -> float:
    """Levenshtein distance over characters, whitespace ignored, per reference character."""
    a = "".join(recognised.split())
    b = "".join(reference.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(len(b), 1)


def measure_formats(work_dir: Path, quick: bool, threads: int = 2) -> dict[str, Any]:
    """Make the files, then the three measurements; OCR parts are skipped without the font."""
    settings = Settings()
    settings.ingest.ocr_threads = threads
    folder = work_dir / ("formats-quick" if quick else "formats")
    shutil.rmtree(folder, ignore_errors=True)
    word = make_word_files(folder / "word", 3 if quick else 40)
    web = make_web_pages(folder / "web", 3 if quick else 40)
    results: dict[str, Any] = {
        "docx": loading_throughput(word, settings),
        "html": loading_throughput(web, settings),
    }
    if CJK_FONT.is_file():
        pages = 2 if quick else 10
        scans = make_scans(folder / "scans", pages, settings.ingest.ocr_dpi)
        results["ocr"] = ocr_accuracy_and_speed(scans, settings, pages)
    else:
        results["ocr"] = {"skipped": f"{CJK_FONT} missing (apt-get install fonts-noto-cjk)"}
    results["ingest"] = ingest_share(folder, settings, work_dir)
    return results
