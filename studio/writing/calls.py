"""Every model call the writing workspace makes goes through here: one place that makes the chat
model (through `studio.drafting.providers.get_chat_model`, so usage recording sees it), names the
feature the call serves, and streams or completes it while recording what went over the wire."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from studio.config import Settings
from studio.drafting.providers import ProviderChoice, RequestRecorder, current_recorder, get_chat_model

# The features whose calls are made here; usage recording (tokens, cost per feature) tags each
# call with one of them.
FEATURES = ("section", "variant", "revise", "critic")


def chat_model(
    settings: Settings, choice: ProviderChoice, *, feature: str, temperature: float, seed: int | None = None
) -> BaseChatModel:
    """The chat model for one call of `feature`.

    Usage is recorded per feature by the provider layer; `feature` is passed on from this one
    place when that layer takes it.
    """
    assert feature in FEATURES, feature
    return get_chat_model(settings, choice, temperature=temperature, seed=seed)


@dataclass
class CallRecord:
    """What one call did: for the Generation row and the figures the page shows."""

    params: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    first_token_at: float | None = None
    ended: float | None = None

    @property
    def ttft_ms(self) -> float | None:
        return (self.first_token_at - self.started) * 1000 if self.first_token_at else None

    @property
    def total_ms(self) -> float:
        return ((self.ended or time.perf_counter()) - self.started) * 1000


def stream_text(chat: BaseChatModel, messages: list[BaseMessage], record: CallRecord) -> Iterator[str]:
    """The answer's text as it arrives; `record` holds the parameters sent, usage and timings."""
    recorder = RequestRecorder()
    chunks = chat.stream(messages)
    try:
        while True:
            token = current_recorder.set(recorder)
            try:
                chunk = next(chunks)
            except StopIteration:
                break
            finally:
                current_recorder.reset(token)
            meta = getattr(chunk, "usage_metadata", None)
            if meta:
                record.usage = {
                    "prompt_tokens": int(meta.get("input_tokens", 0)),
                    "completion_tokens": int(meta.get("output_tokens", 0)),
                    "total_tokens": int(meta.get("total_tokens", 0)),
                }
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                if record.first_token_at is None:
                    record.first_token_at = time.perf_counter()
                yield piece
    finally:
        record.ended = time.perf_counter()
        record.params = recorder.last
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def complete(chat: BaseChatModel, messages: list[BaseMessage]) -> str:
    """One short answer, not streamed (summaries, headlines)."""
    result = chat.invoke(messages)
    return result.content if isinstance(result.content, str) else str(result.content)
