"""The one place every model call passes through: recorded, priced, and held to the budgets.

`UsageCallback` is attached to every chat model `drafting.providers.get_chat_model` makes, so
drafts, sections, variants, revisions, publishing fields and batch rows are all recorded without
their code doing anything but tagging the feature (`usage.context.feature`). Before a call goes
out it is priced (prompt counted, reply expected) and checked against the hard budgets of the
person and the workspace; a refusal raises `BudgetExceeded` there, so nothing is sent. The
OpenAI clients for moderation and embeddings are wrapped the same way (`track_calls`).

Tokens come from the server's usage report when it sends one ("reported"); otherwise they are
counted with tiktoken ("counted") or estimated ("estimated"). A call killed outright (SIGKILL)
is not recorded: nothing runs to record it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

from studio.config import get_settings
from studio.errors import StudioError
from studio.usage import context, policy, tokens
from studio.usage.prices import Price, resolve
from studio.usage.sink import SINK

log = logging.getLogger(__name__)

DEFAULT_EXPECTED_OUTPUT_TOKENS = 1000


class BudgetExceeded(StudioError):
    """A hard budget would be passed: the call was not sent."""


def endpoint_of(base_url: str | None) -> str:
    return urlparse(base_url).netloc.lower() if base_url else "api.openai.com"


def month_start(now: datetime | None = None) -> datetime:
    now = now or datetime.now(timezone.utc)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def price_of(model: str, endpoint: str) -> Price | None:
    """Today's price; the shipped defaults alone when the database cannot be read (a model call
    is never stopped because its cost could not be looked up)."""
    from studio.usage.service import current_price

    try:
        return current_price(model, endpoint)
    except Exception:  # noqa: BLE001
        log.warning("admin prices could not be read; using the defaults", exc_info=True)
        return resolve(model, endpoint, {})


def check_budget(ctx: context.CallContext, estimate: float) -> None:
    """Raise BudgetExceeded when a call estimated at ``estimate`` dollars would pass a hard budget."""
    if estimate <= 0:
        return
    from studio.usage.service import budget_lines, reading

    with reading(get_settings().studio_database_url) as session:
        lines = budget_lines(session, ctx.person_id)
    message = policy.refusal(lines, estimate)
    if message:
        raise BudgetExceeded(message)


def record_call(
    *, provider: str, endpoint: str, model: str, ctx: context.CallContext, prompt_tokens: int,
    completion_tokens: int, source: str, ok: bool, duration_ms: float | None, price: Price | None,
) -> None:  # fmt: skip
    cost = price.cost(prompt_tokens, completion_tokens) if price is not None else None
    SINK.put(get_settings().studio_database_url, {
        "created_at": datetime.now(timezone.utc), "provider": provider, "endpoint": endpoint[:200],
        "model": model[:120], "feature": ctx.feature, "person_id": ctx.person_id, "batch_id": ctx.batch_id,
        "prompt_tokens": int(prompt_tokens), "completion_tokens": int(completion_tokens),
        "tokens_source": source, "cost": cost, "ok": ok, "duration_ms": duration_ms,
    })  # fmt: skip


@dataclass
class _Run:
    ctx: context.CallContext
    started: float
    prompt_tokens: int
    prompt_source: str
    price: Price | None
    parts: list[str] = field(default_factory=list)


class UsageCallback(BaseCallbackHandler):
    """Records each call of the chat model it is attached to; refuses calls over a hard budget."""

    raise_error = True  # a budget refusal must stop the call; every other hook never raises

    def __init__(self, provider: str, model: str, base_url: str | None) -> None:
        self.provider = provider
        self.model = model
        self.endpoint = endpoint_of(base_url)
        self._runs: dict[UUID, _Run] = {}
        self._lock = threading.Lock()

    def on_chat_model_start(self, serialized: Any, messages: list[list[Any]], *, run_id: UUID, **kwargs: Any) -> None:
        ctx = context.current()
        prompt, source = tokens.count_messages([m for batch in messages for m in batch], self.model)
        price = price_of(self.model, self.endpoint)
        params = kwargs.get("invocation_params") or {}
        expected = params.get("max_tokens") or params.get("max_completion_tokens") or ctx.expected_output_tokens
        if price is not None:
            try:
                check_budget(ctx, price.cost(prompt, int(expected or DEFAULT_EXPECTED_OUTPUT_TOKENS)))
            except BudgetExceeded as refused:
                if ctx.observer is not None:
                    ctx.observer.errors.append(refused)
                raise
            except Exception:  # noqa: BLE001 - an unreadable database is not a refusal
                log.warning("budgets could not be read; the call goes ahead", exc_info=True)
        with self._lock:
            self._runs[run_id] = _Run(ctx, time.perf_counter(), prompt, source, price)
        if ctx.observer is not None:
            ctx.observer.calls += 1

    def on_llm_new_token(self, token: str, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._runs.get(run_id)
        if run is not None and token:
            run.parts.append(token)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            self._finish(run_id, response, ok=True)
        except Exception:  # noqa: BLE001 - recording must never break a generation
            log.warning("recording a model call failed", exc_info=True)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        try:
            run = self._runs.get(run_id)
            if run is not None and run.ctx.observer is not None:
                run.ctx.observer.errors.append(error)
            self._finish(run_id, kwargs.get("response"), ok=False)
        except Exception:  # noqa: BLE001
            log.warning("recording a failed model call failed", exc_info=True)

    def _finish(self, run_id: UUID, response: Any, *, ok: bool) -> None:
        with self._lock:
            run = self._runs.pop(run_id, None)
        if run is None:
            return
        reported = _reported_usage(response) if response is not None else None
        if reported is not None:
            prompt, completion, source = reported[0], reported[1], "reported"
        else:
            text = _response_text(response) or "".join(run.parts)
            completion, how = tokens.count(text, self.model)
            source = "estimated" if "estimated" in (how, run.prompt_source) else "counted"
            # A call refused or dropped before any reply is not billed for its prompt.
            prompt = run.prompt_tokens if (ok or text) else 0
        record_call(
            provider=self.provider, endpoint=self.endpoint, model=self.model, ctx=run.ctx,
            prompt_tokens=prompt, completion_tokens=completion, source=source, ok=ok,
            duration_ms=(time.perf_counter() - run.started) * 1000, price=run.price,
        )  # fmt: skip


def _reported_usage(response: Any) -> tuple[int, int] | None:
    for generations in getattr(response, "generations", None) or []:
        for generation in generations:
            meta = getattr(getattr(generation, "message", None), "usage_metadata", None)
            if meta:
                return int(meta.get("input_tokens") or 0), int(meta.get("output_tokens") or 0)
    usage = (getattr(response, "llm_output", None) or {}).get("token_usage") or {}
    if usage.get("prompt_tokens") is not None:
        return int(usage["prompt_tokens"]), int(usage.get("completion_tokens") or 0)
    return None


def _response_text(response: Any) -> str:
    parts = []
    for generations in getattr(response, "generations", None) or []:
        for generation in generations:
            parts.append(getattr(generation, "text", "") or "")
    return "".join(parts)


class _TrackedCalls:
    """One endpoint of an OpenAI client (moderations, embeddings) whose calls are recorded."""

    def __init__(self, inner: Any, endpoint: str, feature: str, default_model: str) -> None:
        self._inner = inner
        self._endpoint = endpoint
        self._feature = feature
        self._default_model = default_model

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def create(self, **kwargs: Any) -> Any:
        ctx = context.current()
        model = str(kwargs.get("model") or self._default_model)
        text = kwargs.get("input")
        texts = text if isinstance(text, list) else [text]
        prompt, source = sum(tokens.estimate(str(t)) for t in texts), "estimated"
        started = time.perf_counter()
        ok = False
        try:
            result = self._inner.create(**kwargs)
            ok = True
            reported = getattr(getattr(result, "usage", None), "prompt_tokens", None)
            if isinstance(reported, int):
                prompt, source = reported, "reported"
            return result
        finally:
            try:
                record_call(
                    provider="openai", endpoint=self._endpoint, model=model,
                    ctx=context.CallContext(self._feature, ctx.person_id, ctx.batch_id),
                    prompt_tokens=prompt if ok else 0, completion_tokens=0, source=source, ok=ok,
                    duration_ms=(time.perf_counter() - started) * 1000, price=price_of(model, self._endpoint),
                )  # fmt: skip
            except Exception:  # noqa: BLE001
                log.warning("recording a %s call failed", self._feature, exc_info=True)


class TrackedClient:
    """An OpenAI client whose moderation and embeddings calls are recorded like every chat call
    (not held to the budgets: both are fractions of a cent, and a refused embedding would only
    turn semantic search off)."""

    def __init__(self, client: Any, base_url: str | None) -> None:
        self._client = client
        endpoint = endpoint_of(base_url)
        self.moderations = _TrackedCalls(client.moderations, endpoint, "moderation", "omni-moderation-latest")
        self.embeddings = _TrackedCalls(client.embeddings, endpoint, "embeddings", "text-embedding-3-small")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def track_calls(client: Any, base_url: str | None) -> Any:
    """``client`` with its moderation and embeddings calls recorded."""
    return TrackedClient(client, base_url)
