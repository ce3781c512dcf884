"""The task queue: Huey, with the storage the settings name.

- ``sqlite:///path`` (the embedded default: a file beside a SQLite database; no extra service);
- ``postgresql://…`` (Huey's PostgreSQL storage, LISTEN/NOTIFY: the default when the studio's
  database is PostgreSQL, so a team needs nothing it does not already run);
- ``redis://host:port/db`` (Huey's Redis storage).

One Huey instance per queue URL per process, with the one task, `run_row`. Results are not
stored: the database holds each row's state. See docs/batch.md for why Huey and how delivery,
retries and recovery divide between Huey and the studio.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey
from sqlalchemy.engine import make_url

from studio.batch import jobs
from studio.config import Settings, get_settings
from studio.errors import StudioError

QUEUE_NAME = "studio"
TASK_NAME = "studio.batch.run_row"
PG_TABLE_PREFIX = "studio_queue"

_hueys: dict[str, Huey] = {}
_lock = threading.Lock()


class QueueConfigError(StudioError):
    pass


def queue_url(settings: Settings | None = None) -> str:
    """The queue the settings name; by default it follows the database."""
    settings = settings or get_settings()
    if settings.studio_queue_url:
        return settings.studio_queue_url
    db = make_url(settings.studio_database_url)
    if db.get_backend_name() == "postgresql":
        return db.set(drivername="postgresql").render_as_string(hide_password=False)
    if db.get_backend_name() == "sqlite" and db.database and db.database != ":memory:" and not db.database.startswith("file:"):
        path = Path(db.database)
        return f"sqlite:///{path.with_name(path.stem + '.queue.db')}"
    raise QueueConfigError("Batches need a job queue: set STUDIO_QUEUE_URL (sqlite:///path, postgresql://… or redis://…).")


def describe(url: str) -> str:
    """The queue for people (no password)."""
    kind = url.split(":", 1)[0]
    if kind.startswith("sqlite"):
        return f"embedded (SQLite file {url.split(':///', 1)[-1]})"
    safe = make_url(url.replace("redis://", "postgresql://", 1)).render_as_string(hide_password=True)
    safe = safe.replace("postgresql://", "redis://", 1) if kind.startswith("redis") else safe
    return f"{'Redis' if kind.startswith('redis') else 'PostgreSQL'} ({safe})"


def _make(url: str) -> Huey:
    kind = url.split(":", 1)[0].lower()
    common: dict[str, Any] = {"results": False, "utc": True}
    if kind.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        huey: Huey = SqliteHuey(QUEUE_NAME, filename=path, timeout=15, **common)
    elif kind.startswith("postgres"):
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        huey = PostgresHuey(QUEUE_NAME, dsn=dsn, table_prefix=PG_TABLE_PREFIX, **common)
    elif kind in ("redis", "rediss", "unix"):
        huey = RedisHuey(QUEUE_NAME, url=url, **common)
    else:
        raise QueueConfigError(f"STUDIO_QUEUE_URL '{kind}:…' is not a queue the studio knows: use sqlite, postgresql or redis.")
    huey.studio_run_row = huey.task(name=TASK_NAME)(jobs.run_row)  # type: ignore[attr-defined]
    return huey


def get_queue(settings: Settings | None = None) -> Huey:
    url = queue_url(settings)
    with _lock:
        huey = _hueys.get(url)
        if huey is None:
            huey = _hueys[url] = _make(url)
        return huey


def forget_queues() -> None:
    with _lock:
        for huey in _hueys.values():
            try:
                huey.storage.close()
            except Exception:  # noqa: BLE001
                pass
        _hueys.clear()


def _wrapper(huey: Huey) -> Any:
    return huey.studio_run_row  # type: ignore[attr-defined]


def new_task(huey: Huey, row_id: int) -> Any:
    """A job for one row (not yet sent): its id is known before it is enqueued."""
    return _wrapper(huey).s(row_id)


def enqueued_row_ids(huey: Huey) -> set[int]:
    """Rows with a job waiting in the queue or scheduled for later (for finding lost jobs)."""
    task_class = _wrapper(huey).task_class
    ids = set()
    for task in [*huey.pending(), *huey.scheduled()]:
        if isinstance(task, task_class) and task.args:
            ids.add(int(task.args[0]))
    return ids


def send(engine: Any, row_ids: list[int], settings: Settings | None = None, *, delay: float | None = None) -> int:
    """Put one job per row on the queue, noting on each row which job carries it."""
    from sqlalchemy import update

    from studio.db import session_scope
    from studio.models import BatchRow, utcnow

    if not row_ids:
        return 0
    huey = get_queue(settings)
    tasks = [(row_id, new_task(huey, row_id)) for row_id in row_ids]
    now = utcnow()
    with session_scope(engine) as session:
        for row_id, task in tasks:
            session.execute(update(BatchRow).where(BatchRow.id == row_id).values(task_id=task.id, dispatched_at=now))
    for _row_id, task in tasks:
        if delay:
            huey.add_schedule(_delayed(huey, task, delay))
        else:
            huey.enqueue(task)
    return len(tasks)


def _delayed(huey: Huey, task: Any, delay: float) -> Any:
    from huey.utils import normalize_time

    task.eta = normalize_time(delay=delay, utc=huey.utc)
    return task
