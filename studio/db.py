"""Engine, sessions, SQLite pragmas and migrations."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from studio.config import PROJECT_ROOT, get_settings
from studio.errors import VersionConflict, database_error

_log = logging.getLogger(__name__)

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000

# SQLite copies the write-ahead log back into the database file (a checkpoint, with an fsync)
# inside the commit that takes the log past ``wal_autocheckpoint`` pages, so that one action
# waits for it, which is noticeable after a large export. The studio checkpoints in a background
# thread instead, once a connection goes back to the pool with a log over WAL_CHECKPOINT_BYTES.
# A commit still checkpoints itself past WAL_BACKSTOP_PAGES, should that thread fall behind.
WAL_CHECKPOINT_BYTES = 4 * 1024 * 1024  # SQLite's own default: 1,000 pages of 4 KiB
WAL_BACKSTOP_PAGES = 50_000


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
        # Once checkpointed, a log that grew large is cut back when writing starts over.
        cursor.execute(f"PRAGMA journal_size_limit={WAL_CHECKPOINT_BYTES}")
    finally:
        cursor.close()


class _Checkpointer:
    """One daemon thread that runs ``PRAGMA wal_checkpoint(PASSIVE)`` on the database files it
    is asked to. PASSIVE never waits for, or blocks, readers and writers: it copies what it
    can, and the next request copies the rest. Each checkpoint opens its own short connection
    (``mode=rw``: a file that is gone stays gone, never re-created empty)."""

    def __init__(self) -> None:
        self._wanted: dict[str, None] = {}
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._busy = False

    def request(self, path: str) -> None:
        with self._cond:
            self._wanted[path] = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._wanted:
                    self._cond.wait()
                path = next(iter(self._wanted))
                del self._wanted[path]
                self._busy = True
            try:
                checkpoint(path)
            except Exception as exc:  # noqa: BLE001 - the thread must outlive any one failure
                # Busy, removed, unreadable: the next request (or the commit's backstop) checkpoints.
                _log.debug("background checkpoint of %s skipped: %s", path, exc)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until nothing is queued or running (tests, and before files are removed)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._wanted and not self._busy, timeout)


_checkpointer = _Checkpointer()


def checkpoint(path: str) -> tuple[int, int, int]:
    """A PASSIVE checkpoint of the SQLite database at ``path``: (busy, log pages, pages copied)."""
    conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(row[0]), int(row[1]), int(row[2])
    finally:
        conn.close()


def wait_for_checkpoints(timeout: float = 30.0) -> bool:
    """Block until the background checkpoints asked for so far are done (False on timeout).
    For code that then checkpoints itself or moves the file: SQLite runs one at a time."""
    return _checkpointer.wait_idle(timeout)


def _checkpoint_when_large(path: str):  # type: ignore[no-untyped-def]
    wal = path + "-wal"
    asked = [0]  # the log's mtime when a checkpoint was last asked for: one request per change

    def on_checkin(_dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        try:
            stat = os.stat(wal)
        except OSError:
            return
        if stat.st_size > WAL_CHECKPOINT_BYTES and stat.st_mtime_ns != asked[0]:
            asked[0] = stat.st_mtime_ns
            _checkpointer.request(path)

    return on_checkin


#: Execution option for a connection that only reads: on SQLite its transactions begin
#: DEFERRED, so they neither take nor wait for the write lock.
READ_ONLY = "studio_read_only"


def _sqlite_begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
    # Writers take the lock at BEGIN so two transactions never deadlock upgrading a read lock;
    # with busy_timeout this turns contention into waiting rather than "database is locked".
    # A connection that only reads (READ_ONLY) begins deferred: in WAL mode it never waits.
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str | None = None) -> Engine:
    url = url or get_settings().studio_database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        on_disk = bool(database) and database != ":memory:" and not database.startswith("file:")
        if on_disk:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        # pysqlite's own transaction handling would BEGIN lazily (deferred); take it over.
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None
            _set_sqlite_pragmas(dbapi_connection, record)

        event.listen(engine, "begin", _sqlite_begin_immediate)
        if on_disk:
            event.listen(engine.pool, "checkin", _checkpoint_when_large(str(Path(database).expanduser().resolve())))
        return engine
    return create_engine(url, pool_pre_ping=True)


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (the app also wraps this in st.cache_resource)."""
    url = url or get_settings().studio_database_url
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    wait_for_checkpoints()
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


# SQLSTATEs of a transaction that lost a race: serialization failure, deadlock, lock not available.
_PG_CONTENTION = {"40001", "40P01", "55P03"}


def _lost_a_race(exc: BaseException) -> bool:
    """True for errors that mean "someone else changed this at the same moment". SQLite's
    "database is locked" is not one: it means the wait for the lock ran out (DatabaseBusy)."""
    if isinstance(exc, StaleDataError):  # a versioned UPDATE matched no row
        return True
    if isinstance(exc, DBAPIError):
        return getattr(exc.orig, "sqlstate", None) in _PG_CONTENTION
    return False


AFTER_COMMIT = "studio_after_commit"


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the session's transaction has committed, outside any transaction
    (slow work that must not hold the database's write lock: the checks of a new revision).
    It runs in `session_scope`, after the commit and before the scope returns; if the
    transaction rolls back it never runs. ``action`` opens its own short sessions."""
    session.info.setdefault(AFTER_COMMIT, []).append(action)


@contextmanager
def session_scope(engine: Engine | None = None, *, read_only: bool = False) -> Iterator[Session]:
    """One short session per user action: commit on success, roll back on any error.

    Losing a race with another action (a stale version at flush, a PostgreSQL deadlock or
    serialization failure) rolls back and raises VersionConflict, whose message tells the person
    to reload. Other database errors a person can act on (busy past the timeout, a full disk,
    an unreachable server, a value it cannot store) become the `errors.StorageError` or
    `InputError` that `errors.database_error` names; never a raw database error.
    ``read_only``: the action only reads (on SQLite it then never waits for writers).
    Actions registered with `after_commit` run once the commit is done.
    """
    engine = engine or get_engine()
    if read_only:
        engine = engine.execution_options(**{READ_ONLY: True})
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        if _lost_a_race(exc):
            raise VersionConflict(
                "Someone else changed this at the same moment; reload to see it. Nothing was changed."
            ) from exc
        mapped = database_error(exc)
        if mapped is not None:
            raise mapped from exc
        raise
    finally:
        pending = session.info.pop(AFTER_COMMIT, [])
        session.close()
    for action in pending:
        action()


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def migrate(engine: Engine | None = None) -> None:
    """Bring an empty or older database to the newest schema. A database already at the newest
    schema is only read: no write transaction, so starting many processes at once does not queue
    them behind each other's migration lock."""
    from alembic import command
    from alembic.script import ScriptDirectory

    engine = engine or get_engine()
    cfg = alembic_config(engine)
    if current_revision(engine) == ScriptDirectory.from_config(cfg).get_current_head():
        return
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Processes starting at once migrate one after the other; the ones that wait
                # then find the schema current (Alembic reads the version inside this lock).
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    except DBAPIError as exc:
        mapped = database_error(exc)
        if mapped is not None:
            raise mapped from exc
        raise


# An arbitrary number naming the studio's migration lock among PostgreSQL advisory locks.
_MIGRATION_LOCK = 4_242_012


def current_revision(engine: Engine) -> str | None:
    """The schema's revision, read without taking (or waiting for) SQLite's write lock."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as exc:
        mapped = database_error(exc)
        if mapped is not None:
            raise mapped from exc
        raise
