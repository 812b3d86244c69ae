"""Make the repository's ``benchmarks`` package importable however pytest is started.

``benchmarks/`` is not installed with the ``assistant`` package, and ``.venv/bin/pytest`` (unlike
``python -m pytest``) does not put the repository root on ``sys.path``; without it, this very
folder would be imported as a namespace package called ``benchmarks``.
"""

from __future__ import annotations

import sys

from assistant.config import PROJECT_ROOT

if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
