"""Imports every command module so that each registers itself on the root app."""

# ruff: noqa: I001  (one line per command module keeps parallel edits conflict-free)
from __future__ import annotations

from assistant.cli import api_key  # noqa: F401
from assistant.cli import ask  # noqa: F401
from assistant.cli import audit  # noqa: F401
from assistant.cli import calibrate  # noqa: F401
from assistant.cli import chat  # noqa: F401
from assistant.cli import doctor  # noqa: F401
from assistant.cli import eval  # noqa: F401
from assistant.cli import evalcheck  # noqa: F401
from assistant.cli import index  # noqa: F401
from assistant.cli import mcp  # noqa: F401
from assistant.cli import ingest  # noqa: F401
from assistant.cli import models  # noqa: F401
from assistant.cli import search  # noqa: F401
from assistant.cli import serve  # noqa: F401
