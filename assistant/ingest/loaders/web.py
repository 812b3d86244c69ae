"""Saved web pages (``.html``, ``.htm``): the article only, through ``trafilatura``.

A saved statement or press release is mostly navigation, menus, scripts, cookie banners and
footers around a few paragraphs. trafilatura finds the main content (with its own fallbacks,
readability and jusText) and writes it as Markdown, so headings ("## …"), numbered lists and
tables keep the shape the cleaner and paragraph detector read. Title and date come from the
page's metadata (``<title>``, ``<meta>``, JSON-LD, Open Graph), where the page states them.
"""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.loaders.base import LoadedFile, LoadError
from assistant.ingest.loaders.text import decode_text
from assistant.schema import Page


def load_html(path: Path) -> LoadedFile:
    """The main text of a saved page as one unnumbered page, with its title and date."""
    import trafilatura

    html = decode_text(path, path.read_bytes())  # binary under an .html name stops here
    try:
        text = trafilatura.extract(
            html, output_format="markdown", include_tables=True, include_comments=False
        )
        metadata = trafilatura.extract_metadata(html)
    except Exception as exc:  # lxml and the date parser raise many types on broken markup
        raise LoadError(path, f"unreadable HTML ({exc}); save the page again") from exc
    if not text or not text.strip():
        raise LoadError(path, "no main text found in the web page (only navigation or scripts?)")
    title = metadata.title.strip() if metadata and metadata.title else None
    date = metadata.date if metadata and metadata.date else None
    return LoadedFile([Page(text, paragraph_lines=True)], title=title, date=date)
