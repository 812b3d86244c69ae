"""Escaping for text from documents, models and users before it goes into the page.

Besides ``< > & " '`` this also escapes ``$``, ``{`` and ``}``: the chat renders ``$$…$$`` as
LaTeX and the HTML panels are filled through templates, and a document must not drive either.
"""

from __future__ import annotations

import html

_EXTRA = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;"})


def esc(text: str) -> str:
    """``text`` safe to put between or inside HTML tags."""
    return html.escape(text, quote=True).translate(_EXTRA)
