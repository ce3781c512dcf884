"""`python -m studio worker --processes P`: the jobs shared among P worker processes, a process
that dies started again, and every process gone when the pool stops or is killed."""

from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import select

from studio.batch.worker import shares
from studio.db import session_scope
from studio.models import BatchAttempt, BatchRow, Draft
from tests.integration.batch.conftest import all_ended, article_or_fields, submit_rows, wait_until
from tests.support.workers import Worker, alive, worker_env

ROWS = 10


@pytest.fixture
def env(db_backend, request, fake_openai, tmp_path, monkeypatch) -> dict[str, str]:  # type: ignore[no-untyped-def]
    if db_backend != "sqlite":
        pytest.skip("the pool runs ordinary workers; their backends are covered by test_worker_crash")
    db_url = request.getfixturevalue("db_url")
    values = {"STUDIO_DATABASE_URL": db_url, "OPENAI_BASE_URL": fake_openai.base_url,
              "STUDIO_BATCH_LEASE_SECONDS": "4", "STUDIO_PROVIDER_CONCURRENCY": "6",
              "STUDIO_SECRETS_FILE": str(tmp_path / "absent.toml")}  # fmt: skip
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    from studio.config import reload_settings

    reload_settings()
    return worker_env(**values)


def test_the_jobs_are_shared_as_evenly_as_can_be_and_never_over_more_processes_than_jobs() -> None:
    assert shares(8, 8) == [1] * 8
    assert shares(8, 3) == [3, 3, 2]
    assert shares(2, 5) == [1, 1]
    assert shares(4, 1) == [4]


def test_a_pool_writes_every_row_once_across_its_processes_and_restarts_one_that_dies(
    env, engine, people, fake_openai, tmp_path,
):  # fmt: skip
    fake_openai.reply = article_or_fields(150)
    fake_openai.delay = 0.02  # each row streams for a second or two, so both processes get rows
    pool = Worker(env, tmp_path / "pool.log", concurrency=4, processes=2)
    try:
        wait_until(lambda: len(pool.children()) == 2 and pool.output().count("running 2 job(s)") == 2, 90,
              "two worker processes of two jobs each")  # fmt: skip
        first = pool.children()
        batch_id = submit_rows(engine, people.marketer, ROWS)
        wait_until(lambda: all_ended(engine, batch_id), 120, "every row to end")
        with session_scope(engine) as s:
            rows = s.scalars(select(BatchRow).where(BatchRow.batch_id == batch_id)).all()
            assert [r.state for r in rows] == ["done"] * ROWS, [(r.number, r.state, r.error) for r in rows]
            assert len({r.draft_id for r in rows}) == ROWS
            assert len(s.scalars(select(Draft.id)).all()) == ROWS
            done_by = s.scalars(select(BatchAttempt.worker).join(BatchRow, BatchRow.id == BatchAttempt.row_id)
                                .where(BatchRow.batch_id == batch_id, BatchAttempt.outcome == "done")).all()  # fmt: skip
        writers = {int(worker.split(":")[1]) for worker in done_by}
        assert writers == set(first), (writers, first)  # the rows were written by both children

        os.kill(first[0], signal.SIGKILL)
        wait_until(lambda: len(pool.children()) == 2 and first[0] not in pool.children(), 30,
              "the pool to start the killed process again")  # fmt: skip
        assert "exited (-9); starting it again" in pool.output()
        replaced = pool.children()
    finally:
        code = pool.stop()
    assert code == 0, pool.output()
    assert not [pid for pid in [*first, *replaced] if alive(pid)]
    assert "Worker pool stopped." in pool.output()


def test_a_pool_killed_outright_takes_its_worker_processes_with_it(env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pool = Worker(env, tmp_path / "pool.log", concurrency=2, processes=2)
    try:
        wait_until(lambda: pool.output().count("Ctrl-C stops it") == 3, 90, "the pool and its two processes")
        workers = pool.children()
        assert len(workers) == 2
        pool.kill()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)], pool.output()
        # They were stopped, not killed: each said so on its way out.
        assert pool.output().count("stopped.") == 2, pool.output()
    finally:
        pool.stop()
