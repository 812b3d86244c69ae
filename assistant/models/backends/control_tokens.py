"""Chat-template control tokens spelled out in untrusted text are defused before rendering.

llama.cpp, vLLM and transformers all render the chat template to one string and tokenise it
with special tokens recognised, so a question or a document that contains ``<|im_start|>system``
would open a real system turn, and ``<|im_end|>`` would end the user's. Backends pass every
message except the system prompt (ours, trusted) through :func:`defuse_control_tokens`, which
breaks such spellings with a space: the model still reads the text, as plain text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.models.backends.base import ChatMessage

_PIPE_TOKEN = re.compile(r"<\|([^|<>\n]{1,64})\|>")  # <|im_start|>, <|eot_id|>, <|endoftext|>
_SENTENCE_TOKEN = re.compile(r"<(/?)s>")  # Llama-2 and Mistral <s>, </s>


def defuse_text(text: str) -> str:
    text = _PIPE_TOKEN.sub(r"< |\1| >", text)
    return _SENTENCE_TOKEN.sub(r"< \1s >", text)


def defuse_control_tokens(messages: list[ChatMessage]) -> list[ChatMessage]:
    """``messages`` with control-token spellings broken in all but system messages."""
    return [
        m if m.role == "system" else replace(m, content=defuse_text(m.content)) for m in messages
    ]
