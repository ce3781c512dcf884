"""A worker SIGKILLed half-way through a batch: every row still ends exactly once.

Workers are separate processes (`python -m studio worker`) on the embedded queue (SQLite), on
Huey's PostgreSQL storage and on a real Redis server. One of two workers is killed while rows are
streaming; it is started again. Every row must end done, with one draft each (no duplicates, no
lost rows), one successful generation per draft, and the row that was mid-stream must keep the
text it had on its lost attempt.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from studio.db import session_scope
from studio.models import BatchAttempt, BatchRow, Draft, Generation
from tests.integration.batch.conftest import all_ended, article_or_fields, submit_rows, wait_until
from tests.support.workers import Worker, worker_env

ROWS = 10


def _streaming_with_text(engine, batch_id: int, pid: int) -> bool:  # type: ignore[no-untyped-def]
    """A row of the worker with this pid is streaming and has saved some text."""
    with session_scope(engine) as s:
        return bool(s.scalar(
            select(func.count(BatchAttempt.id)).join(BatchRow, BatchRow.id == BatchAttempt.row_id)
            .where(BatchRow.batch_id == batch_id, BatchAttempt.outcome == "running",
                   BatchAttempt.worker.like(f"%:{pid}:%"), func.length(BatchAttempt.partial_text) > 0)
        ))  # fmt: skip


@pytest.mark.parametrize("queue", ["follows-database", "redis"])
def test_a_worker_killed_half_way_and_started_again_finishes_every_row_exactly_once(
    queue, db_backend, engine, db_url, people, fake_openai, tmp_path, request, monkeypatch,
):  # fmt: skip
    if queue == "redis" and db_backend == "sqlite":
        pytest.skip("the team backend: PostgreSQL database with a Redis queue")
    env = {"STUDIO_DATABASE_URL": db_url, "OPENAI_BASE_URL": fake_openai.base_url,
           "STUDIO_BATCH_LEASE_SECONDS": "4", "STUDIO_PROVIDER_CONCURRENCY": "6",
           "STUDIO_SECRETS_FILE": str(tmp_path / "absent.toml")}  # fmt: skip
    if queue == "redis":
        env["STUDIO_QUEUE_URL"] = request.getfixturevalue("redis_server").url
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from studio.config import reload_settings

    reload_settings()
    # ~75 chunks 40 ms apart: each row streams for about three seconds.
    fake_openai.reply = article_or_fields(150)
    fake_openai.delay = 0.04
    batch_id = submit_rows(engine, people.marketer, ROWS)

    a = Worker(worker_env(**env), tmp_path / "worker-a.log", concurrency=3)
    b = Worker(worker_env(**env), tmp_path / "worker-b.log", concurrency=3)
    restarted = None
    try:
        wait_until(lambda: _streaming_with_text(engine, batch_id, a.pid), 90, "a row of worker A streaming with text saved")
        with session_scope(engine) as s:
            held_by_a = set(s.scalars(select(BatchRow.id).where(BatchRow.batch_id == batch_id,
                                                                BatchRow.worker.like(f"%:{a.pid}:%"))))
        a.kill()
        restarted = Worker(worker_env(**env), tmp_path / "worker-a2.log", concurrency=3)
        wait_until(lambda: all_ended(engine, batch_id), 120, "every row to end")
    finally:
        for w in (a, b, restarted):
            if w is not None:
                w.stop()

    with session_scope(engine) as s:
        rows = s.scalars(select(BatchRow).where(BatchRow.batch_id == batch_id)).all()
        assert [r.state for r in rows] == ["done"] * ROWS, [(r.number, r.state, r.error) for r in rows]
        draft_ids = [r.draft_id for r in rows]
        assert None not in draft_ids and len(set(draft_ids)) == ROWS  # one draft per row
        assert s.scalar(select(func.count(Draft.id))) == ROWS  # and no other draft anywhere
        for draft_id in draft_ids:
            ok = s.scalar(select(func.count(Generation.id)).where(Generation.draft_id == draft_id, Generation.error.is_(None)))
            assert ok == 1, f"draft {draft_id} was written {ok} times"
            draft = s.get(Draft, draft_id)
            assert not draft.incomplete and draft.current_revision.reason == "generated"
        lost = s.scalars(select(BatchAttempt).join(BatchRow, BatchRow.id == BatchAttempt.row_id)
                         .where(BatchRow.batch_id == batch_id, BatchAttempt.outcome == "lost")).all()  # fmt: skip
    # Worker A held rows when it was killed; each came back, its partial text kept on the lost attempt.
    assert held_by_a, "worker A held no row when it was killed"
    assert {attempt.row_id for attempt in lost} >= held_by_a
    assert any(attempt.partial_text for attempt in lost), [(x.row_id, len(x.partial_text)) for x in lost]
    # and no live worker's row was taken from it, however late its heartbeat on a loaded machine
    assert all(f":{a.pid}:" in attempt.worker for attempt in lost), [x.worker for x in lost]
