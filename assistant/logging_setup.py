"""Logging for the command line and the app: one format, quiet third-party libraries."""

from __future__ import annotations

import logging

_NOISY = ("httpx", "chromadb", "urllib3", "jieba", "gradio", "httpcore", "matplotlib")


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
