"""``assistant mcp``: the MCP server over stdio, for a client that starts the assistant itself.

An MCP client (an assistant or agent) runs this command and talks JSON-RPC over its stdin and
stdout; logs go to stderr. The tools are read-only (``assistant.api.mcp_server``). No key is
asked for: whoever can start the process can already read the index. The same tools are served
over HTTP by the app at ``/mcp``, behind the API's keys.
"""

from __future__ import annotations

import logging

from assistant.cli import app
from assistant.cli.services import open_container

log = logging.getLogger(__name__)


@app.command()
def mcp() -> None:
    """Serve the search_documents, ask and get_passage tools over stdio (MCP)."""
    from assistant.api.http_app import answer_gate
    from assistant.api.mcp_server import build_mcp_server
    from assistant.api.services import ApiServices

    container = open_container()
    server = build_mcp_server(
        ApiServices.from_container(container), answer_gate(container.settings)
    )
    log.info("MCP server on stdio: %d documents indexed", len(container.documents.documents()))
    try:
        server.run("stdio")
    finally:
        container.close()
