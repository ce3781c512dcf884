"""`python -m studio export` in a subprocess, against a database prepared through the services."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft
from studio.models import Draft, ExportBatch

ROOT = Path(__file__).resolve().parents[3]


def studio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def approved(engine, author, title: str, status: str = "approved") -> int:
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic=title), author)
        add_revision(s, d, f"# {title}\n\nHello, world: \"quoted\".\n", author, "generated", run_checks=False)
        d.status = status
        s.flush()
        return d.id


def test_export_writes_the_file_and_prints_one_line(engine, people, tmp_path):
    ids = [approved(engine, people.marketer, "First post"), approved(engine, people.marketer, "Second post")]
    waiting = approved(engine, people.marketer, "Still in review", status="in_review")
    out = tmp_path / "posts.csv"
    result = studio("export", "--preset", "wordpress", "--out", str(out), "--as", "dana")
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    [line] = result.stdout.strip().splitlines()
    assert line.startswith("Exported 2 row(s) (wordpress, cms) to ") and str(out) in line
    assert line.endswith(f"sha256 {digest}")
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert frame["post_title"].tolist() == ["First post", "Second post"]
    with session_scope(engine) as s:
        assert [s.get(Draft, i).status for i in ids] == ["exported", "exported"]
        assert s.get(Draft, waiting).status == "in_review"
        [batch] = s.scalars(select(ExportBatch)).all()
        assert batch.checksum == digest and batch.row_count == 2
    assert not list(tmp_path.glob("*.part"))

    # Nothing left: exit 1, the reason on stderr, no file written over the old one.
    again = tmp_path / "again.csv"
    result = studio("export", "--preset", "json", "--out", str(again), "--as", "dana")
    assert result.returncode == 1
    assert "Nothing to export: no approved drafts" in result.stderr
    assert not again.exists() and not list(tmp_path.glob("*.part"))

    # Asked to, it exports them again.
    result = studio("export", "--preset", "json", "--out", str(again), "--as", "dana", "--include-exported")
    assert result.returncode == 0, result.stderr
    assert "Exported 2 row(s) (json, cms)" in result.stdout


def test_nothing_approved_exits_1_with_the_message(engine, people, tmp_path):
    out = tmp_path / "posts.csv"
    result = studio("export", "--preset", "hubspot", "--out", str(out), "--as", "dana")
    assert result.returncode == 1
    assert "error: Nothing to export: no approved drafts. No file was written." in result.stderr
    assert not out.exists()


def test_refusals_permission_and_bad_dates(engine, people, tmp_path):
    approved(engine, people.marketer, "A post")
    out = tmp_path / "posts.csv"
    result = studio("export", "--preset", "generic", "--out", str(out))
    assert result.returncode == 1
    assert "Only editors and admins can export content" in result.stderr and "--as NAME" in result.stderr
    result = studio("export", "--preset", "generic", "--out", str(out), "--as", "dana", "--since", "last week")
    assert result.returncode == 2 and "--since" in result.stderr
    result = studio("export", "--preset", "generic", "--out", str(out), "--as", "dana", "--since", "2999-01-01")
    assert result.returncode == 1 and "since 2999-01-01" in result.stderr
    assert not out.exists()
