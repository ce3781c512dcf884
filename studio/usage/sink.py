"""Usage records are written by one background thread per process.

A model call can happen while its caller holds a write transaction (the moderation tier runs
inside the save of a revision); on SQLite a second writer from the same thread would wait for
that transaction forever. So the recorder hands records here and returns; the thread writes them
in short transactions of their own, in order. Until written, their cost still counts in this
process's budget checks (`pending_cost`). `flush()` waits for the queue to drain (batch jobs call
it before they let another row start; tests before they read; an exit handler at exit).
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_WRITE_TRIES = 3


class UsageSink:
    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self._pending: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def put(self, database_url: str, record: dict[str, Any]) -> None:
        with self._cond:
            self._pending.append(record)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="usage-sink", daemon=True)
                self._thread.start()
        self._queue.put((database_url, record))

    def pending_cost(self, person_id: int | None, since: datetime) -> float:
        """Cost of records not yet written: one person's, or everyone's (person_id None)."""
        with self._cond:
            return sum(
                r.get("cost") or 0.0 for r in self._pending
                if r["created_at"] >= since and (person_id is None or r.get("person_id") == person_id)
            )  # fmt: skip

    def flush(self, timeout: float = 30.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending, timeout)

    def _run(self) -> None:
        while True:
            url, record = self._queue.get()
            batch = [(url, record)]
            while len(batch) < 200:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            by_url: dict[str, list[dict[str, Any]]] = {}
            for u, r in batch:
                by_url.setdefault(u, []).append(r)
            for u, records in by_url.items():
                self._write(u, records)
            with self._cond:
                written = {id(r) for _, r in batch}
                self._pending = [r for r in self._pending if id(r) not in written]
                self._cond.notify_all()

    def _write(self, url: str, records: list[dict[str, Any]]) -> None:
        from sqlalchemy import insert
        from sqlalchemy.engine import make_url

        from studio.db import get_engine, session_scope
        from studio.models import UsageRecord

        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:" \
                and not Path(parsed.database).expanduser().exists():  # fmt: skip
            log.info("no database at %s: %d model call(s) not recorded", url, len(records))
            return  # never create a database just to record usage in it

        for attempt in range(_WRITE_TRIES):
            try:
                # A bulk insert: the write lock is held for the INSERT, not for the ORM's bookkeeping.
                with session_scope(get_engine(url)) as session:
                    session.execute(insert(UsageRecord), records)
                return
            except Exception as exc:  # noqa: BLE001 - the thread must outlive a failed write
                if attempt == _WRITE_TRIES - 1:
                    log.warning("could not record %d model call(s): %s", len(records), exc)


SINK = UsageSink()
atexit.register(SINK.flush, 10.0)


def flush(timeout: float = 30.0) -> bool:
    return SINK.flush(timeout)
