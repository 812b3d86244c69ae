"""The MCP server through the ``mcp`` SDK's own client, over the real index (USE, Chroma):
in process, over streamable HTTP on the running app (behind the API keys) and over stdio with
``assistant mcp`` as a real subprocess. Search gives the passages ``assistant search --json``
gives; ``ask`` answers with citations (a deterministic model here; the real one in
``test_api_real_model.py``); ``get_passage`` returns a passage with its neighbours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from assistant.answer.pipeline import AnswerPipeline
from assistant.answer.prompts import PromptLibrary
from assistant.api.admission import AnswerGate
from assistant.api.keys import key_setting
from assistant.api.mcp_server import build_mcp_server
from assistant.api.services import ApiServices
from assistant.config import PROJECT_ROOT
from assistant.document_service import DocumentService
from assistant.ui.services import UIServices
from tests.api.conftest import KEY, serve
from tests.robustness.support import EchoModel

QUERY = "反恐委员会在哪一次会议上审议了联合报告？"
ZH_DOC = "zh/000_b645ea8b0039a4ff.txt"
TOOLS = {"search_documents", "ask", "get_passage"}


@pytest.fixture(scope="module")
def services(corpus_index, use_embedder) -> ApiServices:
    settings = corpus_index.settings.model_copy(deep=True)
    settings.api.keys = [key_setting("agent", KEY)]
    settings.api.keys_file = None
    prompts = PromptLibrary(settings.paths.prompts_dir)
    assistant = AnswerPipeline(corpus_index.retriever, EchoModel(), use_embedder, prompts, settings)
    return ApiServices(
        assistant=assistant,
        documents=DocumentService(corpus_index.index),
        retriever=corpus_index.retriever,
        passages=corpus_index.index,
        settings=settings,
    )


def _structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return result.structured_content


async def _exercise(client: Client) -> dict[str, Any]:
    """List the tools and call each one; what came back, for the assertions."""
    tools = await client.list_tools()
    search = _structured(await client.call_tool("search_documents", {"query": QUERY}))
    first = search["passages"][0]["chunk_id"]
    passage = _structured(
        await client.call_tool("get_passage", {"chunk_id": first, "neighbours": 1})
    )
    answer = _structured(await client.call_tool("ask", {"question": QUERY}))
    empty = await client.call_tool("ask", {"question": " \x1b\u202e "})
    unknown = await client.call_tool("get_passage", {"chunk_id": "nope"})
    return {
        "tools": tools,
        "search": search,
        "passage": passage,
        "answer": answer,
        "empty": empty,
        "unknown": unknown,
    }


def _check(seen: dict[str, Any], expected_ids: list[str]) -> None:
    tools = {t.name: t for t in seen["tools"].tools}
    assert set(tools) == TOOLS
    assert all(t.annotations.read_only_hint for t in tools.values())
    passages = seen["search"]["passages"]
    assert [p["chunk_id"] for p in passages] == expected_ids
    assert passages[0]["label"] and passages[0]["text"]
    assert any(p["doc_id"] == ZH_DOC for p in passages)

    shown = seen["passage"]
    assert shown["passage"]["chunk_id"] == expected_ids[0]
    for neighbour in shown["before"] + shown["after"]:
        assert neighbour["doc_id"] == shown["passage"]["doc_id"]
    positions = [p["position"] for p in shown["before"] + [shown["passage"]] + shown["after"]]
    assert positions == list(range(positions[0], positions[0] + len(positions)))

    answer = seen["answer"]
    assert answer["question"] == QUERY and answer["text"].strip()
    if not answer["refused"]:
        assert answer["citations"] and "[1]" in answer["answer"]
        assert all(c["supporting_sentences"] for c in answer["citations"])

    assert seen["empty"].is_error
    assert "Please type a question" in seen["empty"].content[0].text
    assert seen["unknown"].is_error and "no passage" in seen["unknown"].content[0].text


def test_mcp_tools_in_process(services, corpus_index):
    server = build_mcp_server(services, AnswerGate(1, 1, 60))
    expected = [p.chunk_id for p in corpus_index.retriever.search(QUERY)]

    async def main() -> dict[str, Any]:
        async with Client(server) as client:
            return await _exercise(client)

    _check(anyio.run(main), expected)


def test_mcp_over_http_on_the_app_needs_a_key(services, corpus_index):
    ui = UIServices(services.assistant, services.documents, None)  # type: ignore[arg-type]
    app = serve(services, ui, services.settings)
    expected = [p.chunk_id for p in corpus_index.retriever.search(QUERY)]

    async def main(key: str) -> dict[str, Any]:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {key}"})
        async with Client(streamable_http_client(f"{app.url}/mcp", http_client=http)) as client:
            return await _exercise(client)

    try:
        _check(anyio.run(main, KEY), expected)
        hello = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        wrong = {"Authorization": "Bearer una-wrong-key"}
        refused = httpx.post(f"{app.url}/mcp", json=hello, headers=wrong)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "invalid_api_key"
        again = httpx.post(f"{app.url}/mcp", json=hello)  # inside the wait the failure earned
        assert again.status_code == 429 and int(again.headers["Retry-After"]) >= 1
    finally:
        app.stop()


def _cli_env(settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        {
            "ASSISTANT_PROFILE": "default",
            "ASSISTANT_CONFIG": str(settings.paths.index_dir / "no-assistant.yaml"),
            "ASSISTANT_PATHS__INDEX_DIR": str(settings.paths.index_dir),
            "ASSISTANT_EMBEDDER__THREADS": "1",
        }
    )
    return env


@pytest.mark.slow
def test_mcp_over_stdio_matches_assistant_search(corpus_index):
    """``assistant mcp`` in a subprocess, driven by the SDK's stdio client; its search gives
    the passages ``assistant search --json`` prints, in the same order."""
    env = _cli_env(corpus_index.settings)
    cli = [sys.executable, "-c", "from assistant.cli import main; main()"]
    printed = subprocess.run(
        [*cli, "search", QUERY, "--json"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert printed.returncode == 0, printed.stderr[-3000:]
    expected = [p["chunk_id"] for p in json.loads(printed.stdout)["passages"]]

    params = StdioServerParameters(
        command=cli[0], args=[*cli[1:], "mcp"], env=env, cwd=str(PROJECT_ROOT)
    )

    async def main() -> dict[str, Any]:
        async with Client(params, read_timeout_seconds=600) as client:
            tools = await client.list_tools()
            search = _structured(await client.call_tool("search_documents", {"query": QUERY}))
            first = search["passages"][0]["chunk_id"]
            passage = _structured(await client.call_tool("get_passage", {"chunk_id": first}))
            return {"tools": tools, "search": search, "passage": passage}

    seen = anyio.run(main)
    assert {t.name for t in seen["tools"].tools} == TOOLS
    assert [p["chunk_id"] for p in seen["search"]["passages"]] == expected
    assert seen["passage"]["passage"]["chunk_id"] == expected[0]
