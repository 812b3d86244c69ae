"""PDF page by page: the text layer where it holds text, OCR where the page is a scan.

Mixed PDFs are common (a typed letter with a scanned annex, a report whose signature page is an
image), so the decision is made per page: a page whose text layer is empty or garbage (glyphs
without a Unicode mapping come out as control, private-use or replacement characters) is
rendered and recognised instead (``assistant.ingest.loaders.ocr``). Page numbers are kept
either way, and an OCR'd page records its mean confidence for the sources panel.
"""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pypdf import PageObject, PdfReader
from tqdm import tqdm

from assistant.config import IngestSettings
from assistant.ingest.loaders.base import LoadedFile, LoadError
from assistant.ingest.loaders.ocr import OcrPage, PageRecogniser
from assistant.schema import Page
from assistant.text.cjk import HAN

logger = logging.getLogger(__name__)

_MEANINGFUL = re.compile(f"[{HAN}A-Za-z0-9]")
# Below this share of letters, digits and Han characters among the non-space characters, a text
# layer is debris, not text.
_MIN_MEANINGFUL_SHARE = 0.5
_MAX_FORM_DEPTH = 4  # forms nested in forms: deeper means a malformed (cyclic) file


@dataclass
class OcrTally:
    """Pages recognised by OCR and the wall seconds spent recognising (rendering included),
    summed over a process (benchmarks)."""

    pages: int = 0
    seconds: float = 0.0


OCR_TALLY = OcrTally()


def load_pdf(path: Path, options: IngestSettings) -> LoadedFile:
    """Every page that holds text, numbered from 1; scanned pages through OCR when enabled."""
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not _open_with_empty_password(reader):
            raise LoadError(
                path, "encrypted PDF; remove the password first (e.g. `qpdf --decrypt`)"
            )
        layers = [(page.extract_text() or "", _has_image(page)) for page in reader.pages]
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files; report, don't crash
        raise LoadError(path, f"corrupt or unreadable PDF ({exc}); re-export or repair it") from exc
    pages = [Page(text=text, number=n) for n, (text, _) in enumerate(layers, 1)]
    scanned = [n for n, (text, image) in enumerate(layers, 1) if image and needs_ocr(text, options)]
    if scanned and options.ocr:
        recognised = _recognise(path, scanned, options)
        # A thin text layer (a title page, "Annex") stays when OCR reads nothing better.
        pages = [recognised.get(page.number or 0, page) for page in pages]
    pages = [page for page in pages if page.text.strip()]
    if not pages:
        if scanned and options.ocr:
            raise LoadError(
                path,
                "no extractable text: no text layer, and OCR found no text (a blank or "
                "illegible scan?); rescan at 300 dpi or higher",
            )
        raise LoadError(
            path,
            "no extractable text (a scanned PDF?); turn on OCR (ingest.ocr) or run "
            "`ocrmypdf` on it first",
        )
    return LoadedFile(pages)


def needs_ocr(text: str, options: IngestSettings) -> bool:
    """Whether a page's text layer is too thin or too garbled to be the page's text."""
    visible = [ch for ch in text if not ch.isspace()]
    meaningful = len(_MEANINGFUL.findall(text))
    if meaningful < options.text_layer_min_chars:
        return True
    return meaningful < _MIN_MEANINGFUL_SHARE * len(visible)


def _recognise(path: Path, numbers: list[int], options: IngestSettings) -> dict[int, Page]:
    """OCR of the given pages (1-based) where it found text, rendered with PDFium.

    PDFium is not thread-safe, so pages are rendered here one after another, and recognised
    ``recogniser.workers`` at a time on worker threads (onnxruntime releases the GIL); at most
    twice that many rendered pages wait in memory.
    """
    import pypdfium2

    recogniser = PageRecogniser(
        options.ocr_min_confidence,
        options.ocr_threads,
        options.ocr_line_rotation,
        options.ocr_detector_side,
    )
    scale = options.ocr_dpi / 72
    pages: dict[int, Page] = {}
    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise LoadError(path, f"PDF pages cannot be rendered for OCR ({exc})") from exc
    logger.info("%s: %d page(s) without a text layer; recognising them", path.name, len(numbers))
    started = time.perf_counter()

    def recognise(number: int, image: np.ndarray) -> tuple[int, OcrPage, float]:
        started = time.perf_counter()
        return number, recogniser.recognise(image), time.perf_counter() - started

    running: deque[Future[tuple[int, OcrPage, float]]] = deque()
    try:
        with (
            ThreadPoolExecutor(recogniser.workers, thread_name_prefix="ocr") as pool,
            tqdm(total=len(numbers), desc=f"OCR {path.name}", unit="page", disable=None) as bar,
        ):
            for number in numbers:
                if len(running) >= 2 * recogniser.workers:
                    _keep(path, *running.popleft().result(), pages, bar)
                image = document[number - 1].render(scale=scale, grayscale=True).to_numpy()
                running.append(pool.submit(recognise, number, image))
            while running:
                _keep(path, *running.popleft().result(), pages, bar)
    finally:
        document.close()
        OCR_TALLY.seconds += time.perf_counter() - started  # wall time: pages overlap
    return pages


def _keep(
    path: Path, number: int, result: OcrPage, elapsed: float, pages: dict[int, Page], bar: tqdm
) -> None:
    """Record one recognised page (in page order: results are taken in submission order)."""
    OCR_TALLY.pages += 1
    bar.update(1)
    logger.info(
        "OCR %s p. %d: %d lines, confidence %s, %.1f s",
        path.name,
        number,
        result.boxes,
        f"{result.confidence:.2f}" if result.confidence is not None else "-",
        elapsed,
    )
    if result.text.strip():
        pages[number] = Page(result.text, number, ocr_confidence=result.confidence)


def _has_image(page: PageObject) -> bool:
    """Whether the page draws a raster image (directly or inside a form): only such a page can
    be a scan; one with a page number and nothing else is just a thin page, not worth OCR."""
    try:
        return _resources_have_image(page.get("/Resources"), depth=0)
    except Exception:  # damaged resources: judge the page by its text layer alone
        return False


def _resources_have_image(resources: object, depth: int) -> bool:
    if depth > _MAX_FORM_DEPTH or resources is None:
        return False
    xobjects = resources.get_object().get("/XObject")  # type: ignore[attr-defined]
    if xobjects is None:
        return False
    for ref in xobjects.get_object().values():
        xobject = ref.get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            return True
        if subtype == "/Form" and _resources_have_image(xobject.get("/Resources"), depth + 1):
            return True
    return False


def _open_with_empty_password(reader: PdfReader) -> bool:
    """Many PDFs are encrypted only against editing and open with an empty password."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # pypdf raises several types for unsupported or wrong encryption
        return False
