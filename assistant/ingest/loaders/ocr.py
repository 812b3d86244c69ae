"""Optical character recognition of scanned pages, on the CPU, with models shipped in a wheel.

``rapidocr-onnxruntime`` carries PaddleOCR's PP-OCRv4 detection and recognition models and the
PP-OCR direction classifier (Chinese and English in one recogniser, ~16 MB) inside its wheel
under ``rapidocr_onnxruntime/models``; nothing is fetched at run time. When the engines load,
the detection and recognition graphs are rewritten into equivalent, faster ones
(``ocr_graph``). Pages are rendered with ``pypdfium2`` (PDFium, the renderer of Chrome), in grey
scale, at ``ingest.ocr_dpi``.

The recogniser returns text boxes in no particular order. They are put back into reading order
(top to bottom, boxes on one line left to right) and written one line of text per printed line,
which is what PDF text extraction gives, so the same cleaner rejoins lines into paragraphs.
"""

from __future__ import annotations

import logging
import queue
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.text.cjk import is_cjk

logger = logging.getLogger(__name__)

# Two boxes whose vertical centres are closer than this share of the line height are on one
# printed line.
_SAME_LINE = 0.5


@dataclass(frozen=True)
class OcrLine:
    """One recognised text box: its text, the recogniser's confidence, its bounding box."""

    text: str
    confidence: float
    left: float
    top: float
    right: float
    bottom: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class OcrPage:
    """The text of one page in reading order; ``confidence`` is the mean over its characters
    (each line's score weighted by its length), ``None`` when nothing was recognised."""

    text: str
    confidence: float | None
    boxes: int


class PageRecogniser:
    """Recognises the text of page images with a shared pool of single-threaded engines.

    ``workers`` pages are recognised at once, each by its own engine on one onnxruntime thread
    (``ingest.ocr_threads``; ``None``: one a physical core). Measured on the benchmark's scans
    (2 shared cores, load 3-5): one engine on two threads 7.5-9.2 s a page, on one thread 5.2
    s, two pages at once on one thread each 6.1 s a page under heavier load; the output is
    the same (the models do not depend on the thread count). A two-thread engine spends its
    second thread spin-waiting whenever anything else runs; two one-thread engines keep both
    cores on real work.
    """

    def __init__(
        self,
        min_confidence: float = 0.5,
        workers: int | None = None,
        line_rotation: bool = False,
        detector_side: int = 960,
    ) -> None:
        from assistant.models.hardware import physical_cores

        self.min_confidence = min_confidence
        self.workers = max(1, workers or physical_cores())
        self.line_rotation = line_rotation
        self.detector_side = detector_side

    def recognise(self, image: np.ndarray) -> OcrPage:
        """Text of a grey-scale or BGR page image (thread-safe; waits for a free engine)."""
        pool = _engines(self.workers, self.detector_side)
        engine = pool.get()
        try:
            found, _elapsed = engine(
                image, use_cls=self.line_rotation, text_score=self.min_confidence
            )
        finally:
            pool.put(engine)
        lines = [_line(item) for item in found or []]
        lines = [line for line in lines if line.text.strip()]
        return OcrPage(reading_order_text(lines), mean_confidence(lines), len(lines))


def reading_order_text(lines: list[OcrLine]) -> str:
    """Boxes joined into printed lines (top to bottom, each left to right), one per line."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda b: (b.middle, b.left)):
        row = rows[-1] if rows else None
        if row and abs(line.middle - _row_middle(row)) < _SAME_LINE * max(line.height, 1.0):
            row.append(line)
        else:
            rows.append([line])
    return "\n".join(_join_row(sorted(row, key=lambda b: b.left)) for row in rows)


def mean_confidence(lines: list[OcrLine]) -> float | None:
    """Confidence per recognised character: a long line counts for more than a stray mark."""
    weights = [len(line.text.strip()) for line in lines]
    if not sum(weights):
        return None
    total = sum(line.confidence * w for line, w in zip(lines, weights, strict=True))
    return total / sum(weights)


def _row_middle(row: list[OcrLine]) -> float:
    return sum(b.middle for b in row) / len(row)


def _join_row(row: list[OcrLine]) -> str:
    """Boxes of one printed line: no space between Chinese text, one between Latin words."""
    out = row[0].text.strip()
    for box in row[1:]:
        text = box.text.strip()
        glue = "" if is_cjk(out[-1:]) and is_cjk(text[:1]) else " "
        out += glue + text
    return out


def _line(item: Any) -> OcrLine:
    box, text, score = item[0], str(item[1]), float(item[2])
    xs = [float(p[0]) for p in box]
    ys = [float(p[1]) for p in box]
    return OcrLine(text, score, min(xs), min(ys), max(xs), max(ys))


@lru_cache(maxsize=2)
def _engines(count: int, detector_side: int) -> queue.Queue[Any]:
    """``count`` engines on one onnxruntime thread each, loaded once (about a second each) for
    every page that follows; a caller takes one from the queue and puts it back."""
    from rapidocr_onnxruntime import RapidOCR

    logger.info("Loading the OCR models (PP-OCRv4, from the rapidocr-onnxruntime wheel) x%d", count)
    pool: queue.Queue[Any] = queue.Queue()
    with tempfile.TemporaryDirectory(prefix="assistant-ocr-") as folder:
        models = _fused_models(Path(folder))
        for _ in range(count):
            engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, **models)
            _limit_detector_input(engine, detector_side)
            pool.put(engine)
    return pool


def _fused_models(folder: Path) -> dict[str, str]:
    """The wheel's detection and recognition models rewritten into ``folder`` (onnxruntime
    reads them when a session is made, so the folder may go afterwards), as RapidOCR's
    ``det_model_path`` / ``rec_model_path``; the wheel's own files where a rewrite fails."""
    import rapidocr_onnxruntime

    from assistant.ingest.loaders.ocr_graph import write_fused_model

    shipped = Path(rapidocr_onnxruntime.__file__).parent / "models"
    paths: dict[str, str] = {}
    for key, name in _MODELS.items():
        target = folder / name
        try:
            rewrite = write_fused_model(shipped / name, target)
        except Exception as exc:  # an unexpected graph: the original still works, only slower
            logger.warning("OCR model %s used as shipped (rewrite failed: %s)", name, exc)
            continue
        logger.debug("OCR model %s: %s", name, rewrite)
        paths[key] = str(target)
    return paths


_MODELS = {
    "det_model_path": "ch_PP-OCRv4_det_infer.onnx",
    "rec_model_path": "ch_PP-OCRv4_rec_infer.onnx",
}


def _limit_detector_input(engine: Any, side: int) -> None:
    """Run the text detector on the page scaled so that its longer side is at most ``side``
    pixels (PaddleOCR's own default: 960, ``det_limit_type: max``).

    rapidocr-onnxruntime 1.4 ignores ``det_limit_side_len`` in ``max`` mode (it picks 960,
    1500 or 2000 from the page's size), so a 150-dpi A4 page was detected at full size. At 960
    the detector takes a sixth of the time and, on the benchmark's pages at 8-12 pt and 150-300
    dpi, the character error rate fell from 1.6-1.8 % to 0.4-0.6 %: the line boxes come out
    with a margin around the glyphs (31 pixels high for 25-pixel characters, against 25), which
    the recogniser reads better and, scaled to its 48-pixel input height, in a fifth less
    width. Recognition still reads the lines from the full-size page.
    """
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    detector = engine.text_det
    detector.get_preprocess = lambda _longest: DetPreProcess(
        side, "max", detector.mean, detector.std
    )
