"""Run small numpy matrix products on one BLAS thread.

OpenBLAS starts one thread per core for every product. For the small products of retrieval
(a dozen query terms against a few thousand term vectors) the threads only hand work back and
forth, and on a busy 2-core machine (the LLM generating beside us) they spin-wait: measured
here, 44 ms with the default threads against 9 ms on one thread for the same product.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache


@lru_cache(maxsize=1)
def _controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # without threadpoolctl products still work, only with BLAS's threads
        return None
    return ThreadpoolController()


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    controller = _controller()
    if controller is None:
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield
