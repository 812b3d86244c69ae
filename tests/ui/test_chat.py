"""Chat callbacks called directly with a fake assistant: streaming, refusal, memory, errors."""

from __future__ import annotations

import itertools

import pytest

from assistant.chat.session import ChatSession
from assistant.ui.chat import ChatCallbacks
from assistant.ui.filters import SCOPE_ALL, SCOPE_LANGUAGE, SCOPE_SELECTED
from tests.ui.conftest import FakeAssistant, make_answer

QUESTION_ZH = "反恐委员会在哪一次会议上审议了联合报告？"


def ask(chat: ChatCallbacks, session: ChatSession, question: str, lang: str = "en", **filters):
    """Both steps of asking, as the page runs them; returns all stream updates."""
    _, _, session, status = chat.add_question(question, session, lang)
    scope = filters.get("scope", SCOPE_ALL)
    docs = filters.get("docs")
    doc_lang = filters.get("doc_lang", "zh")
    answer_lang = filters.get("answer_lang", "auto")
    return list(chat.stream_answer(session, lang, scope, docs, doc_lang, answer_lang)), status


def test_answer_streams_into_the_chat_then_becomes_clickable(services, settings):
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    updates, _ = ask(chat, session, QUESTION_ZH)

    contents = [messages[-1]["content"] for messages, *_ in updates]
    partials = [c for c in contents if "cite-link" not in c and "thinking" not in c]
    assert len(partials) >= 3, "the answer should arrive in several streamed pieces"
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(partials))
    messages, panel, session, status, copy = updates[-1]
    assert messages[0] == {"role": "user", "content": QUESTION_ZH}
    assert "第330次会议" in messages[1]["content"]
    assert 'class="cite-ref cite-link cite-t0 cite-n1"' in messages[1]["content"]
    assert "<mark>" in panel and "000_b645ea8b0039a4ff.txt" in panel and "S/2018/435" in panel
    assert "¶2" in panel
    assert copy.startswith("委员会在第330次会议上审议了该报告[1]。")
    assert "[1] 反恐委员会主席给安全理事会主席的信 — S/2018/435 ¶2" in copy
    assert status == ""


def test_first_update_shows_the_question_while_the_model_thinks(services, settings):
    chat = ChatCallbacks(services, settings)
    updates, _ = ask(chat, ChatSession(), "What is CTED?")
    first_messages = updates[0][0]
    assert first_messages[0]["content"] == "What is CTED?"
    assert 'class="thinking"' in first_messages[1]["content"]


def test_evidence_sentences_show_before_the_answer_and_give_way_to_it(services, settings):
    chat = ChatCallbacks(services, settings)
    updates, _ = ask(chat, ChatSession(), QUESTION_ZH, lang="zh")
    contents = [messages[-1]["content"] for messages, *_ in updates]
    evidence = "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定"
    first_with_evidence = next(i for i, c in enumerate(contents) if evidence in c)
    first_with_answer = next(i for i, c in enumerate(contents) if "委员会在第330次" in c)
    assert first_with_evidence < first_with_answer
    assert "S/2018/435 ¶2" in contents[first_with_evidence]
    assert "文件中的相关内容" in contents[first_with_evidence]
    assert 'class="thinking"' in contents[first_with_evidence]  # the answer is being written
    assert evidence in contents[first_with_answer]  # still there while the answer streams
    assert evidence not in contents[-1] and "cite-link" in contents[-1]  # the answer replaces it


@pytest.mark.parametrize("question", ["", "   ", "\n\t ", "\x00\x07 \u200b"])
def test_empty_question_is_refused_politely(services, settings, question):
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    _, messages, session, status = chat.add_question(question, session, "zh")
    assert status == "请输入一个关于文件内容的问题。"
    assert messages == [] and session.turns == []
    updates = list(chat.stream_answer(session, "zh", SCOPE_ALL, None, "zh", "auto"))
    assert len(updates) == 1 and updates[0][0] == []
    assert services.assistant.calls == []


def test_refused_answer_shows_the_badge_in_the_question_language(settings, services):
    services.assistant = FakeAssistant(
        lambda q: make_answer(
            q, text="文件中没有相关信息。", citations=[], refused=True, refusal_reason="x"
        )
    )
    chat = ChatCallbacks(services, settings)
    updates, _ = ask(chat, ChatSession(), "今天天气怎么样？", lang="en")
    messages, panel, *_ = updates[-1]
    assert '<span class="refused-badge">文件中没有相关信息</span>' in messages[1]["content"]
    assert "refused-badge" in panel and "cite-link" not in panel


def test_refused_english_answer_has_the_english_badge(settings, services):
    services.assistant = FakeAssistant(
        lambda q: make_answer(q, text="Not found.", language="en", citations=[], refused=True)
    )
    chat = ChatCallbacks(services, settings)
    updates, _ = ask(chat, ChatSession(), "What is the weather?", lang="zh")
    assert "Not in the documents" in updates[-1][0][1]["content"]


def test_follow_up_question_gets_the_conversation_history(services, settings):
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    ask(chat, session, QUESTION_ZH)
    ask(chat, session, "那次会议是哪一天？")
    first, second = services.assistant.calls
    assert first.history == []
    assert [(t.question, t.answer) for t in second.history] == [
        (QUESTION_ZH, "委员会在第330次会议上审议了该报告[1]。")
    ]
    assert session.selected_turn == 1


def test_history_is_limited_to_the_configured_turns(services, settings):
    settings.answer.history_turns = 2
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    for n in range(4):
        ask(chat, session, f"question {n}")
    assert [t.question for t in services.assistant.calls[-1].history] == [
        "question 1",
        "question 2",
    ]


def test_new_conversation_forgets_everything(services, settings):
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    ask(chat, session, QUESTION_ZH)
    messages, panel, new_session, _status, copy, question = chat.new_conversation("en")
    assert messages == [] and new_session.turns == [] and copy == "" and question == ""
    assert "sources-empty" in panel
    ask(chat, new_session, "next")
    assert services.assistant.calls[-1].history == []


def test_clicking_a_citation_selects_its_card(services, settings):
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    ask(chat, session, QUESTION_ZH)
    ask(chat, session, "second question")
    panel, session, _ = chat.select_citation(session, "en", {"turn": 0, "n": 1})
    assert session.selected_turn == 0
    assert 'class="source-card selected focused" id="src-0-1"' in panel
    assert QUESTION_ZH in panel


@pytest.mark.parametrize("data", [None, {}, {"turn": "x", "n": 1}, {"turn": 9, "n": 1}])
def test_bad_citation_events_leave_the_selection_alone(services, settings, data):
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    ask(chat, session, QUESTION_ZH)
    panel, session, _ = chat.select_citation(session, "en", data)
    assert session.selected_turn == 0 and "source-card selected" in panel


def test_model_failure_mid_answer_shows_an_error_and_the_next_question_works(services, settings):
    services.assistant = FakeAssistant(fail_after=2)
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    updates, _ = ask(chat, session, QUESTION_ZH)
    content = updates[-1][0][1]["content"]
    assert "error-badge" in content
    assert "secret-token-123" not in content, "raw exception text must not reach the page"
    services.assistant.fail_after = None
    updates, _ = ask(chat, session, QUESTION_ZH)
    assert "cite-link" in updates[-1][0][3]["content"]
    assert len(services.assistant.calls[-1].history) == 0, "the failed turn is no history"


def test_empty_question_error_from_the_assistant_is_polite(services, settings):
    class Empty(FakeAssistant):
        def stream(self, question, history=(), **kwargs):
            from assistant.answer.pipeline import EmptyQuestionError

            raise EmptyQuestionError("请输入问题")
            yield  # pragma: no cover

    services.assistant = Empty()
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    updates, _ = ask(chat, session, "？")
    messages, _, session, status, _ = updates[-1]
    assert messages == [] and session.turns == []
    assert status == "Please type a question about the documents."


def test_filters_reach_the_assistant(services, settings):
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    ask(chat, session, "q1", scope=SCOPE_SELECTED, docs=["en/CHN_73_2018.txt"])
    ask(chat, session, "q2", scope=SCOPE_LANGUAGE, doc_lang="en", answer_lang="zh")
    ask(chat, session, "q3")
    one, two, three = services.assistant.calls
    assert (one.doc_ids, one.langs) == (["en/CHN_73_2018.txt"], None)
    assert (two.doc_ids, two.langs, two.language) == (None, ["en"], "zh")
    assert (three.doc_ids, three.langs, three.language) == (None, None, None)


def test_empty_document_selection_falls_back_to_all_with_a_note(services, settings):
    chat = ChatCallbacks(services, settings)
    updates, _ = ask(chat, ChatSession(), "q", scope=SCOPE_SELECTED, docs=[])
    assert services.assistant.calls[0].doc_ids is None
    assert updates[-1][3] == "No document selected, so the answer uses all documents."


def test_answer_warnings_are_shown(services, settings):
    services.assistant = FakeAssistant(
        lambda q: make_answer(q, warnings=["question truncated from 20000 to 1000 characters"])
    )
    chat = ChatCallbacks(services, settings)
    updates, _ = ask(chat, ChatSession(), "x" * 20000)
    assert "truncated" in updates[-1][3]


def test_language_switch_rerenders_the_panel(services, settings):
    chat = ChatCallbacks(services, settings)
    session = ChatSession()
    ask(chat, session, QUESTION_ZH)
    _, panel_zh = chat.rerender(session, "zh")
    _, panel_en = chat.rerender(session, "en")
    assert "出处：" in panel_zh and "中文" in panel_zh
    assert "Sources for" in panel_en and "Chinese" in panel_en


def test_the_ask_api_returns_the_one_answer_serialisation(services, settings) -> None:
    """``/ask`` and ``assistant ask --json`` write an answer as the same object."""
    from assistant.answer.present import answer_to_dict
    from assistant.ui.api import make_ask_endpoint

    payload = make_ask_endpoint(services, settings)("反恐委员会在哪一次会议上审议了联合报告？")

    (call,) = services.assistant.calls
    assert payload == answer_to_dict(make_answer(call.question))
    assert payload["citations"][0]["passage"]


def test_a_pasted_book_is_cut_before_it_is_stored_or_answered(services, settings):
    """An 80,000-character question reaches the assistant (and the history) at the limit."""
    chat = ChatCallbacks(services, settings)
    book = "What did the Committee decide about the report? " * 1700
    updates, status = ask(chat, ChatSession(), book)

    limit = settings.answer.max_question_chars
    assert len(book) > 80_000
    assert f"only its first {limit} were used" in status
    session = updates[-1][2]
    assert session.turns[0].question == book[:limit].rstrip()
    assert [len(call.question) for call in services.assistant.calls] == [limit - 1]  # cut, trimmed
