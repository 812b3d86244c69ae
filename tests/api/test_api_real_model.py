"""End to end through the real app and the real default model: the official ``openai`` client
and the ``mcp`` SDK's HTTP client against ``python app.py`` over the shipped corpus.

The fixture ingests the corpus into a temporary index, configures one API key (by its hash,
in the environment) and starts the app on a free loopback port. ``ASSISTANT_E2E_MODEL=small``
picks another manifest model.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import openai
import pytest

from assistant.api.keys import digest
from assistant.config import PROJECT_ROOT
from tests.api.conftest import free_port

pytestmark = pytest.mark.slow

MODEL = os.environ.get("ASSISTANT_E2E_MODEL", "default")
KEY = "una-end-to-end-test-key-0123456789abcdef"
API_MODEL = "un-docs-assistant"
EXPECTED_FILE = "000_b645ea8b0039a4ff.txt"
ZH_QUESTION = "反恐委员会在哪一次会议上审议了联合报告？"
EN_QUESTION = (  # evals/dev.jsonl en-zh-01
    "At which meeting, and on what date, did the Counter-Terrorism Committee consider the joint "
    "report of the Office of Counter-Terrorism and CTED?"
)
MISSED = (  # as tests/answer/test_real_model.py records it
    "issue 22 goal missed (session 5 closing note): the calibrated confidence declines an "
    "English answer to this question although the evidence is retrieved"
)
START_TIMEOUT_S = 600
ANSWER_TIMEOUT_S = 900  # two shared CPU cores: model load, prompt and generation


def _model_present(name: str) -> bool:
    from assistant.config import Settings
    from assistant.models.model_manifest import load_manifest

    return (Path(Settings().paths.models_dir) / load_manifest().get(name).file).is_file()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not _model_present(MODEL):
        pytest.skip(f"needs the {MODEL} model: `assistant models pull {MODEL}`")
    work = tmp_path_factory.mktemp("api_e2e")
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ASSISTANT_")
        or k.startswith(("ASSISTANT_E2E_", "ASSISTANT_LLM__N_THREADS"))
    }
    env.update(
        {
            "ASSISTANT_PROFILE": "default",
            "ASSISTANT_CONFIG": str(work / "no-assistant.yaml"),
            "ASSISTANT_PATHS__INDEX_DIR": str(work / "index"),
            "ASSISTANT_PATHS__FEEDBACK_FILE": str(work / "feedback.jsonl"),
            "ASSISTANT_LLM__BACKEND": "llama_cpp",
            "ASSISTANT_LLM__MODEL": MODEL,
            "ASSISTANT_APP__HOST": "127.0.0.1",
            "ASSISTANT_APP__PORT": str(port),
            "ASSISTANT_API__KEYS_FILE": str(work / "api-keys.txt"),
            "ASSISTANT_API__KEYS": f'[{{"name": "e2e", "sha256": "{digest(KEY)}"}}]',
            "GRADIO_ANALYTICS_ENABLED": "False",
        }
    )
    cli = [sys.executable, "-c", "from assistant.cli import main; main()"]
    ingest = subprocess.run(
        [*cli, "ingest"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    log_path = work / "app.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"app exited early:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"app did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(1)
        yield url
        assert KEY not in log_path.read_text(), "an API key was written to the log"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def client(app_url: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{app_url}/v1", api_key=KEY, max_retries=0, timeout=ANSWER_TIMEOUT_S
    )


def _cites_expected(citations: list[dict]) -> bool:
    return any(c["source"] == EXPECTED_FILE for c in citations)


def test_openai_client_gets_a_cited_chinese_answer_and_a_follow_up(client):
    first = client.chat.completions.create(
        model=API_MODEL, messages=[{"role": "user", "content": ZH_QUESTION}]
    )
    message = first.choices[0].message
    citations = message.model_extra["citations"]
    assert "330" in message.content, message.content
    assert _cites_expected(citations), citations
    assert "**来源**" in message.content and EXPECTED_FILE in message.content

    follow_up = client.chat.completions.create(
        model=API_MODEL,
        messages=[
            {"role": "user", "content": ZH_QUESTION},
            {"role": "assistant", "content": message.content, "citations": citations},
            {"role": "user", "content": "那次会议是哪天举行的？"},
        ],
    )
    reply = follow_up.choices[0].message
    assert "第330次会议" in (reply.model_extra["assistant"]["understood_as"] or "")
    assert "4月19日" in reply.content, reply.content


def _streamed(client: openai.OpenAI, question: str, language: str) -> tuple[str, Any]:
    chunks = list(
        client.chat.completions.create(
            model=API_MODEL,
            messages=[{"role": "user", "content": question}],
            stream=True,
            extra_body={"language": language},
        )
    )
    return "".join(c.choices[0].delta.content or "" for c in chunks), chunks[-1].choices[0]


def test_openai_client_streams_a_cited_answer(client):
    text, last = _streamed(client, ZH_QUESTION, "auto")
    assert last.finish_reason == "stop"
    assert "330" in text and "**来源**" in text, text
    assert _cites_expected(last.delta.model_extra["citations"])


@pytest.mark.xfail(reason=MISSED, strict=False)
def test_openai_client_streams_the_answer_in_english(client):
    """The Chinese question answered in English (``language``): declined as well (measured
    on the run that added this test), for the reason the English question is."""
    text, last = _streamed(client, ZH_QUESTION, "en")
    assert last.delta.model_extra["assistant"]["language"] == "en"
    assert "330" in text and "**Sources**" in text, text
    assert _cites_expected(last.delta.model_extra["citations"])


@pytest.mark.xfail(reason=MISSED, strict=False)
def test_openai_client_streams_an_answer_to_the_english_question(client):
    text, last = _streamed(client, EN_QUESTION, "auto")
    assert not last.delta.model_extra["assistant"]["refused"], text
    assert "330" in text and _cites_expected(last.delta.model_extra["citations"])


def test_mcp_ask_over_http_with_the_real_model(app_url):
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    async def main() -> dict:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {KEY}"})
        transport = streamable_http_client(f"{app_url}/mcp", http_client=http)
        async with Client(transport, read_timeout_seconds=ANSWER_TIMEOUT_S) as mcp_client:
            result = await mcp_client.call_tool("ask", {"question": ZH_QUESTION})
            assert not result.is_error, result.content
            return result.structured_content

    answer = anyio.run(main)
    assert "330" in answer["text"] and not answer["refused"]
    assert _cites_expected(answer["citations"])
    assert all(c["supporting_sentences"] for c in answer["citations"])


def test_openai_client_errors_last(app_url, client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=API_MODEL, messages=[{"role": "user", "content": " \u202e\x1b "}]
        )
    assert caught.value.code == "empty_question"
    wrong = openai.OpenAI(base_url=f"{app_url}/v1", api_key="una-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        wrong.models.list()
    time.sleep(1.5)  # the failed key locked this client out for a second
    assert client.models.list().data[0].id == API_MODEL
