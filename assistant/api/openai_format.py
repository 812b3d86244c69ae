"""An ``Answer`` in OpenAI's chat-completion shapes, with the citations in extra fields.

The reply's text is the answer with its ``[n]`` markers and, under it, the sources block in
Markdown (``export.markdown.sources_markdown``), so a plain chat front end shows the references.
The structured citations (document, UN symbol, ¶, page, supporting sentence, language) travel
in ``message.citations`` (streamed: in the last chunk's ``delta.citations``), and what the
pipeline decided (refused or not, the answer's language, how a follow-up was understood,
warnings) in ``message.assistant``; OpenAI clients ignore both, and keep them in
``model_extra``. A refusal is an ordinary reply with no citations.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from assistant.answer.present import citation_to_dict
from assistant.answer.types import Answer
from assistant.export.markdown import sources_markdown


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def reply_text(answer: Answer) -> str:
    """The answer's text, then its sources block (none for a refusal)."""
    sources = sources_markdown(answer)
    text = answer.text.strip()
    return f"{text}\n\n{sources}".rstrip() if sources else text


def citations(answer: Answer) -> list[dict[str, Any]]:
    return [citation_to_dict(c) for c in sorted(answer.citations, key=lambda c: c.number)]


def answer_info(answer: Answer, warnings: list[str]) -> dict[str, Any]:
    return {
        "language": answer.language,
        "refused": answer.refused,
        "refusal_reason": answer.refusal_reason,
        "understood_as": answer.standalone_question,
        "unsupported_sentences": list(answer.unsupported_sentences),
        "warnings": [*warnings, *answer.warnings],
    }


def completion(answer: Answer, model: str, warnings: list[str]) -> dict[str, Any]:
    """A whole ``chat.completion`` object."""
    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": reply_text(answer),
                    "refusal": None,
                    "citations": citations(answer),
                    "assistant": answer_info(answer, warnings),
                },
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": None,
    }


class ChunkWriter:
    """The server-sent events of one streamed completion, all with one id and timestamp."""

    def __init__(self, model: str) -> None:
        self.id = completion_id()
        self.created = int(time.time())
        self.model = model

    def event(self, delta: dict[str, Any], finish_reason: str | None = None) -> str:
        chunk = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [
                {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
            ],
        }
        return sse(chunk)

    def start(self) -> str:
        return self.event({"role": "assistant", "content": ""})

    def text(self, text: str) -> str:
        return self.event({"content": text})

    def finish(self, answer: Answer, streamed: str, warnings: list[str]) -> list[str]:
        """The events that close the reply: whatever of the final text was not streamed (the
        sources block), then the citations and the finish reason."""
        events = []
        final = reply_text(answer)
        if final.startswith(streamed):
            rest = final[len(streamed) :]
        else:  # the text was rewritten after streaming: the sources follow what was shown
            sources = sources_markdown(answer)
            rest = f"\n\n{sources}".rstrip() if sources else ""
        if rest:
            events.append(self.text(rest))
        events.append(
            self.event(
                {"citations": citations(answer), "assistant": answer_info(answer, warnings)},
                finish_reason="stop",
            )
        )
        return events


def sse(data: object) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


DONE = "data: [DONE]\n\n"
