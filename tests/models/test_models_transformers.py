"""The transformers backend on a tiny random model built in the test (no hub, no download).

Runs only where the optional extra (torch + transformers) is installed; the clear error for a
missing extra is tested in test_models_backends.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.models.backends.base import ChatMessage, GenerationParams

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

WORDS = [
    *["委员会", "会议", "报告", "审议", "第330次"],
    *["the", "committee", "meeting", "report", "considered", "330th"],
]
TEMPLATE = (
    "{% for m in messages %}<|im_start|> {{ m['role'] }} {{ m['content'] }} <|im_end|> "
    "{% endfor %}{% if add_generation_prompt %}<|im_start|> assistant {% endif %}"
)


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-layer random Llama with a word-level tokenizer and a chat template."""
    path = tmp_path_factory.mktemp("tiny-transformers")
    specials = ["[UNK]", "<|im_start|>", "<|im_end|>", "system", "user", "assistant"]
    vocab = {word: i for i, word in enumerate(specials + WORDS)}
    core = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = tokenizers.pre_tokenizers.WhitespaceSplit()
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="[UNK]",
        pad_token="[UNK]",
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
    )
    tokenizer.chat_template = TEMPLATE
    tokenizer.save_pretrained(path)
    config = transformers.LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
    )
    torch.manual_seed(0)
    transformers.LlamaForCausalLM(config).save_pretrained(path)
    return path


MESSAGES = [
    ChatMessage("system", "委员会 报告"),
    ChatMessage("user", "the committee considered the report 第330次 会议"),
]


def test_streams_deterministic_deltas(tiny_model_dir: Path) -> None:
    from assistant.models.backends.transformers_backend import TransformersChatModel

    model = TransformersChatModel(tiny_model_dir, device="cpu")
    params = GenerationParams(max_tokens=8, temperature=0.0)

    first = list(model.stream(MESSAGES, params))
    second = list(model.stream(MESSAGES, params))

    assert first and all(isinstance(d, str) for d in first)
    assert first == second  # greedy decoding is reproducible
    assert model.count_tokens("".join(first)) <= 8
    assert model.count_tokens("委员会 会议 the report") == 4
    assert model.fingerprint.startswith("transformers:")


def test_stop_strings_cut_the_reply(tiny_model_dir: Path) -> None:
    from assistant.models.backends.transformers_backend import TransformersChatModel

    model = TransformersChatModel(tiny_model_dir, device="cpu")
    full = "".join(model.stream(MESSAGES, GenerationParams(max_tokens=8)))
    stop = full.split()[-1]

    cut = "".join(model.stream(MESSAGES, GenerationParams(max_tokens=8, stop=[stop])))

    assert stop not in cut
    assert full.startswith(cut.rstrip())


def test_a_caller_that_stops_early_does_not_block(tiny_model_dir: Path) -> None:
    from assistant.models.backends.transformers_backend import TransformersChatModel

    model = TransformersChatModel(tiny_model_dir, device="cpu")
    stream = model.stream(MESSAGES, GenerationParams(max_tokens=64))
    next(stream)
    stream.close()  # must release the lock and stop the worker thread

    assert list(model.stream(MESSAGES, GenerationParams(max_tokens=2)))
