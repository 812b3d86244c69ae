"""The app's one server: the chat page, the OpenAI-compatible API and the MCP server on one
port, in one process, sharing one set of services.

A FastAPI app holds ``/v1`` (``openai_chat``) and ``/mcp`` (``mcp_server`` over streamable
HTTP, behind the same keys as the API), and the Gradio page is mounted at ``/`` under them
(``gradio.mount_gradio_app``): routes are matched in order, so the API's paths come first. The
MCP transport's session manager runs for the app's lifetime, in its lifespan.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import gradio as gr
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from assistant.api.access import Access
from assistant.api.admission import AnswerGate
from assistant.api.errors import ApiError
from assistant.api.mcp_server import build_mcp_server
from assistant.api.openai_chat import OpenAIChat, client_address
from assistant.api.services import ApiServices
from assistant.config import Settings
from assistant.ui.layout import answer_concurrency

log = logging.getLogger(__name__)

MCP_PATH = "/mcp"


class _KeyedMcp:
    """The MCP transport behind the API's key check (same keys, throttle and rate limit)."""

    def __init__(self, app: Any, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            from starlette.requests import Request

            request = Request(scope)
            try:
                self.access.check(
                    request.headers.get("authorization"), client_address(request), counted=False
                )
            except ApiError as exc:
                await exc.response()(scope, receive, send)
                return
        await self.app(scope, receive, send)


def answer_gate(settings: Settings) -> AnswerGate:
    """The API's and the MCP tools' answer slots: as many as the chat's queue runs at once."""
    api = settings.api
    return AnswerGate(answer_concurrency(settings), api.max_waiting, api.max_wait_s)


def build_http_app(
    demo: gr.Blocks,
    services: ApiServices,
    settings: Settings,
    gradio_options: dict[str, Any] | None = None,
) -> FastAPI:
    """The whole server as one ASGI app; serve it with uvicorn (``ui.server.launch_app``)."""
    access = Access.from_settings(settings)
    if access.keys.enabled:
        log.info("The API is on for %d key(s): %s", len(access.keys.names), access.keys.names)
    else:
        log.info("The API and /mcp are off: no API key (`assistant api-key add NAME`).")
    gate = answer_gate(settings)
    mcp = build_mcp_server(services, gate) if settings.api.mcp_http else None
    mcp_app = (
        mcp.streamable_http_app(
            streamable_http_path=MCP_PATH, stateless_http=True, host=settings.app.host
        )
        if mcp is not None
        else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if mcp is None:
            yield
            return
        async with mcp.session_manager.run():
            yield

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(OpenAIChat(services, access, gate).router())
    if mcp_app is not None:
        # Starlette serves an endpoint that is not a function as an ASGI app, unwrapped.
        keyed_mcp: Any = _KeyedMcp(mcp_app, access)
        app.add_route(MCP_PATH, keyed_mcp, methods=["GET", "POST", "DELETE"])
    app.state.answer_gate = gate
    return gr.mount_gradio_app(app, demo, path="/", **(gradio_options or {}))
