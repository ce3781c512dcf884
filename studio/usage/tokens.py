"""Token counts: `tiktoken` where its encoding is on this machine, else an estimate (marked so).

tiktoken downloads an encoding on first use; the studio never lets it (no network is assumed).
An encoding is used only when tiktoken's own cache already holds it (``TIKTOKEN_CACHE_DIR``, or
tiktoken's default cache folder); otherwise a count is estimated at four characters per token
(OpenAI's rule of thumb for English) and recorded as "estimated".
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterable
from typing import Any

CHARS_PER_TOKEN = 4
# OpenAI's chat format adds a few tokens per message and per reply.
TOKENS_PER_MESSAGE = 4
TOKENS_PER_REPLY = 3

_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
_lock = threading.Lock()
_encodings: dict[str, Any] = {}


def estimate(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN if text else 0


def _cache_dir() -> str:
    for name in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if name in os.environ:
            return os.environ[name]
    return os.path.join(tempfile.gettempdir(), "data-gym-cache")


def encoding_for(model: str) -> Any | None:
    """tiktoken's encoding for an OpenAI model when it is cached locally; None otherwise."""
    try:
        import tiktoken
        from tiktoken.model import encoding_name_for_model
    except ImportError:  # pragma: no cover - tiktoken comes with langchain-openai
        return None
    try:
        name = encoding_name_for_model(model.split("/")[-1])
    except KeyError:
        return None  # not an OpenAI model: its tokenizer is unknown
    with _lock:
        if name in _encodings:
            return _encodings[name]
        encoding = None
        key = hashlib.sha1(_BLOB.format(name=name).encode()).hexdigest()
        if os.path.exists(os.path.join(_cache_dir(), key)):
            try:
                encoding = tiktoken.get_encoding(name)
            except Exception:  # noqa: BLE001 - a damaged cache: estimate instead
                encoding = None
        _encodings[name] = encoding
        return encoding


def count(text: str, model: str) -> tuple[int, str]:
    """(tokens, "counted" | "estimated")."""
    encoding = encoding_for(model)
    if encoding is None:
        return estimate(text), "estimated"
    return len(encoding.encode(text, disallowed_special=())), "counted"


def message_texts(messages: Iterable[Any]) -> list[str]:
    texts = []
    for message in messages:
        content = getattr(message, "content", message)
        if isinstance(content, list):
            content = "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content if isinstance(p, (str, dict)))
        texts.append(str(content or ""))
    return texts


def count_messages(messages: Iterable[Any], model: str) -> tuple[int, str]:
    texts = message_texts(messages)
    total, source = 0, "counted"
    for text in texts:
        n, how = count(text, model)
        total += n + TOKENS_PER_MESSAGE
        if how == "estimated":
            source = "estimated"
    return (total + TOKENS_PER_REPLY if texts else 0), source


def expected_tokens_for_words(words: int) -> int:
    """What a reply of ``words`` words is likely to take (about 4 tokens per 3 English words)."""
    return max(int(words), 0) * 4 // 3
