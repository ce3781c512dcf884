"""Row states and the retry policy of a batch (pure).

A row is queued, then writing (a worker holds it), then checked (written and checked), then
done (a link to its draft); or failed with the reason, or cancelled. A failure the provider
may get over (rate limit, server error, timeout, dropped connection) is tried again after a
delay: the provider's Retry-After when it sent one, else an exponential backoff with jitter.
Anything else (a refused key, an unknown model, a budget) fails the row at once.
"""

from __future__ import annotations

import email.utils
import random
from datetime import datetime, timezone
from enum import Enum

import httpx
import openai

from studio.errors import StudioError, VersionConflict

BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 120.0
RETRY_AFTER_CAP_S = 600.0


class RowState(str, Enum):
    QUEUED = "queued"
    WRITING = "writing"
    CHECKED = "checked"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def ended(self) -> bool:
        return self in ENDED


_LABELS = {
    RowState.QUEUED: "Queued",
    RowState.WRITING: "Writing",
    RowState.CHECKED: "Checked",
    RowState.DONE: "Done",
    RowState.FAILED: "Failed",
    RowState.CANCELLED: "Cancelled",
}
ENDED = frozenset({RowState.DONE, RowState.FAILED, RowState.CANCELLED})
ACTIVE = frozenset({RowState.WRITING, RowState.CHECKED})

BATCH_LABELS = {"running": "Running", "cancelled": "Cancelled", "finished": "Finished"}


def retry_after_seconds(exc: BaseException | None, now: datetime | None = None) -> float | None:
    """The delay the provider asked for (``retry-after-ms``, ``Retry-After`` in seconds or as a
    date), or None."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return min(max(float(ms) / 1000, 0.0), RETRY_AFTER_CAP_S)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return min(max(float(value), 0.0), RETRY_AFTER_CAP_S)
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            now = now or datetime.now(timezone.utc)
            return min(max((when - now).total_seconds(), 0.0), RETRY_AFTER_CAP_S)
    except (TypeError, ValueError):
        return None


def is_transient(exc: BaseException | None) -> bool:
    """May trying again help? Unknown failures are tried again (up to the attempt limit)."""
    if exc is None:
        return True
    if isinstance(exc, openai.RateLimitError):
        code = getattr(exc, "code", None) or ((getattr(exc, "body", None) or {}) if isinstance(getattr(exc, "body", None), dict) else {}).get("code")
        return code != "insufficient_quota"  # the account's quota is used up: waiting will not help
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError,
                        openai.BadRequestError, openai.UnprocessableEntityError)):  # fmt: skip
        return False
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 425, 429) or exc.status_code >= 500
    if isinstance(exc, (openai.APIConnectionError, openai.APIError, httpx.TransportError, TimeoutError,
                        ConnectionError, VersionConflict)):  # fmt: skip
        return True
    if isinstance(exc, StudioError):
        return False  # a refusal in words (budget, configuration, input)
    return True


def backoff_seconds(attempt: int, rng: random.Random | None = None) -> float:
    """Exponential: 2, 4, 8 … seconds (capped), each with ±20 % jitter so rows do not retry in step."""
    rng = rng or random
    base = min(BACKOFF_BASE_S * 2 ** max(attempt - 1, 0), BACKOFF_CAP_S)
    return base * rng.uniform(0.8, 1.2)


def retry_delay(exc: BaseException | None, attempt: int, rng: random.Random | None = None) -> float:
    """How long to wait before the next attempt: the provider's Retry-After, never less."""
    asked = retry_after_seconds(exc)
    if asked is not None:
        return asked
    return backoff_seconds(attempt, rng)
