"""Recovery: rows whose worker stopped, and jobs the queue lost.

Huey hands a job to one worker and forgets it (no acknowledgement): a worker killed while
holding a job takes the job with it. The studio's database knows better: a row being written
has a lease its worker renews every few seconds. Every worker, every few seconds, queues again
the rows whose lease ran out (or whose worker, on this machine, is gone), and sends a new job
for a queued row that has no job waiting in the queue. A second job for the same row is
harmless: the first to claim the row writes it, the other finds it taken.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update

from studio.batch import ledger, queue
from studio.batch.rules import ACTIVE, ENDED, RowState
from studio.db import session_scope
from studio.models import Batch, BatchRow, QueueWorker, utcnow

log = logging.getLogger(__name__)

HOST = socket.gethostname()[:60]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process its parent has not reaped yet is a zombie: gone all the same
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return True


def register(engine: Any, worker_id: str, concurrency: int) -> None:
    with session_scope(engine) as session:
        session.add(QueueWorker(id=worker_id, host=HOST, pid=os.getpid(), concurrency=concurrency))


def seen(engine: Any, worker_id: str) -> None:
    with session_scope(engine) as session:
        session.execute(update(QueueWorker).where(QueueWorker.id == worker_id).values(seen_at=utcnow()))


def stopped(engine: Any, worker_id: str) -> None:
    with session_scope(engine) as session:
        session.execute(update(QueueWorker).where(QueueWorker.id == worker_id).values(stopped_at=utcnow()))


def _workers(session: Any, lease_s: float) -> tuple[set[str], set[str]]:
    """(workers known to be gone, workers known to be alive).

    On this machine the process table decides: a worker whose process is gone is gone at once,
    and one whose process runs is alive however late its heartbeat (a loaded machine delays it;
    taking its rows then would write them twice). Elsewhere: gone once stopped, or when it has
    not been heard from for a whole lease (it beats three times per lease).
    """
    now = utcnow()
    gone, alive = set(), set()
    for w in session.scalars(select(QueueWorker)):
        if w.stopped_at is not None:
            gone.add(w.id)
        elif w.host == HOST:
            if w.pid == os.getpid() or pid_alive(w.pid):
                alive.add(w.id)
            else:
                gone.add(w.id)
                w.stopped_at = now
        elif w.seen_at < now - timedelta(seconds=lease_s):
            gone.add(w.id)
        else:
            alive.add(w.id)
    return gone, alive


def recover(engine: Any, settings: Any) -> int:
    """Queue again the rows of workers that stopped; returns how many."""
    now = utcnow()
    lease = settings.studio_batch_lease_seconds
    with session_scope(engine) as session:
        gone, alive = _workers(session, lease)
        active = [s.value for s in ACTIVE]
        candidates = session.execute(
            select(BatchRow.id, BatchRow.worker, BatchRow.lease_until).where(BatchRow.state.in_(active))
        ).all()  # fmt: skip
    # A worker that is not registered (a job run in-process) is judged by its rows' lease alone.
    stale = [(row_id, worker) for row_id, worker, until in candidates
             if worker and worker not in alive and (worker in gone or (until is not None and until < now))]
    again = [row_id for row_id, worker in stale if ledger.reclaim(engine, row_id, worker)]
    if again:
        log.info("rows %s: their worker stopped; queued again", again)
        queue.send(engine, again, settings)
    return len(again)


def resend_lost(engine: Any, settings: Any) -> int:
    """Send a new job for queued rows whose job is neither waiting nor scheduled."""
    older = utcnow() - timedelta(seconds=settings.studio_batch_lease_seconds)
    with session_scope(engine) as session:
        candidates = set(session.scalars(
            select(BatchRow.id).join(Batch, Batch.id == BatchRow.batch_id).where(
                Batch.status == "running", BatchRow.state == RowState.QUEUED.value,
                or_(BatchRow.dispatched_at.is_(None), BatchRow.dispatched_at < older),
                BatchRow.updated_at < older,
            )
        ))  # fmt: skip
    if not candidates:
        return 0
    lost = sorted(candidates - queue.enqueued_row_ids(queue.get_queue(settings)))
    if lost:
        log.info("rows %s had no job on the queue; sent again", lost)
        queue.send(engine, lost, settings)
    return len(lost)


def finish_batches(engine: Any) -> None:
    now = utcnow()
    with session_scope(engine) as session:
        for batch_id in session.scalars(select(Batch.id).where(Batch.status == "running")):
            ledger.finish_batch_if_done(session, batch_id, now)


def cancelled_rows(engine: Any, row_ids: list[int]) -> tuple[set[int], set[int]]:
    """Of these rows: (those whose batch was cancelled, those no longer this worker's)."""
    if not row_ids:
        return set(), set()
    with session_scope(engine) as session:
        found = session.execute(
            select(BatchRow.id, BatchRow.state, BatchRow.worker, Batch.status)
            .join(Batch, Batch.id == BatchRow.batch_id).where(BatchRow.id.in_(row_ids))
        ).all()  # fmt: skip
    cancelled = {r for r, _s, _w, status in found if status == "cancelled"}
    from studio.batch.jobs import RUNNING

    lost = {r for r, state, worker, _b in found if worker != RUNNING.worker_id or state in {s.value for s in ENDED}}
    return cancelled, lost
