"""Scanned pages made in the tests: text drawn into an image with a CJK font, wrapped as a PDF
page with no text layer, as a flatbed scanner or a fax-to-PDF service produces them."""

from __future__ import annotations

from pathlib import Path

import pytest

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # Debian fonts-noto-cjk
_SC_FACE = 2  # the collection's faces: JP, KR, SC, TC, HK
A4_INCHES = (8.27, 11.69)

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


def scanned_page(lines: list[str], dpi: int = 150, point_size: int = 12):
    """A white A4 page image with ``lines`` printed at ``point_size`` from the top margin."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(require_cjk_font()), round(point_size * dpi / 72), _SC_FACE)
    width, height = (round(side * dpi) for side in A4_INCHES)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    y = dpi  # one-inch margin
    for line in lines:
        draw.text((dpi, y), line, font=font, fill=0)
        y += round(point_size * dpi / 72 * 1.8)
    return image


def scanned_pdf(path: Path, pages: list[list[str]], dpi: int = 150) -> Path:
    """A PDF of image-only pages, one per entry of ``pages`` (an empty list: a blank scan)."""
    images = [scanned_page(lines, dpi) for lines in pages]
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path


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
