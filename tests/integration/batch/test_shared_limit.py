"""The per-provider limit holds across workers: leased slots in the database."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from studio.batch import service, slots
from studio.batch.sheet import read_table, suggest_mapping, validate
from studio.db import session_scope
from studio.models import BatchAttempt, BatchRow, utcnow
from tests.integration.batch.conftest import article_or_fields, briefs, csv_of
from tests.support.workers import Worker, worker_env


def test_a_limit_of_two_gives_two_holders_a_slot_and_the_third_waits_until_one_frees_or_expires(engine):
    now = utcnow()
    with session_scope(engine) as s:
        assert slots.try_acquire(s, "provider:x", 2, "w1#row1", 30, now)
        assert slots.try_acquire(s, "provider:x", 2, "w2#row2", 30, now)
        assert not slots.try_acquire(s, "provider:x", 2, "w3#row3", 30, now)
        assert slots.busy(s, "provider:x", now) == 2
    with session_scope(engine) as s:
        slots.release(s, "w1#row1")
        assert slots.try_acquire(s, "provider:x", 2, "w3#row3", 30, now)
    later = now + timedelta(seconds=31)  # w2 stopped renewing: its lease runs out
    with session_scope(engine) as s:
        assert slots.try_acquire(s, "provider:x", 2, "w4#row4", 30, later)
        slots.cool_down(s, "provider:x", 5, now)
        assert 4.9 < slots.cooldown_left(s, "provider:x", now) <= 5


def test_two_worker_processes_never_send_more_calls_at_once_than_the_provider_limit(
    engine, db_url, people, fake_openai, tmp_path, monkeypatch, sqlite_only,
):  # fmt: skip
    env = {"STUDIO_DATABASE_URL": db_url, "OPENAI_BASE_URL": fake_openai.base_url, "STUDIO_PROVIDER_CONCURRENCY": "2",
           "STUDIO_SECRETS_FILE": str(tmp_path / "absent.toml")}  # fmt: skip
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    from studio.config import reload_settings

    reload_settings()
    fake_openai.reply = article_or_fields(80)
    fake_openai.delay = 0.02
    table = read_table(csv_of(briefs(6)), "plan.csv")
    with session_scope(engine) as s:
        done = service.submit(s, people.marketer, validate(table, suggest_mapping(table.columns)).good, concurrency=8)
    service.start(engine, done.batch_id)
    workers = [Worker(worker_env(**env), tmp_path / f"w{i}.log", concurrency=4) for i in range(2)]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with session_scope(engine) as s:
                open_rows = s.scalar(select(func.count(BatchRow.id)).where(BatchRow.state != "done"))
            if not open_rows:
                break
            time.sleep(0.2)
    finally:
        for w in workers:
            w.stop()
    assert open_rows == 0, [w.output()[-2000:] for w in workers]
    assert fake_openai.max_chats_in_flight == 2
    with session_scope(engine) as s:
        writers = set(s.scalars(select(BatchRow.worker)))  # cleared when a row ends
        attempt_workers = set(s.scalars(select(BatchAttempt.worker)))
    assert writers == {None}
    assert len(attempt_workers) == 2  # both processes wrote rows
