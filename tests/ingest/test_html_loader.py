"""Saved web pages: the article text only, title and date from the page's metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import ChunkSettings
from assistant.ingest.chunking import chunk_document
from assistant.ingest.document_loading import load_document
from assistant.ingest.loaders import LoadError, load_file

ARTICLE_EN = (
    "The Security Council today adopted resolution 2396 (2017), calling on Member States "
    "to strengthen measures against returning foreign terrorist fighters."
)
ARTICLE_ZH = "委员会在2018年4月19日举行的委员会第330次会议上审议了该联合报告，并建议分发。"

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Security Council adopts resolution 2396 | Meetings Coverage</title>
<meta property="og:title" content="Security Council adopts resolution 2396">
<meta name="date" content="2017-12-21">
<script>window.trackingMenu = "Home News Press SCRIPT-ONLY-TEXT";</script>
<style>.menu {{ color: red }}</style>
</head><body>
<header><nav class="menu"><ul>
<li><a href="/">Home</a></li><li><a href="/news">Press releases</a></li>
<li><a href="/contact">NAVIGATION-ONLY-TEXT Contact us</a></li></ul></nav></header>
<div id="sidebar"><a href="/x">Related: SIDEBAR-ONLY-TEXT</a></div>
<main><article>
<h1>Security Council adopts resolution 2396</h1>
<p>{ARTICLE_EN}</p>
<p>The resolution was adopted unanimously by the fifteen members of the Council, which
also asked the Counter-Terrorism Committee Executive Directorate to report on its work.</p>
<p>{ARTICLE_ZH}</p>
</article></main>
<footer><p>FOOTER-ONLY-TEXT Copyright United Nations · Terms of use</p></footer>
<script>document.write("SCRIPT-ONLY-TEXT")</script>
</body></html>
"""


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "press.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_only_the_article_text_is_kept(page: Path) -> None:
    text = load_file(page).pages[0].text
    assert ARTICLE_EN in " ".join(text.split())
    assert ARTICLE_ZH in text
    for noise in ("SCRIPT-ONLY", "NAVIGATION-ONLY", "SIDEBAR-ONLY", "FOOTER-ONLY", "color: red"):
        assert noise not in text


def test_title_and_date_from_the_page_metadata(page: Path) -> None:
    doc = load_document(page, page.parent)
    assert doc.title.startswith("Security Council adopts resolution 2396")
    assert doc.date == "2017-12-21"
    chunks = chunk_document(doc, ChunkSettings())
    assert any(ARTICLE_ZH in c.text for c in chunks)
    assert all("Press releases" not in c.text for c in chunks)


def test_binary_html_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "image.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    with pytest.raises(LoadError, match="binary"):
        load_file(path)


def test_page_with_no_article_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "menu.html"
    path.write_text("<html><body><script>var a = 1;</script><nav></nav></body></html>", "utf-8")
    with pytest.raises(LoadError, match="no main text"):
        load_file(path)
