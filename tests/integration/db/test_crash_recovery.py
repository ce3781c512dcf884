"""SIGKILL in the middle of the two long operations, then "restart" and look at the database.

A real `python -m studio …` process is started against the test's database (SQLite file or a
PostgreSQL database) and killed with SIGKILL at a chosen moment, with no chance to clean up:

- generation (`generate --provider openai` against the local fake server streaming slowly):
  killed mid-stream, and killed right after the last token (while it saves); after restart the
  brief (saved before the first request) and the text up to the last save are there, marked
  incomplete, or the whole draft; SIGTERM, SIGHUP and Ctrl-C stop it as Ctrl-C does, saving
  exactly the text shown and saying so in one line;
- export (`export --preset wordpress` over many approved drafts with large bodies): killed while
  its transaction is writing, and killed between building the file and committing; after
  restart either nothing was exported or everything was, and no draft is `exported` without an
  ExportBatch and ExportItem naming it.

"Restart" is a fresh process opening the database (`python -m studio drafts list --json`,
which migrates first), then the checks below on a new engine.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from studio.checks.service import latest_report
from studio.db import get_engine, session_scope
from studio.models import (
    AuditEvent,
    Draft,
    DraftSearch,
    ExportBatch,
    ExportItem,
    Generation,
    Revision,
)
from tests.support.fake_openai import FakeOpenAI

ROOT = Path(__file__).resolve().parents[3]
STARTUP_TIMEOUT_S = 60.0


# --------------------------------------------------------------------------------------------
# Running and killing the CLI


def cli_env(db_url: str, tmp_path: Path, server: FakeOpenAI | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDIO_", "OPENAI_"))}
    env.update(
        STUDIO_DATABASE_URL=db_url,
        STUDIO_SECRETS_FILE=str(tmp_path / "absent-secrets.toml"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
    )
    if server is not None:
        env.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-test", STUDIO_REQUEST_TIMEOUT="30")
    return env


# Runs `python -m studio ARGS` with test-side instrumentation (nothing in the product): when
# CRASH_PAUSE is set, the transaction that inserts into table CRASH_TABLE (a row holding the value
# CRASH_VALUE among its parameters, when that is set) pauses just before its
# COMMIT reaches the database ("before-commit") or just after it ("after-commit"), writing the
# file CRASH_MARKER first, so the test can SIGKILL it at exactly that point. CRASH_CACHE_KIB
# gives SQLite a small page cache, so a transaction's changed pages spill into the write-ahead
# log while it writes (with the default 2 MB cache they reach it only at COMMIT, and "the log
# grew while the lock is held" would mean "committing", not "writing").
DRIVER = """
import os, sys, time
from pathlib import Path
cache_kib = os.environ.get("CRASH_CACHE_KIB")
if cache_kib:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _small_cache(dbapi_connection, record):
        if "sqlite" in type(dbapi_connection).__module__:
            dbapi_connection.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
pause = os.environ.get("CRASH_PAUSE")
if pause:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session
    table = os.environ["CRASH_TABLE"]
    value = os.environ.get("CRASH_VALUE", "")
    marker = Path(os.environ["CRASH_MARKER"])
    state = {"target": False}

    def hold(where):
        marker.write_text(where)
        time.sleep(120)

    @event.listens_for(Engine, "before_cursor_execute")
    def _seen(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO " + table.upper()) and value in repr(params):
            state["target"] = True

    if pause == "before-commit":
        @event.listens_for(Engine, "commit")
        def _before(conn):
            if state["target"]:
                hold("before-commit")
    else:
        @event.listens_for(Session, "after_commit")
        def _after(session):
            if state["target"]:
                hold("after-commit")
sys.argv[0] = "studio"
from studio.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start(args: list[str], env: dict[str, str], tmp_path: Path, name: str,
          pause: str | None = None, table: str = "", value: str = "") -> subprocess.Popen:  # fmt: skip
    env = dict(env)
    if pause:
        env.update(CRASH_PAUSE=pause, CRASH_TABLE=table, CRASH_VALUE=value,
                   CRASH_MARKER=str(tmp_path / f"{name}.paused"))  # fmt: skip
    out = open(tmp_path / f"{name}.out", "wb")  # noqa: SIM115 - the child holds them; tiny
    err = open(tmp_path / f"{name}.err", "wb")  # noqa: SIM115
    try:
        return subprocess.Popen(
            [sys.executable, "-c", DRIVER, *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group: export workers are reaped with it
        )
    finally:
        out.close()
        err.close()


def paused(tmp_path: Path, name: str) -> bool:
    return (tmp_path / f"{name}.paused").exists()


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the process, then anything it left in its group (export's worker processes)."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def output(tmp_path: Path, name: str) -> tuple[str, str]:
    return (
        (tmp_path / f"{name}.out").read_text("utf-8", "replace"),
        (tmp_path / f"{name}.err").read_text("utf-8", "replace"),
    )


def wait_until(condition, proc: subprocess.Popen, what: str, timeout: float = STARTUP_TIMEOUT_S, tmp_path=None, name=None):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        if proc.poll() is not None:
            detail = output(tmp_path, name) if tmp_path is not None else ("", "")
            pytest.fail(f"the process ended (exit {proc.returncode}) before {what}:\n{detail[1][-2000:]}")
        time.sleep(0.01)
    kill(proc)
    pytest.fail(f"timed out waiting for {what}")


def restart(db_url: str, tmp_path: Path) -> list[dict]:
    """A new process opens the database the killed one left behind (and migrates it)."""
    from studio.db import dispose_engines

    dispose_engines()
    done = subprocess.run(
        [sys.executable, "-m", "studio", "drafts", "list", "--json", "--as", "ada", "--limit", "100000"],
        cwd=ROOT, env=cli_env(db_url, tmp_path), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


# --------------------------------------------------------------------------------------------
# What a consistent database looks like


def assert_consistent(db_url: str, db_backend: str) -> dict[str, int]:
    engine = get_engine(db_url)
    with engine.connect() as conn:
        if db_backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []

        def count(sql: str) -> int:
            return int(conn.execute(text(sql)).scalar() or 0)

        # Every draft's current revision exists and belongs to it.
        assert count(
            "SELECT count(*) FROM drafts d LEFT JOIN revisions r ON r.id = d.current_revision_id "
            "WHERE d.current_revision_id IS NOT NULL AND (r.id IS NULL OR r.draft_id <> d.id)"
        ) == 0
        # No revision, generation, search row, report or audit row without its draft.
        for table, column in [("revisions", "draft_id"), ("generations", "draft_id"),
                              ("draft_search", "draft_id"), ("audit_events", "draft_id"),
                              ("export_items", "draft_id")]:
            assert count(
                f"SELECT count(*) FROM {table} t LEFT JOIN drafts d ON d.id = t.{column} "
                f"WHERE t.{column} IS NOT NULL AND d.id IS NULL"
            ) == 0, table
        assert count(
            "SELECT count(*) FROM check_reports c LEFT JOIN revisions r ON r.id = c.revision_id WHERE r.id IS NULL"
        ) == 0
        # A draft with text has its search row holding exactly that text.
        assert count(
            "SELECT count(*) FROM drafts d JOIN revisions r ON r.id = d.current_revision_id "
            "LEFT JOIN draft_search s ON s.draft_id = d.id WHERE s.draft_id IS NULL OR s.body <> r.body"
        ) == 0
        # Every draft was recorded as created; every generated draft has its Generation.
        assert count(
            "SELECT count(*) FROM drafts d WHERE NOT EXISTS (SELECT 1 FROM audit_events a "
            "WHERE a.draft_id = d.id AND a.action = 'draft.created')"
        ) == 0
        assert count(
            "SELECT count(*) FROM revisions r WHERE r.reason IN ('generated', 'partial') AND NOT EXISTS "
            "(SELECT 1 FROM generations g WHERE g.revision_id = r.id)"
        ) == 0
        # Exported means: an ExportItem in an ExportBatch names the draft, and the audit says so.
        assert count(
            "SELECT count(*) FROM drafts d WHERE d.status = 'exported' AND NOT EXISTS "
            "(SELECT 1 FROM export_items i JOIN export_batches b ON b.id = i.batch_id WHERE i.draft_id = d.id)"
        ) == 0
        assert count(
            "SELECT count(*) FROM drafts d WHERE d.status = 'exported' AND NOT EXISTS "
            "(SELECT 1 FROM audit_events a WHERE a.draft_id = d.id AND a.action = 'review.export')"
        ) == 0
        # A batch is whole: as many items as rows, a stored file, and its audit row.
        assert count(
            "SELECT count(*) FROM export_batches b WHERE b.row_count <> "
            "(SELECT count(*) FROM export_items i WHERE i.batch_id = b.id) OR b.content IS NULL"
        ) == 0
        assert count("SELECT count(*) FROM audit_events WHERE action = 'export.batch'") == count(
            "SELECT count(*) FROM export_batches"
        )
        return {
            "drafts": count("SELECT count(*) FROM drafts"),
            "revisions": count("SELECT count(*) FROM revisions"),
            "generations": count("SELECT count(*) FROM generations"),
            "exported": count("SELECT count(*) FROM drafts WHERE status = 'exported'"),
            "batches": count("SELECT count(*) FROM export_batches"),
        }


# --------------------------------------------------------------------------------------------
# Generation


REPLY = "# Tide tables\n\n" + " ".join(f"Sentence {i} about coastal tides and harbour safety." for i in range(120))


def _generation_state(db_url: str) -> tuple[Draft, Revision | None, Generation, list[str]] | None:
    with session_scope(get_engine(db_url)) as s:
        drafts = s.scalars(select(Draft).where(Draft.topic == "Tide tables")).all()
        assert len(drafts) <= 1
        if not drafts:
            return None
        draft = drafts[0]
        gen = s.scalars(select(Generation).where(Generation.draft_id == draft.id)).one()
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.draft_id == draft.id)).all()
        return draft, draft.current_revision, gen, actions


def _partial_saved(db_url: str) -> bool:
    with session_scope(get_engine(db_url)) as s:
        return bool(s.scalars(select(Revision.id).join(Draft, Draft.id == Revision.draft_id)
                              .where(Draft.topic == "Tide tables")).first())  # fmt: skip


# Where a generation can be killed, and the transaction paused there: the last save of the text
# (its audit row "draft.generated" is written by that save alone), then the check report's
# transaction, which follows once that save has committed.
GENERATION_MOMENTS = {
    "mid-stream": None,
    "before-commit": ("before-commit", "audit_events", "draft.generated"),
    "after-commit": ("after-commit", "audit_events", "draft.generated"),
    "after-check": ("after-commit", "check_reports", ""),
}


@pytest.mark.slow
@pytest.mark.parametrize("moment", list(GENERATION_MOMENTS))
def test_sigkill_during_generation_keeps_the_brief_and_the_text_so_far(engine, db_url, db_backend, people, tmp_path, moment):
    # Mid-stream: 25 ms between deltas of 12 characters (~15 s for the whole reply), killed once
    # the text so far has been saved. Otherwise no delay, and the kill lands at the moment named.
    delay = 0.025 if moment == "mid-stream" else 0.0
    pause, table, value = GENERATION_MOMENTS[moment] or (None, "", "")
    with FakeOpenAI(reply=REPLY, delay=delay, chunk_chars=12) as server:
        env = cli_env(db_url, tmp_path, server)
        proc = start(
            ["generate", "--type", "blog", "--topic", "Tide tables", "--audience", "sailors", "--provider", "openai",
             "--as", "mara"],
            env, tmp_path, "generate", pause=pause, table=table, value=value,
        )  # fmt: skip
        try:
            if moment == "mid-stream":
                wait_until(lambda: len(output(tmp_path, "generate")[0]) > 300 and _partial_saved(db_url), proc,
                           "the text so far saved", tmp_path=tmp_path, name="generate")  # fmt: skip
                assert len(output(tmp_path, "generate")[0]) < len(REPLY)  # really mid-stream
            else:
                wait_until(lambda: paused(tmp_path, "generate"), proc, f"the save's {moment}",
                           tmp_path=tmp_path, name="generate")  # fmt: skip
                assert REPLY[-40:] in output(tmp_path, "generate")[0]  # every token was streamed
        finally:
            kill(proc)
        assert proc.returncode == -signal.SIGKILL, output(tmp_path, "generate")

    listed = restart(db_url, tmp_path)
    figures = assert_consistent(db_url, db_backend)
    state = _generation_state(db_url)
    assert state is not None, "the brief was lost"
    draft, revision, gen, actions = state
    assert draft.audience == "sailors" and "draft.created" in actions  # the brief, saved before the request
    assert [d["id"] for d in listed] == [draft.id]
    if moment in ("after-commit", "after-check"):  # a whole draft: text, generation, audit, search row
        assert revision.body == REPLY and not draft.incomplete
        assert gen.revision_id == revision.id and gen.error is None and "draft.generated" in actions
        if moment == "after-check":
            assert draft.check_verdict is not None
        else:  # killed before its check was stored: unchecked, never read as passed
            assert draft.check_verdict is None
            with session_scope(get_engine(db_url)) as s:
                assert latest_report(s, revision.id) is None
    else:  # the text up to the last save, marked incomplete, and saying so
        assert revision is not None and revision.body and REPLY.startswith(revision.body)
        assert draft.incomplete and "had not finished" in draft.last_error and gen.revision_id == revision.id
    print(f"\n{db_backend} generate, SIGKILL {moment}: kept {len(revision.body)} of {len(REPLY)} characters; {figures}")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_sigterm_sighup_and_ctrl_c_stop_a_generation_like_ctrl_c_and_keep_the_text(engine, db_url, db_backend, people,
                                                                                   tmp_path, signum):  # fmt: skip
    with FakeOpenAI(reply=REPLY, delay=0.025, chunk_chars=12) as server:
        proc = start(["generate", "--type", "blog", "--topic", "Tide tables", "--provider", "openai", "--as", "mara"],
                     cli_env(db_url, tmp_path, server), tmp_path, "generate")  # fmt: skip
        try:
            wait_until(lambda: len(output(tmp_path, "generate")[0]) > 200, proc, "200 characters streamed",
                       tmp_path=tmp_path, name="generate")  # fmt: skip
            os.kill(proc.pid, signum)
            proc.wait(timeout=60)
        finally:
            kill(proc)
    shown, said = output(tmp_path, "generate")
    assert proc.returncode == 128 + signum, said
    assert "Traceback" not in said and len(said.splitlines()) <= 4, said
    state = _generation_state(db_url)
    assert state is not None
    draft, revision, gen, actions = state
    assert f"# Interrupted ({signum.name}): saved as draft {draft.id}, marked incomplete" in said
    assert revision.body == shown.rstrip("\n") or revision.body == shown  # exactly what was shown
    assert len(revision.body) < len(REPLY) and draft.incomplete and "interrupted" in draft.last_error
    assert gen.error_detail == "Interrupted" and "draft.generation_failed" in actions
    assert_consistent(db_url, db_backend)


# --------------------------------------------------------------------------------------------
# Export

N_APPROVED = 400
BODY_PARAGRAPHS = 60  # ~25 KB of Markdown per draft, ~10 MB per export


def seed_approved(engine, people, n: int = N_APPROVED) -> list[int]:  # type: ignore[no-untyped-def]
    """n approved drafts, written as the services would have left them (bulk, for speed)."""
    rng = random.Random(7)
    words = "harbour tide lantern orchard meadow copper river signal pocket garden ember quiet".split()
    now = datetime.now(timezone.utc)
    author, editor = people.marketer, people.editor
    with session_scope(engine) as s:
        drafts = []
        for i in range(n):
            title = f"Approved story {i}"
            body = f"# {title}\n\n" + "\n\n".join(
                " ".join(rng.choice(words) for _ in range(60)) + "." for _ in range(BODY_PARAGRAPHS)
            )
            draft = Draft(
                author_id=author.id, content_type="blog", topic=title, status="approved", title=title,
                check_verdict="pass", created_at=now, updated_at=now,
            )  # fmt: skip
            draft.current_revision = Revision(number=1, body=body, author_id=author.id, reason="edited", created_at=now)
            draft.revisions.append(draft.current_revision)
            drafts.append((draft, body))
            s.add(draft)
        s.flush()
        s.execute(insert(DraftSearch), [{"draft_id": d.id, "title": d.title, "body": b} for d, b in drafts])
        events = []
        for d, _ in drafts:
            events.append({"created_at": now, "actor_id": author.id, "actor_name": author.name,
                           "action": "draft.created", "draft_id": d.id, "to_status": "draft", "comment": "", "data": {}})
            events.append({"created_at": now, "actor_id": editor.id, "actor_name": editor.name,
                           "action": "review.approve", "draft_id": d.id, "from_status": "in_review",
                           "to_status": "approved", "comment": "", "data": {"verdict": "pass"}})
        s.execute(insert(AuditEvent), events)
        return [d.id for d, _ in drafts]


def pg_export_has_written(db_url: str) -> bool:
    """PostgreSQL: some other session on this database holds a transaction id (it has written)."""
    from sqlalchemy.engine import make_url

    name = make_url(db_url).database
    with get_engine(db_url).connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid() "
            "AND backend_xid IS NOT NULL"
        ), {"db": name}).scalar())


def sqlite_export_has_written(db_url: str) -> bool:
    """SQLite: the write-ahead log (emptied after seeding) has grown by megabytes, and someone
    still holds the write lock, so that transaction has not committed yet."""
    import sqlite3

    from sqlalchemy.engine import make_url

    path = make_url(db_url).database
    wal = Path(path + "-wal")
    if not wal.exists() or wal.stat().st_size < 1_000_000:
        return False
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    finally:
        conn.close()


def part_files(folder: Path) -> list[Path]:
    return list(folder.glob(".posts.csv.*.part"))


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["while-writing", "before-commit", "after-commit"])
def test_sigkill_during_export_never_marks_a_draft_exported_without_its_batch(engine, db_url, db_backend, people, tmp_path, moment):
    ids = seed_approved(engine, people)
    if db_backend == "sqlite":  # an empty WAL, so the exporter's writes show as growth
        import sqlite3

        from studio.db import wait_for_checkpoints

        engine.dispose()
        assert wait_for_checkpoints()  # the seeding's background checkpoint, else ours is "busy"
        conn = sqlite3.connect(engine.url.database, isolation_level=None)
        try:
            assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        finally:
            conn.close()
    out = tmp_path / "export" / "posts.csv"
    out.parent.mkdir()
    env = cli_env(db_url, tmp_path)
    if moment == "while-writing":
        env["CRASH_CACHE_KIB"] = "256"
    started = time.monotonic()
    pause = None if moment == "while-writing" else moment
    proc = start(["export", "--preset", "wordpress", "--out", str(out), "--as", "dana"], env, tmp_path, "export",
                 pause=pause, table="export_batches")  # fmt: skip
    try:
        if moment == "while-writing":
            # Killed while the one export transaction is open and has written rows (no hook:
            # watched from outside, in the database).
            check = (lambda: pg_export_has_written(db_url)) if db_backend == "postgresql" else (
                lambda: sqlite_export_has_written(db_url)
            )
            wait_until(check, proc, "the export transaction writing", tmp_path=tmp_path, name="export")
        else:
            wait_until(lambda: paused(tmp_path, "export"), proc, f"the export's {moment}",
                       tmp_path=tmp_path, name="export")  # fmt: skip
        # The CLI writes the file (unnamed until whole), links it as --out, then COMMITs: while
        # --out does not exist the commit cannot have happened.
        before_commit = not out.exists()
    finally:
        kill(proc)
    killed_after = time.monotonic() - started
    assert proc.returncode == -signal.SIGKILL, output(tmp_path, "export")

    restart(db_url, tmp_path)
    figures = assert_consistent(db_url, db_backend)
    with session_scope(get_engine(db_url)) as s:
        statuses = dict(s.execute(select(Draft.id, Draft.status).where(Draft.id.in_(ids))).all())
        exported = sorted(i for i, st in statuses.items() if st == "exported")
        batches = s.scalars(select(ExportBatch)).all()
        # All or nothing: one transaction.
        assert exported in ([], sorted(ids)), f"{len(exported)} of {len(ids)} exported"
        if exported:
            assert len(batches) == 1 and batches[0].row_count == len(ids)
            items = s.scalars(select(ExportItem.draft_id).where(ExportItem.batch_id == batches[0].id)).all()
            assert sorted(items) == exported
        else:
            assert batches == [] and s.scalar(select(func.count(ExportItem.id))) == 0
            assert s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "review.export")) == 0
    # Never a half-written or hidden file beside --out, whenever the kill came.
    assert sorted(p.name for p in out.parent.iterdir()) in ([], ["posts.csv"])
    assert not part_files(out.parent)
    if moment == "after-commit":
        # Written whole, then committed, then killed: the file is there and is the batch's.
        assert exported == sorted(ids) and out.exists()
        import hashlib

        assert hashlib.sha256(out.read_bytes()).hexdigest() == batches[0].checksum
        assert out.read_bytes().count(b"Approved story") >= len(ids)
    elif moment == "before-commit":
        # The file was written whole, the COMMIT never came: nothing is exported, and the next
        # run does not overwrite the file unless told to (--force), then exports everything.
        assert exported == [] and out.exists()
        again = subprocess.run(
            [sys.executable, "-m", "studio", "export", "--preset", "wordpress", "--out", str(out), "--as", "dana"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert again.returncode == 2 and "already exists; add --force" in again.stderr
        again = subprocess.run(
            [sys.executable, "-m", "studio", "export", "--preset", "wordpress", "--out", str(out), "--as", "dana",
             "--force"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert again.returncode == 0, again.stderr
        assert_consistent(db_url, db_backend)
    elif before_commit:  # while writing (watched from outside: on a busy machine it may be late)
        assert exported == [], "killed before the commit, yet drafts are exported"
    print(
        f"\n{db_backend} export, SIGKILL {moment} {killed_after:.1f} s after start "
        f"({'before' if before_commit else 'maybe after'} the commit): {figures}"
    )
