"""SQLite's write-ahead log is copied back into the database file in the background, not inside
the commit of the action that made it large (an export of thousands of posts)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from studio import db


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "studio.db"
    engine = db.make_engine(f"sqlite:///{path}")
    with engine.begin() as c:
        c.execute(text("CREATE TABLE files (id INTEGER PRIMARY KEY, content BLOB)"))
    yield path, engine
    db.wait_for_checkpoints()
    engine.dispose()


def test_a_large_commit_returns_before_its_checkpoint_which_runs_in_the_background(sqlite_file, monkeypatch):
    path, engine = sqlite_file
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == db.WAL_BACKSTOP_PAGES
    asked: list[str] = []
    real_request = db._checkpointer.request
    monkeypatch.setattr(db._checkpointer, "request", asked.append)
    before = path.stat().st_size
    with engine.begin() as c:  # ~20 MB: five times the point where SQLite checkpoints in the commit
        c.execute(text("INSERT INTO files (content) VALUES (randomblob(20000000))"))
    # The commit left the 20 MB in the log (it did not copy them itself) and asked for a checkpoint.
    assert path.stat().st_size < before + 1_000_000
    assert asked == [str(path.resolve())]
    real_request(asked[0])
    assert db.wait_for_checkpoints(timeout=30)
    # The engine's connection is still open in its pool (no checkpoint-on-close): the background
    # thread copied the pages.
    assert path.stat().st_size >= before + 20_000_000
    with engine.begin() as c:  # the next write starts the log over and cuts it back
        c.execute(text("INSERT INTO files (content) VALUES (x'01')"))
    assert (path.parent / "studio.db-wal").stat().st_size <= db.WAL_CHECKPOINT_BYTES
    with engine.connect() as c:
        assert c.execute(text("SELECT length(content) FROM files ORDER BY id")).scalars().all() == [20_000_000, 1]


def test_small_commits_leave_checkpointing_to_sqlite(sqlite_file, monkeypatch):
    path, engine = sqlite_file
    asked: list[str] = []
    monkeypatch.setattr(db._checkpointer, "request", asked.append)
    for i in range(20):
        with engine.begin() as c:
            c.execute(text("INSERT INTO files (content) VALUES (:b)"), {"b": bytes(1000)})
    assert asked == []


def test_a_checkpoint_never_recreates_a_database_that_was_removed(tmp_path):
    gone = tmp_path / "removed.db"
    with pytest.raises(sqlite3.OperationalError):
        db.checkpoint(str(gone))
    assert not gone.exists()
    db._checkpointer.request(str(gone))  # the thread shrugs it off and stays usable
    assert db.wait_for_checkpoints(timeout=10)
    assert not gone.exists()
