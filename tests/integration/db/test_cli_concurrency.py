"""Many fresh `python -m studio` processes writing to one SQLite database at once: no traceback,
no wrong "someone else changed this", no generated text lost.

Each process starts cold (imports, migration check, its own engine), as a script or cron job
would. The checks run outside the write transactions, so a save holds the database for
milliseconds; a database already at the newest schema is only read at start; and a database
still busy after the wait says so in a sentence.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from studio.db import get_engine, session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft
from studio.models import Draft, Revision
from tests.support.fake_openai import FakeOpenAI

ROOT = Path(__file__).resolve().parents[3]


def env_for(url: str, tmp_path: Path, server: FakeOpenAI | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STUDIO_", "OPENAI_"))}
    env.update(STUDIO_DATABASE_URL=url, STUDIO_SECRETS_FILE=str(tmp_path / "absent.toml"), HF_HUB_OFFLINE="1",
               PYTHONPATH=str(ROOT), STUDIO_RECOVERY_DIR=str(tmp_path / "recovery"))  # fmt: skip
    if server is not None:
        env.update(OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-test", STUDIO_MAX_RETRIES="0")
    return env


def run_at_once(commands: list[list[str]], env: dict[str, str], tmp_path: Path) -> list[tuple[int, str, str]]:
    procs = []
    for i, args in enumerate(commands):
        out, err = open(tmp_path / f"p{i}.out", "wb"), open(tmp_path / f"p{i}.err", "wb")  # noqa: SIM115
        procs.append(subprocess.Popen([sys.executable, "-m", "studio", *args], cwd=ROOT, env=env,
                                      stdin=subprocess.DEVNULL, stdout=out, stderr=err))  # fmt: skip
        out.close()
        err.close()
    results = []
    for i, proc in enumerate(procs):
        proc.wait(timeout=600)
        results.append((proc.returncode, (tmp_path / f"p{i}.out").read_text("utf-8", "replace"),
                        (tmp_path / f"p{i}.err").read_text("utf-8", "replace")))  # fmt: skip
    return results


def assert_clean(results: list[tuple[int, str, str]], commands: list[list[str]]) -> None:
    failed = [(commands[i][:2], code, err[-800:]) for i, (code, _out, err) in enumerate(results)
              if code != 0 or "Traceback" in err or "locked" in err or "Someone else" in err]  # fmt: skip
    assert failed == [], failed


def test_twelve_fresh_processes_on_a_new_database_all_migrate_and_save(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    commands = [["generate", "--type", "blog", "--topic", f"Fresh topic {i}", "--provider", "demo", "--seed", str(i),
                 "--json"] for i in range(12)]  # fmt: skip
    results = run_at_once(commands, env_for(url, tmp_path), tmp_path)
    assert_clean(results, commands)
    outcomes = [json.loads(out) for _code, out, _err in results]
    with session_scope(get_engine(url)) as s:
        for outcome in outcomes:
            draft = s.get(Draft, outcome["draft_id"])
            assert s.get(Revision, draft.current_revision_id).body == outcome["text"] and not draft.incomplete
        assert len(s.scalars(select(Draft)).all()) == 12


@pytest.mark.usefixtures("sqlite_only")
def test_fourteen_writers_at_once_lose_no_text_and_print_no_traceback(engine, db_url, people, tmp_path):
    with session_scope(engine) as s:
        to_submit = []
        for i in range(4):
            d = create_draft(s, Brief.create(content_type="blog", topic=f"Ready {i}"), people.marketer)
            add_revision(s, d, f"# Ready {i}\n\nA finished text about harbour walks number {i}.\n", people.marketer,
                         "edited", run_checks=False)  # fmt: skip
            to_submit.append(d.id)
    with FakeOpenAI(delay=0.005, chunk_chars=40, reply_words=250) as server:
        commands = (
            [["generate", "--type", "blog", "--topic", f"Concurrent topic {i}", "--provider", "openai", "--json",
              "--as", "mara" if i % 2 else "milo"] for i in range(8)]
            + [["review", "submit", str(d), "--as", "mara"] for d in to_submit]
            + [["drafts", "list", "--json", "--as", "dana"] for _ in range(2)]
        )  # fmt: skip
        results = run_at_once(commands, env_for(db_url, tmp_path, server), tmp_path)
    assert_clean(results, commands)
    with session_scope(engine) as s:
        for (_code, out, _err), args in zip(results[:8], commands[:8]):
            outcome = json.loads(out)
            draft = s.get(Draft, outcome["draft_id"])
            assert draft.topic == args[4] and not draft.incomplete
            assert s.get(Revision, draft.current_revision_id).body == outcome["text"] and outcome["text"]
        assert [s.get(Draft, d).status for d in to_submit] == ["in_review"] * 4
        assert all(s.get(Draft, d).check_verdict for d in to_submit)


@pytest.mark.usefixtures("sqlite_only")
def test_a_database_at_the_newest_schema_is_only_read_at_start(engine, db_url, people, tmp_path):
    """While another process holds the write lock, a read-only command still starts and answers
    (the migration check no longer takes the lock)."""
    holder = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "studio", "drafts", "list", "--json", "--as", "dana"],
                                cwd=ROOT, env=env_for(db_url, tmp_path), capture_output=True, text=True, timeout=120)
        elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    print(f"\ndrafts list with the write lock held elsewhere: {elapsed:.1f} s")


@pytest.mark.usefixtures("sqlite_only")
def test_a_database_busy_past_the_wait_is_a_sentence_not_someone_else_changed_it(db_url, people, monkeypatch):
    from studio import db
    from studio.db import dispose_engines
    from studio.errors import DatabaseBusy
    from studio.review.comments import add_comment

    with session_scope(get_engine(db_url)) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Busy"), people.marketer)
        draft_id = d.id
    dispose_engines()
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    busy_engine = get_engine(db_url)
    holder = sqlite3.connect(busy_engine.url.database, timeout=0, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy) as caught, session_scope(busy_engine) as s:
            add_comment(s, draft_id, people.marketer, "A comment that waits for the lock.")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "The database is busy" in str(caught.value) and "Nothing was changed" in str(caught.value)
    assert "Someone else" not in str(caught.value)
