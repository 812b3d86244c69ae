"""Keep the chat's Markdown from turning an answer's figures into list numbering.

The chat renders each message as Markdown, where a line that starts with a number and a full
stop ("8. …", "2018. …") or a bracket ("8) …") is an ordered-list item: an answer sentence that
begins with a figure became item 8 of a list, rendered as a numbered line whose figure the
browser then writes as it likes. The model writes real lists too ("1. … 2. …"), and those must
stay lists.

The rule: a numbered line is a list item only when it belongs to a run of numbered lines that
counts up by one from 1 ("1.", "2.", "3." in order, other lines between them allowed, as
Markdown allows them) and has at least two items. Every other numbered line (a single one, one
that starts at another number, one that breaks the count) gets its full stop escaped ("8\\.
…"), which Markdown shows as the plain "8." it was.
"""

from __future__ import annotations

import re

# Markdown's ordered-list marker: up to three spaces, one to nine digits, "." or ")", then a
# space or the end of the line.
_ITEM = re.compile(r"^(?P<indent> {0,3})(?P<number>\d{1,9})(?P<delimiter>[.)])(?=[ \t]|$)")
_MIN_LIST_ITEMS = 2


def escape_false_lists(text: str) -> str:
    """``text`` with every numbered line that is not part of a real list escaped."""
    lines = text.split("\n")
    items = [(index, match) for index, line in enumerate(lines) if (match := _ITEM.match(line))]
    keep = _real_list_lines(items)
    for index, match in items:
        if index in keep:
            continue
        line = lines[index]
        lines[index] = f"{line[: match.end('number')]}\\{line[match.end('number') :]}"
    return "\n".join(lines)


def _real_list_lines(items: list[tuple[int, re.Match[str]]]) -> set[int]:
    """The line numbers of the items of runs "1, 2, 3 …" (same delimiter) of two or more."""
    keep: set[int] = set()
    run: list[int] = []
    expected, delimiter = 1, ""
    for index, match in items:
        number = int(match.group("number"))
        if run and number == expected and match.group("delimiter") == delimiter:
            run.append(index)
            expected += 1
            continue
        if len(run) >= _MIN_LIST_ITEMS:
            keep.update(run)
        run = [index] if number == 1 else []
        expected, delimiter = 2, match.group("delimiter")
    if len(run) >= _MIN_LIST_ITEMS:
        keep.update(run)
    return keep
