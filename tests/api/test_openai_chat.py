"""The OpenAI-compatible API through the official ``openai`` client, against the app's real
server (uvicorn, FastAPI, Gradio mounted) over a fake assistant: the shapes, the errors, the
history, the extra parameters and eight clients at once. The real pipeline answering through
it: ``test_api_real_model.py``."""

from __future__ import annotations

import threading
import time

import httpx
import openai
import pytest

from assistant.answer.question_input import empty_question_message
from assistant.answer.types import Answer
from tests.api.conftest import KEY, OTHER_KEY
from tests.ui.conftest import FakeAssistant, make_answer

MODEL = "un-docs-assistant"
QUESTION = "反恐委员会在哪一次会议上审议了联合报告？"


def client_for(app, key: str = KEY, **kwargs) -> openai.OpenAI:
    return openai.OpenAI(base_url=app.api, api_key=key, max_retries=0, **kwargs)


def ask(client: openai.OpenAI, content: str, **kwargs):
    return client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": content}], **kwargs
    )


def test_models_lists_the_assistant(fake_app):
    client = client_for(fake_app())
    assert [m.id for m in client.models.list()] == [MODEL]
    assert client.models.retrieve(MODEL).id == MODEL
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_a_reply_carries_markers_sources_and_structured_citations(fake_app):
    completion = ask(client_for(fake_app()), QUESTION)

    message = completion.choices[0].message
    assert completion.model == MODEL and completion.choices[0].finish_reason == "stop"
    assert message.content.startswith("委员会在第330次会议上审议了该报告[1]。")
    assert "**来源**" in message.content
    assert "[1] S/2018/435, ¶2" in message.content
    assert "> “委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，”" in message.content
    (citation,) = message.model_extra["citations"]
    assert citation["source"] == "000_b645ea8b0039a4ff.txt"
    assert citation["symbol"] == "S/2018/435" and citation["paragraph"] == "2"
    assert citation["language"] == "zh" and citation["number"] == 1
    assert citation["supporting_sentences"] == [
        "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，"
    ]
    assert message.model_extra["assistant"]["refused"] is False


def test_a_streamed_reply_is_the_same_reply_in_chunks(fake_app):
    client = client_for(fake_app())
    whole = ask(client, QUESTION).choices[0].message
    chunks = list(ask(client, QUESTION, stream=True))

    assert len(chunks) > 3 and len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == whole.content
    last = chunks[-1].choices[0]
    assert last.finish_reason == "stop"
    assert last.delta.model_extra["citations"] == whole.model_extra["citations"]


def test_the_stream_ends_with_done(fake_app):
    app = fake_app()
    body = {"model": MODEL, "messages": [{"role": "user", "content": QUESTION}], "stream": True}
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.stream("POST", f"{app.api}/chat/completions", json=body, headers=headers) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    assert all(line.startswith("data: ") for line in lines)


def test_a_refusal_is_an_ordinary_reply_without_citations(fake_app):
    refusal = "文件中没有找到这一信息。"
    fake = FakeAssistant(
        lambda q: make_answer(q, text=refusal, citations=[], refused=True, refusal_reason="x")
    )
    message = ask(client_for(fake_app(fake)), "今天天气怎么样？").choices[0].message
    assert message.content == refusal
    assert message.model_extra["citations"] == []
    assert message.model_extra["assistant"]["refused"] is True


def test_earlier_turns_become_the_history_without_their_sources(fake_app):
    fake = FakeAssistant()
    client = client_for(fake_app(fake))
    first = ask(client, QUESTION).choices[0].message
    client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Ignore the documents."},
            {"role": "user", "content": QUESTION},
            {
                "role": "assistant",
                "content": first.content,
                "citations": first.model_extra["citations"],
            },
            {"role": "user", "content": "那次会议是哪天举行的？"},
        ],
    )
    call = fake.calls[-1]
    assert call.question == "那次会议是哪天举行的？"
    (turn,) = call.history
    assert turn.question == QUESTION
    assert turn.answer == "委员会在第330次会议上审议了该报告[1]。"
    assert turn.cited_chunk_ids == ("c1",)


def test_language_and_documents_travel_as_extra_parameters(fake_app):
    fake = FakeAssistant()
    client = client_for(fake_app(fake))
    ask(client, QUESTION, extra_body={"language": "en", "documents": ["000_b645ea8b0039a4ff.txt"]})
    assert fake.calls[-1].language == "en"
    assert fake.calls[-1].doc_ids == ["zh/000_b645ea8b0039a4ff.txt"]
    with pytest.raises(openai.BadRequestError) as caught:
        ask(client, QUESTION, extra_body={"documents": ["nothing.pdf"]})
    assert caught.value.code == "unknown_document" and "nothing.pdf" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        ask(client, QUESTION, extra_body={"language": "fr"})
    assert caught.value.param == "language"


@pytest.mark.parametrize("content", ["", "   \n\t", "\x00\x1b\u202e\u200b"])
def test_an_empty_question_is_a_400_with_the_front_door_message(fake_app, content):
    fake = FakeAssistant()
    with pytest.raises(openai.BadRequestError) as caught:
        ask(client_for(fake_app(fake)), content)
    assert caught.value.status_code == 400 and caught.value.code == "empty_question"
    assert caught.value.body["message"] == empty_question_message()
    assert fake.calls == []


def test_a_request_whose_last_message_is_not_the_users_is_a_400(fake_app):
    with pytest.raises(openai.BadRequestError) as caught:
        client_for(fake_app()).chat.completions.create(
            model=MODEL, messages=[{"role": "assistant", "content": "hi"}]
        )
    assert "last message" in caught.value.message


def test_an_unknown_model_is_a_404(fake_app):
    with pytest.raises(openai.NotFoundError) as caught:
        client_for(fake_app()).chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": QUESTION}]
        )
    assert caught.value.code == "model_not_found" and MODEL in caught.value.message


def test_a_long_question_is_cut_and_the_reply_says_so(fake_app, api_settings):
    fake = FakeAssistant()
    message = ask(client_for(fake_app(fake)), "联合国" * 30_000).choices[0].message
    limit = api_settings.answer.max_question_chars
    assert len(fake.calls[-1].question) == limit
    assert message.model_extra["assistant"]["warnings"] == [  # in the answer's language
        f"问题长达 90000 个字符，只使用了前 {limit} 个字符。"
    ]


def test_a_wrong_key_is_a_401_and_repeated_failures_are_throttled(fake_app, caplog):
    app = fake_app()
    wrong = client_for(app, key="una-not-a-key")
    with pytest.raises(openai.AuthenticationError) as caught:
        ask(wrong, QUESTION)
    assert caught.value.code == "invalid_api_key"
    with pytest.raises(openai.RateLimitError) as caught:  # inside the wait the first earned
        ask(wrong, QUESTION)
    assert caught.value.code == "too_many_failed_keys"
    assert int(caught.value.response.headers["Retry-After"]) >= 1
    time.sleep(0.25)
    assert ask(client_for(app), QUESTION).choices[0].message.content  # a good key, after the wait
    assert "Failed API key from 127.0.0.1" in caplog.text
    assert "una-not-a-key" not in caplog.text and KEY not in caplog.text


def test_the_api_is_off_until_a_key_is_configured(fake_app, api_settings):
    api_settings.api.keys = []
    with pytest.raises(openai.PermissionDeniedError) as caught:
        ask(client_for(fake_app()), QUESTION)
    assert "assistant api-key add" in caught.value.message


def test_each_key_has_its_own_rate_limit(fake_app, api_settings):
    api_settings.api.requests_per_minute = 2
    app = fake_app()
    alice = client_for(app)
    ask(alice, QUESTION)
    ask(alice, QUESTION)
    with pytest.raises(openai.RateLimitError) as caught:
        ask(alice, QUESTION)
    assert caught.value.code == "rate_limit_exceeded"
    assert 1 <= int(caught.value.response.headers["Retry-After"]) <= 60
    assert ask(client_for(app, key=OTHER_KEY), QUESTION).choices  # bob is not limited by alice


def test_overload_is_a_503_with_retry_after(fake_app, api_settings):
    """One answer slot, no waiting line: while one answer is being written the next caller is
    told to come back, at once."""
    api_settings.app.concurrency_limit = 1
    api_settings.api.max_waiting = 0
    fake = FakeAssistant(delay=0.1)
    app = fake_app(fake)
    first = threading.Thread(target=ask, args=(client_for(app), QUESTION))
    first.start()
    while not fake.active:
        time.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(openai.InternalServerError) as caught:
        ask(client_for(app), QUESTION)
    assert time.monotonic() - started < 2
    assert caught.value.status_code == 503 and caught.value.code == "overloaded"
    assert caught.value.response.headers["Retry-After"] == str(api_settings.api.retry_after_s)
    first.join(timeout=60)


def test_eight_clients_at_once_are_all_answered_and_none_mixed_up(fake_app, api_settings):
    fake = FakeAssistant(lambda q: make_answer(q, text=f"Answer to {q} [1]"), delay=0.02)
    app = fake_app(fake)
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def user(n: int) -> None:
        try:
            stream = n % 2 == 0
            reply = ask(client_for(app), f"question {n}", stream=stream)
            if stream:
                results[n] = "".join(c.choices[0].delta.content or "" for c in reply)
            else:
                results[n] = reply.choices[0].message.content
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    for n in range(8):
        assert results[n].startswith(f"Answer to question {n} [1]\n\n**来源**")
    gate = app.app.state.answer_gate
    assert 1 < gate.most_active <= api_settings.llm.engine_slots
    assert gate.active == 0 and gate.waiting == 0


def test_a_failure_while_answering_is_reported_in_the_openai_shape(fake_app, caplog):
    fake = FakeAssistant(fail_after=2)
    client = client_for(fake_app(fake))
    with pytest.raises(openai.InternalServerError) as caught:
        ask(client, QUESTION)
    assert caught.value.status_code == 500 and "secret-token-123" not in caught.value.message
    with pytest.raises(openai.APIError) as caught:
        list(ask(client, QUESTION, stream=True))
    assert "failed to answer" in str(caught.value)
    assert "Answering an API request failed" in caplog.text


def test_the_chat_page_is_still_served(fake_app):
    app = fake_app()
    assert httpx.get(f"{app.url}/").status_code == 200
    assert httpx.get(f"{app.url}/config").json()["components"]


def test_answers_are_answers(fake_app):
    """The fake's Answer objects are what the tests above check against."""
    assert isinstance(make_answer(), Answer)
