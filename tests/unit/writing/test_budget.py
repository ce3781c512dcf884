"""Token budgets: tiktoken counts offline from the shipped files, the estimate elsewhere, per-model
settings, and the sliding window fitted to its budget."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from studio.config import Settings
from studio.writing.budget import ENCODINGS_DIR, budget_for, encoding
from studio.writing.prompts import WrittenSection, build_window

URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
SAMPLES = ["Hello world, customers not users!", "Ünïcödé — 日本語のテキスト 12345 🙂", "def f(x):\n    return x ** 2\n",
           "<|endoftext|> is text here", "   spaces\t\ttabs\n\n\nnewlines"]


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_the_shipped_encoding_is_the_one_tiktoken_builds_itself(name, tmp_path, monkeypatch):
    # tiktoken's own path: its constructor reads the file from its cache (keyed by the URL's
    # SHA-1) instead of downloading it, and checks the hash itself.
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(ENCODINGS_DIR / f"{name}.tiktoken", cache / hashlib.sha1(URLS[name].encode()).hexdigest())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    import tiktoken
    import tiktoken.registry

    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    theirs = tiktoken.get_encoding(name)
    ours = encoding(name)
    for text in SAMPLES:
        assert ours.encode(text, disallowed_special=()) == theirs.encode(text, disallowed_special=())
    assert ours.n_vocab == theirs.n_vocab


def test_openai_models_are_counted_with_tiktoken_and_others_estimated():
    settings = Settings()
    gpt = budget_for(settings, "gpt-4o-mini")
    assert gpt.tokenizer == "o200k_base" and gpt.exact and gpt.context_window == 128_000
    assert gpt.count("Hello world") == 2
    assert budget_for(settings, "gpt-4").tokenizer == "cl100k_base"
    llama = budget_for(settings, "llama3.1")
    assert llama.tokenizer == "estimate" and not llama.exact and llama.context_window == 8_192
    assert llama.count("one two three four") >= 4  # errs on the large side


def test_budgets_are_configurable_per_model():
    settings = Settings(studio_model_budgets={"llama3": {"context_window": 131072, "tokenizer": "cl100k_base"},
                                              "tiny": {"context_window": 2048, "chars_per_token": 2}},
                        studio_context_budget_tokens=5000)
    assert budget_for(settings, "llama3.1:8b").tokenizer == "cl100k_base"  # by prefix
    assert budget_for(settings, "llama3.1:8b").window_tokens == 5000
    tiny = budget_for(settings, "tiny")
    assert tiny.window_tokens < 2048 // 2 and tiny.count("abcdefgh") == 4


def test_head_and_tail_fit_their_budget():
    for b in (budget_for(Settings(), "gpt-4o"), budget_for(Settings(), "llama3.1")):
        text = " ".join(f"word{i}" for i in range(500))
        assert b.count(b.tail(text, 50)) <= 50 and text.endswith(b.tail(text, 50).strip())
        assert b.count(b.head(text, 50)) <= 50 and text.startswith(b.head(text, 50).strip())


def test_the_window_drops_oldest_summaries_first_and_never_holds_earlier_text():
    b = budget_for(Settings(studio_context_budget_tokens=200), "gpt-4o")
    written = [WrittenSection(i, f"Part {i}", f"Summary of part {i}. " * 6, [f"point {i}.{j}" for j in range(3)],
                              f"Opening of part {i}.\n\nMiddle of part {i}.\n\nClosing of part {i}.")
               for i in range(10)]
    window = build_window(written, 10, b)
    joined = "\n\n".join(window.parts())
    assert b.count(joined) <= 200
    assert "Closing of part 9." in joined
    assert "Opening of part" not in joined and "Middle of part" not in joined
    assert window.dropped_summaries > 0
    kept = [pos for pos, _, _ in window.summaries]
    assert kept == sorted(kept) and (not kept or kept[-1] == 9)  # the newest stay
