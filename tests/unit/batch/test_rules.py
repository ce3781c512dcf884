"""Which failures a batch row retries, and when."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import openai
import pytest

from studio.batch.rules import backoff_seconds, is_transient, retry_after_seconds, retry_delay
from studio.usage.recorder import BudgetExceeded


def _error(cls, status, headers=None, body=None):  # type: ignore[no-untyped-def]
    request = httpx.Request("POST", "http://x/v1/chat/completions")
    response = httpx.Response(status, headers=headers or {}, request=request)
    return cls("boom", response=response, body=body)


def test_retry_after_is_read_in_seconds_milliseconds_and_as_a_date():
    assert retry_after_seconds(_error(openai.RateLimitError, 429, {"retry-after": "12"})) == 12
    assert retry_after_seconds(_error(openai.RateLimitError, 429, {"retry-after-ms": "1500"})) == 1.5
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    got = retry_after_seconds(_error(openai.RateLimitError, 429, {"retry-after": format_datetime(when, usegmt=True)}))
    assert 25 <= got <= 31
    assert retry_after_seconds(_error(openai.RateLimitError, 429)) is None
    assert retry_after_seconds(ValueError()) is None


def test_the_delay_honours_retry_after_else_backs_off_exponentially_with_jitter():
    assert retry_delay(_error(openai.RateLimitError, 429, {"retry-after": "9"}), 1) == 9
    rng = random.Random(1)
    delays = [backoff_seconds(n, rng) for n in (1, 2, 3, 4)]
    for n, d in zip((1, 2, 3, 4), delays):
        assert 0.8 * 2 ** n <= d <= 1.2 * 2 ** n
    assert backoff_seconds(30, rng) <= 120 * 1.2


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (_error(openai.RateLimitError, 429), True),
        (_error(openai.RateLimitError, 429, body={"code": "insufficient_quota"}), False),
        (_error(openai.InternalServerError, 500), True),
        (_error(openai.AuthenticationError, 401), False),
        (_error(openai.NotFoundError, 404), False),
        (_error(openai.BadRequestError, 400), False),
        (openai.APIConnectionError(request=httpx.Request("POST", "http://x")), True),
        (httpx.RemoteProtocolError("cut"), True),
        (BudgetExceeded("Not sent: …"), False),
        (RuntimeError("anything else"), True),
    ],
)
def test_which_failures_are_tried_again(error, transient):
    assert is_transient(error) is transient
