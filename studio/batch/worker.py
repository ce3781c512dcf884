"""`python -m studio worker`: a Huey consumer running batch rows, plus the studio's heartbeat.

The consumer's threads take jobs from the queue and run them (`jobs.run_row`). Beside them one
thread, every few seconds: renews the leases of the rows this process is writing, tells a row
its batch was cancelled, and recovers rows of workers that stopped and jobs the queue lost
(`reconcile`). SIGINT or SIGTERM stop it gracefully: rows being written stop, keep their text
on the attempt, and go back on the queue for the next worker.

With ``--processes P`` the command is a pool instead: P such workers as child processes, the
jobs shared among them. A row's checks, streaming and saves are Python work, and the threads of
one process take turns on one interpreter lock; separate processes do not wait for each other,
which is what lets several rows use several cores (docs/batch.md, "How many processes").
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
import uuid
from typing import Any

from huey.consumer import Consumer

from studio.batch import children, ledger, queue, reconcile
from studio.batch.jobs import RUNNING, STOPPED
from studio.config import Settings, get_settings

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 10.0
POOL_RESTART_PAUSE_S = 2.0


class StudioConsumer(Consumer):
    # Huey sets its signal handlers only once its threads have started; a SIGINT or SIGTERM that
    # came while the worker was starting (caught by `run_worker` meanwhile) stops it then.
    early: children.Stopping | None = None

    def start(self) -> None:
        super().start()
        if self.early is not None and self.early.requested:
            self._handle_signal(signal.SIGINT, None)

    def stop(self, graceful: bool = False) -> None:
        RUNNING.stopping.set()  # rows being written stop at their next chunk
        super().stop(graceful=True)


def _poll_delays(url: str) -> dict[str, float]:
    # Redis and PostgreSQL wake a worker when a job arrives; SQLite is polled, so its idle
    # polling is kept short (a job waits at most max_delay to be picked up).
    if url.startswith("sqlite"):
        return {"initial_delay": 0.05, "backoff": 1.5, "max_delay": 0.5}
    return {"initial_delay": 0.1, "backoff": 1.15, "max_delay": 2.0}


class Heartbeat(threading.Thread):
    def __init__(self, engine: Any, settings: Settings, worker_id: str) -> None:
        super().__init__(name="studio-heartbeat", daemon=True)
        self.engine = engine
        self.settings = settings
        self.worker_id = worker_id
        self.stop_event = threading.Event()
        self.interval = min(settings.studio_batch_lease_seconds / 3, 5.0)

    def run(self) -> None:
        last_scan = 0.0
        while not self.stop_event.wait(self.interval):
            try:
                self.beat()
                if time.monotonic() - last_scan >= self.settings.studio_batch_lease_seconds / 2:
                    last_scan = time.monotonic()
                    reconcile.recover(self.engine, self.settings)
                    reconcile.resend_lost(self.engine, self.settings)
                    reconcile.finish_batches(self.engine)
            except Exception:  # noqa: BLE001 - the heartbeat must outlive a busy database
                log.warning("heartbeat failed", exc_info=True)

    def beat(self) -> None:
        rows = RUNNING.snapshot()
        reconcile.seen(self.engine, self.worker_id)
        ledger.heartbeat(self.engine, self.worker_id, list(rows), self.settings.studio_batch_lease_seconds)
        cancelled, lost = reconcile.cancelled_rows(self.engine, list(rows))
        for row_id, control in rows.items():
            if row_id in cancelled:
                control.cancelled.set()
            if row_id in lost:
                control.lost.set()


def run_worker(concurrency: int | None = None, *, settings: Settings | None = None) -> int:
    from studio.cli_support import open_engine

    early = children.Stopping()  # until the consumer's own handlers are in place
    settings = settings or get_settings()
    concurrency = concurrency or settings.studio_worker_concurrency
    engine = open_engine()
    huey = queue.get_queue(settings)
    worker_id = f"{reconcile.HOST}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    RUNNING.worker_id = worker_id
    RUNNING.stopping.clear()
    reconcile.register(engine, worker_id, concurrency)
    url = queue.queue_url(settings)
    log.info("worker %s: %d thread(s) on %s", worker_id, concurrency, queue.describe(url))
    print(f"Worker {worker_id} running {concurrency} job(s) at a time from the {queue.describe(url)} queue. "
          "Ctrl-C stops it.", flush=True)  # fmt: skip
    reconcile.recover(engine, settings)  # rows left by a worker that died on this machine
    reconcile.resend_lost(engine, settings)
    heartbeat = Heartbeat(engine, settings, worker_id)
    heartbeat.start()
    consumer = StudioConsumer(huey, workers=concurrency, worker_type="thread", periodic=False,
                              shutdown_timeout=SHUTDOWN_TIMEOUT_S, **_poll_delays(url))  # fmt: skip
    consumer.early = early
    try:
        consumer.run()
    finally:
        RUNNING.stopping.set()
        heartbeat.stop_event.set()
        for row_id in list(RUNNING.snapshot()):
            # A row whose job did not stop in time: the next worker takes it now, not at lease end.
            if ledger.reclaim(engine, row_id, worker_id, STOPPED):
                queue.send(engine, [row_id], settings)
        reconcile.stopped(engine, worker_id)
        from studio.usage.sink import flush

        flush(10.0)
        print(f"Worker {worker_id} stopped.", flush=True)
    return 0


def shares(concurrency: int, processes: int) -> list[int]:
    """``concurrency`` jobs spread as evenly as can be over at most ``processes`` processes."""
    processes = max(1, min(processes, concurrency))
    return [concurrency // processes + (1 if i < concurrency % processes else 0) for i in range(processes)]


def run_pool(concurrency: int | None = None, processes: int | None = None, *,
             settings: Settings | None = None) -> int:  # fmt: skip
    """Run the jobs in ``processes`` worker processes (one process: this one, as `run_worker`).

    Each child is an ordinary worker, with its own heartbeat and its own rows. A child that exits
    on its own is started again. SIGINT or SIGTERM stop them all gracefully; the children are in
    their own process group, so a Ctrl-C at the terminal reaches them once, through this
    process. If this process is killed outright, Linux stops the children too (SIGTERM:
    gracefully, their rows go back on the queue)."""
    settings = settings or get_settings()
    concurrency = concurrency or settings.studio_worker_concurrency
    split = shares(concurrency, processes or settings.studio_worker_processes)
    if len(split) == 1:
        return run_worker(concurrency, settings=settings)

    stopping = children.Stopping()

    def start(jobs: int) -> Any:
        return children.start(["-m", "studio", "worker", "--concurrency", str(jobs), "--processes", "1"],
                              own_group=True)  # fmt: skip

    procs = [start(jobs) for jobs in split]
    print(f"Worker pool of {len(split)} processes running {concurrency} job(s) at a time. Ctrl-C stops it.",
          flush=True)  # fmt: skip
    exited_at: dict[int, float] = {}
    try:
        while not stopping.requested:
            for i, proc in enumerate(procs):
                if proc.poll() is None:
                    continue
                # Started again after a pause: a worker that cannot start does not spin.
                if time.monotonic() - exited_at.setdefault(i, time.monotonic()) < POOL_RESTART_PAUSE_S:
                    continue
                print(f"worker pool: process {proc.pid} exited ({proc.returncode}); starting it again.",
                      file=sys.stderr, flush=True)  # fmt: skip
                procs[i] = start(split[i])
                del exited_at[i]
            time.sleep(0.2)
    finally:
        children.stop(procs, signal.SIGINT, SHUTDOWN_TIMEOUT_S + 5.0)
        print("Worker pool stopped.", flush=True)
    return 0
