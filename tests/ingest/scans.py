"""Scanned pages made in the tests: text drawn into an image with a CJK font, wrapped as a PDF
page with no text layer, as a flatbed scanner or a fax-to-PDF service produces them. The page
maker and the error rate are the benchmark's (``benchmarks/formats.py``), so both measure alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import formats
from benchmarks.formats import CJK_FONT, character_error_rate

__all__ = ["CJK_FONT", "EN_SEED", "ZH_SEED", "character_error_rate", "scanned_pdf"]

# Seed sentences from the shipped Chinese report (corpus/zh/000_b645ea8b0039a4ff.txt).
ZH_SEED = [
    "我谨代表安全理事会关于反恐怖主义的第1373(2001)号决议所设委员会，",
    "提及反恐怖主义办公室和反恐怖主义委员会执行局根据安全理事会",
    "第2395(2017)号决议第18段编写的联合报告。",
    "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，",
    "建议将该文件作为安全理事会文件分发。",
]
EN_SEED = [
    "The Committee considered the joint report at its 330th meeting,",
    "held on 19 April 2018, and agreed to circulate it.",
]


def require_cjk_font() -> Path:
    if not CJK_FONT.is_file():
        pytest.skip(f"{CJK_FONT} is missing: apt-get install fonts-noto-cjk (scripts/test.sh does)")
    return CJK_FONT


def scanned_pdf(path: Path, pages: list[list[str]], dpi: int = 150) -> Path:
    """Image-only pages with these lines (Noto Sans CJK SC, 12 pt); skips without the font."""
    require_cjk_font()
    return formats.scanned_pdf(path, pages, dpi)
