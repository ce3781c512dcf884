"""Batch tests: a marketer's batch, the fake model server, workers and Redis as processes."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import postgres as pg
from tests.support.fake_openai import default_article
from tests.support.workers import RedisServer

FIELDS_JSON = json.dumps({"title": "A Title", "slug": "a-title", "excerpt": "An excerpt.",
                          "meta_description": "A meta description.", "tags": ["a", "b", "c"],
                          "categories": ["Marketing"]})  # fmt: skip


def article_or_fields(words: int = 150):  # type: ignore[no-untyped-def]
    """The fake server's reply: the publishing-fields JSON for that call, else an article."""

    def reply(body: dict) -> str:
        messages = body.get("messages") or []
        last = str(messages[-1].get("content", "")) if messages else ""
        if "Propose: title" in last:
            return FIELDS_JSON
        return default_article(last, words)

    return reply


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if not RedisServer.available():
        if pg.in_ci():
            pytest.fail("CI=true but redis-server is not installed (apt-get install redis-server)", pytrace=False)
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


def csv_of(rows: list[dict[str, str]]) -> bytes:
    headers = list(rows[0])
    lines = [",".join(headers)] + [",".join(f'"{r[h]}"' for h in headers) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def briefs(n: int, **extra: str) -> list[dict[str, str]]:
    return [{"type": "blog", "topic": f"Batch topic number {i} about planning", "words": "150", **extra} for i in range(1, n + 1)]


os.environ.setdefault("STUDIO_TEST_BATCH", "1")


def submit_rows(engine, marketer, rows: int, concurrency: int = 6) -> int:  # type: ignore[no-untyped-def]
    """A batch of ``rows`` briefs submitted from a CSV as `marketer`, started."""
    from studio.batch import service
    from studio.batch.sheet import read_table, suggest_mapping, validate
    from studio.db import session_scope

    table = read_table(csv_of(briefs(rows)), "plan.csv")
    checked = validate(table, suggest_mapping(table.columns))
    with session_scope(engine) as s:
        done = service.submit(s, marketer, checked.good, filename="plan.csv", concurrency=concurrency)
    service.start(engine, done.batch_id)
    return done.batch_id


def wait_until(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def all_ended(engine, batch_id: int) -> bool:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from studio.db import session_scope
    from studio.models import BatchRow

    with session_scope(engine) as s:
        return not s.scalar(select(func.count(BatchRow.id)).where(
            BatchRow.batch_id == batch_id, BatchRow.state.not_in(["done", "failed", "cancelled"])))
