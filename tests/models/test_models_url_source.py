"""The plain-URL source, against a local HTTP server (never the internet)."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.models.manager import ModelManager, PullError
from assistant.models.model_manifest import parse_manifest

BODY = ("委员会第330次会议 / The Committee's 330th meeting\n" * 5000).encode()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def _url_manifest(urls: list[str], body: bytes = BODY):
    sources = "".join(f'\n[[models.web.sources]]\nkind = "url"\nurl = "{u}"\n' for u in urls)
    return parse_manifest(
        f"""
[models.web]
display_name = "Web"
family = "test"
parameters = "0"
quantization = "none"
format = "gguf"
licence = "MIT"
file = "web.gguf"
size = {len(body)}
sha256 = "{hashlib.sha256(body).hexdigest()}"
chat_template = "none"
{sources}"""
    )


def test_url_source_downloads_and_verifies(tmp_path, http_root):
    base, root = http_root
    (root / "model.gguf").write_bytes(BODY)
    manager = ModelManager(tmp_path / "models", _url_manifest([f"{base}/model.gguf"]))

    path = manager.pull("web", progress=False)

    assert path.read_bytes() == BODY
    assert manager.verify("web")


def test_a_failing_url_falls_through_to_the_next_source(tmp_path, http_root):
    base, root = http_root
    (root / "model.gguf").write_bytes(BODY)
    manifest = _url_manifest([f"{base}/missing.gguf", f"{base}/model.gguf"])

    path = ModelManager(tmp_path / "models", manifest).pull("web", progress=False)

    assert path.read_bytes() == BODY


def test_a_truncated_download_is_rejected(tmp_path, http_root):
    base, root = http_root
    (root / "model.gguf").write_bytes(BODY[:-100])
    manager = ModelManager(tmp_path / "models", _url_manifest([f"{base}/model.gguf"]))

    with pytest.raises(PullError, match="expected"):
        manager.pull("web", progress=False)
    assert not manager.path("web").exists()
    assert not manager.path("web").with_name("web.gguf.partial").exists()


def test_unreachable_server_is_a_clear_error(tmp_path):
    manifest = _url_manifest(["http://127.0.0.1:9/model.gguf"])  # discard port: refused
    with pytest.raises(PullError, match=r"download from http://127\.0\.0\.1:9/model\.gguf failed"):
        ModelManager(tmp_path / "models", manifest).pull("web", progress=False)
