"""`export --out` writes only where a file belongs: never the studio's database, a device or a
FIFO, never over an existing file without --force; `-` is standard output; the file gets the
usual permissions; a failed commit leaves no file; `--batch ID` writes an earlier export again."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft
from studio.models import Draft, ExportBatch

ROOT = Path(__file__).resolve().parents[3]


def studio(*args: str, umask: int | None = None) -> subprocess.CompletedProcess[bytes]:
    def preexec() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "studio", *args], cwd=ROOT, env=dict(os.environ), capture_output=True,
        timeout=180, preexec_fn=preexec,
    )  # fmt: skip


def approved(engine, author, title: str) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic=title), author)
        add_revision(s, d, f"# {title}\n\nHello.\n", author, "generated", run_checks=False)
        d.status = "approved"
        s.flush()
        return d.id


def statuses(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return [d.status for d in s.scalars(select(Draft).order_by(Draft.id))]


def no_traceback(result: subprocess.CompletedProcess[bytes]) -> str:
    said = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in said, said
    return said


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_the_studio_database_and_its_files_are_refused_even_with_force(engine, people, db_url, suffix):
    approved(engine, people.marketer, "A post")
    database = Path(make_url(db_url).database)
    target = Path(str(database) + suffix)
    for extra in ([], ["--force"]):
        result = studio("export", "--preset", "wordpress", "--out", str(target), "--as", "dana", *extra)
        said = no_traceback(result)
        assert result.returncode == 2 and "the studio's own database" in said
    assert database.read_bytes()[:16] == b"SQLite format 3\x00"  # still a database, not CSV
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert statuses(engine) == ["approved"]


def test_a_device_a_fifo_and_a_folder_are_refused(engine, people, tmp_path):
    approved(engine, people.marketer, "A post")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, words in [(Path("/dev/null"), "not a regular file"), (fifo, "not a regular file"),
                          (tmp_path, "is a folder")]:  # fmt: skip
        result = studio("export", "--preset", "wordpress", "--out", str(target), "--as", "dana", "--force")
        said = no_traceback(result)
        assert result.returncode == 2 and words in said, said
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert statuses(engine) == ["approved"]


def test_an_existing_file_is_replaced_only_with_force(engine, people, tmp_path):
    approved(engine, people.marketer, "A post")
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "posts.csv"
    out.write_text("somebody's spreadsheet\n")
    result = studio("export", "--preset", "wordpress", "--out", str(out), "--as", "dana")
    assert result.returncode == 2 and "already exists; add --force" in no_traceback(result)
    assert out.read_text() == "somebody's spreadsheet\n" and statuses(engine) == ["approved"]
    result = studio("export", "--preset", "wordpress", "--out", str(out), "--as", "dana", "--force")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"post_title,") and statuses(engine) == ["exported"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["posts.csv"]  # nothing hidden left behind


def test_dash_writes_to_standard_output_and_no_file_named_dash(engine, people, tmp_path):
    approved(engine, people.marketer, "A post")
    result = subprocess.run(
        [sys.executable, "-m", "studio", "export", "--preset", "json", "--out", "-", "--as", "dana"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"[") and b'"title": "A post"' in result.stdout
    assert b"Exported 1 row(s)" in result.stderr and not (tmp_path / "-").exists()
    with session_scope(engine) as s:
        [batch] = s.scalars(select(ExportBatch)).all()
        assert batch.checksum == hashlib.sha256(result.stdout).hexdigest()


def test_the_file_gets_the_usual_permissions(engine, people, tmp_path):
    approved(engine, people.marketer, "A post")
    out = tmp_path / "posts.csv"
    result = studio("export", "--preset", "wordpress", "--out", str(out), "--as", "dana", umask=0o022)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_an_earlier_export_is_written_again_by_its_number(engine, people, tmp_path):
    approved(engine, people.marketer, "A post")
    first = tmp_path / "posts.csv"
    assert studio("export", "--preset", "hubspot", "--out", str(first), "--as", "dana").returncode == 0
    with session_scope(engine) as s:
        [batch] = s.scalars(select(ExportBatch)).all()
    # Nothing is left to export, and the refusal says how to get the file again.
    again = tmp_path / "again.csv"
    result = studio("export", "--preset", "hubspot", "--out", str(again), "--as", "dana")
    said = no_traceback(result)
    assert result.returncode == 1 and f"--batch {batch.id} --out FILE" in said and not again.exists()
    result = studio("export", "--batch", str(batch.id), "--out", str(again), "--as", "dana")
    assert result.returncode == 0, result.stderr
    assert again.read_bytes() == first.read_bytes()
    result = studio("export", "--batch", "999999", "--out", str(tmp_path / "none.csv"), "--as", "dana")
    assert result.returncode == 1 and "Export 999999 does not exist" in no_traceback(result)


def test_a_commit_that_fails_leaves_no_file_and_nothing_exported(engine, people, db_url, tmp_path, monkeypatch, capsys):
    from sqlalchemy import event

    from studio import cli
    from studio.db import get_engine

    approved(engine, people.marketer, "A post")
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "posts.csv"
    cli_engine = get_engine(db_url)

    def refuse(conn):  # type: ignore[no-untyped-def]
        from sqlalchemy.exc import OperationalError

        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    event.listen(cli_engine, "commit", refuse)
    try:
        code = cli.main(["export", "--preset", "wordpress", "--out", str(out), "--as", "dana"])
    finally:
        event.remove(cli_engine, "commit", refuse)
    said = capsys.readouterr().err
    assert code == 1 and "disk is full" in said
    assert not out.exists() and list(out.parent.iterdir()) == []
    assert statuses(engine) == ["approved"]


def test_a_name_too_long_for_the_file_system_is_a_sentence(engine, people, tmp_path):
    approved(engine, people.marketer, "A post")
    result = studio("export", "--preset", "wordpress", "--out", str(tmp_path / ("x" * 300 + ".csv")), "--as", "dana")
    said = no_traceback(result)
    assert result.returncode == 2 and "too long" in said
    assert statuses(engine) == ["approved"]
