"""Token budgets: how big a model's context is, how text is counted, and how much of it the
sliding window of earlier text may take.

OpenAI models are counted with `tiktoken`, from the BPE files shipped in `encodings/` (tiktoken
would download them; nothing can be downloaded here). Other models get an estimate that errs
on the large side. Both, and the context window, can be set per model with
``STUDIO_MODEL_BUDGETS`` (see `Settings.studio_model_budgets`).
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.config import Settings

ENCODINGS_DIR = Path(__file__).resolve().parent / "encodings"

# The files' SHA-256 as tiktoken itself expects them (tiktoken_ext/openai_public.py).
_HASHES = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}
# The split patterns and special tokens of tiktoken's own constructors for these encodings
# (tiktoken_ext/openai_public.py); the test compares the result with tiktoken's own encoding.
_PATTERNS = {
    "o200k_base": "|".join([
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]),
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
}
_SPECIAL = {
    "o200k_base": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    "cl100k_base": {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                    "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276},
}

# Context windows of OpenAI models, longest prefix first; anything else gets DEFAULT_WINDOW
# unless STUDIO_MODEL_BUDGETS says otherwise.
_KNOWN_WINDOWS: tuple[tuple[str, int], ...] = (
    ("gpt-4.1", 1_047_576),
    ("gpt-5", 400_000),
    ("gpt-4o", 128_000),
    ("gpt-4-turbo", 128_000),
    ("gpt-4-32k", 32_768),
    ("gpt-4", 8_192),
    ("gpt-3.5-turbo", 16_385),
    ("o4-mini", 200_000),
    ("o3", 200_000),
    ("o1", 200_000),
)
DEFAULT_WINDOW = 8_192
# Room kept for the answer: a long section, a revised text.
OUTPUT_RESERVE = 4_096

_lock = threading.Lock()
_encodings: dict[str, Any] = {}


def encoding(name: str) -> Any:
    """A tiktoken Encoding built from the shipped file (checked against tiktoken's hash)."""
    with _lock:
        if name not in _encodings:
            import tiktoken
            from tiktoken.load import load_tiktoken_bpe

            ranks = load_tiktoken_bpe(str(ENCODINGS_DIR / f"{name}.tiktoken"), expected_hash=_HASHES[name])
            _encodings[name] = tiktoken.Encoding(
                name=name, pat_str=_PATTERNS[name], mergeable_ranks=ranks, special_tokens=_SPECIAL[name]
            )
        return _encodings[name]


def openai_encoding_name(model: str) -> str | None:
    """The tiktoken encoding of an OpenAI model (tiktoken's own table), if we ship its file."""
    from tiktoken.model import encoding_name_for_model

    try:
        name = encoding_name_for_model(model.strip().split("/")[-1])
    except KeyError:
        return None
    return name if name in _HASHES else None


_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class TokenBudget:
    model: str
    context_window: int
    tokenizer: str  # an encoding name, or "estimate"
    window_tokens: int  # what the sliding window of earlier text may take
    chars_per_token: float = 4.0

    @property
    def exact(self) -> bool:
        return self.tokenizer != "estimate"

    @property
    def label(self) -> str:
        how = f"counted with tiktoken ({self.tokenizer})" if self.exact else "estimated"
        return f"{self.model}: {self.context_window:,}-token context, tokens {how}"

    def count(self, text: str) -> int:
        if not text:
            return 0
        if self.exact:
            return len(encoding(self.tokenizer).encode(text, disallowed_special=()))
        # Errs on the large side: the larger of a character- and a word-based guess.
        by_chars = math.ceil(len(text) / self.chars_per_token)
        by_words = math.ceil(len(_WORD.findall(text)) * 1.35)
        return max(by_chars, by_words)

    def count_messages(self, messages: list[dict[str, str]] | list[Any]) -> int:
        """Tokens of a chat prompt: each message's text plus the few the format adds."""
        total = 3
        for m in messages:
            content = m["content"] if isinstance(m, dict) else str(getattr(m, "content", ""))
            total += 4 + self.count(str(content))
        return total

    def head(self, text: str, tokens: int) -> str:
        """The start of `text` that fits in `tokens`."""
        return self._cut(text, tokens, from_end=False)

    def tail(self, text: str, tokens: int) -> str:
        """The end of `text` that fits in `tokens`."""
        return self._cut(text, tokens, from_end=True)

    def _cut(self, text: str, tokens: int, *, from_end: bool) -> str:
        if tokens <= 0:
            return ""
        if self.count(text) <= tokens:
            return text
        if self.exact:
            ids = encoding(self.tokenizer).encode(text, disallowed_special=())
            part = ids[-tokens:] if from_end else ids[:tokens]
            return encoding(self.tokenizer).decode(part)
        words = _WORD.findall(text)
        keep = max(0, int(tokens / 1.35))
        keep = min(keep, len(words))
        chosen = words[len(words) - keep:] if from_end else words[:keep]
        out = " ".join(chosen)
        while out and self.count(out) > tokens:
            out = out[1:] if from_end else out[:-1]
        return out


def _configured(settings: Settings, model: str) -> dict[str, Any]:
    """The STUDIO_MODEL_BUDGETS entry for `model`: its exact name, else the longest prefix."""
    table = settings.studio_model_budgets or {}
    if model in table:
        return dict(table[model])
    prefixes = sorted((k for k in table if model.startswith(k)), key=len, reverse=True)
    return dict(table[prefixes[0]]) if prefixes else {}


def budget_for(settings: Settings, model: str) -> TokenBudget:
    name = model.strip().split("/")[-1]
    conf = _configured(settings, name)
    window = conf.get("context_window")
    if not window:
        window = next((size for prefix, size in _KNOWN_WINDOWS if name.startswith(prefix)), DEFAULT_WINDOW)
    tokenizer = conf.get("tokenizer") or openai_encoding_name(name) or "estimate"
    if tokenizer != "estimate" and tokenizer not in _HASHES:
        tokenizer = "estimate"
    window = int(window)
    # The window of earlier text: the configured share, and never more than half of what is
    # left of the context once the answer has its room.
    room = max(256, (window - min(OUTPUT_RESERVE, window // 2)) // 2)
    share = int(conf.get("window_tokens") or settings.studio_context_budget_tokens)
    return TokenBudget(
        model=name,
        context_window=window,
        tokenizer=tokenizer,
        window_tokens=min(share, room),
        chars_per_token=float(conf.get("chars_per_token") or 4.0),
    )
