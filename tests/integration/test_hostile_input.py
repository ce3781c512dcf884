"""Bad input never ends in a traceback: text that no database can store is refused naming the
field, numbers out of range are usage errors, and database and disk failures are sentences (a
full disk says so and keeps the generated text). A disabled account is refused before any work.
On SQLite and PostgreSQL (which refuses NUL characters outright)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, select

from studio.accounts.service import add_user, disable_user
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft, edit_text
from studio.errors import InputError
from studio.models import AuditEvent, Comment, Draft, User
from studio.publishing.service import update_publishing
from studio.review.comments import add_comment
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BAD = {"NUL": "Hello\x00world", "surrogate": "Hello \udcff world"}
# Room left in the database for the draft and its brief, not for the text.
HEADROOM_PAGES = 2


def cli(*args: str | bytes, stdin: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"studio", *[a if isinstance(a, bytes) else a.encode() for a in args]],
        cwd=ROOT, env={**os.environ, **(env or {})}, input=stdin, capture_output=True, timeout=180,
    )  # fmt: skip


def said(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    return text


@pytest.fixture
def draft_id(engine, people):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="A post"), people.marketer)
        add_revision(s, d, "# A post\n\nSome text.\n", people.marketer, "edited", run_checks=False)
        return d.id


def test_bytes_that_are_not_utf8_on_the_command_line_are_refused_naming_the_field(engine, people, draft_id):
    result = cli("review", "submit", str(draft_id), "--as", "mara", "--comment", b"Bad \xff byte")
    assert result.returncode == 1 and "The comment contains bytes that are not valid UTF-8" in said(result)
    result = cli("users", "add", "nora", "--role", "marketer", "--display-name", b"N\xffra", "--password-stdin",
                 "--as", "ada", stdin=PASSWORD.encode() + b"\n")  # fmt: skip
    assert result.returncode == 1 and "The display name contains bytes that are not valid UTF-8" in said(result)
    result = cli("users", "add", "nora", "--role", "marketer", "--password-stdin", "--as", "ada",
                 stdin=b"correct horse \xff battery\n")  # fmt: skip
    assert result.returncode == 2 and "password on standard input is not valid UTF-8" in said(result)
    result = cli("generate", "--type", "blog", "--topic", b"Caf\xe9 opening", "--as", "mara")
    assert result.returncode == 2 and "--topic: Topic contains bytes that are not valid UTF-8" in said(result)
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).status == "draft" and s.scalars(select(Comment)).all() == []
        assert s.scalars(select(User).where(User.name == "nora")).first() is None


@pytest.mark.parametrize("kind", sorted(BAD))
def test_nul_and_lone_surrogates_are_refused_in_every_typed_field(engine, people, draft_id, kind):
    bad = BAD[kind]
    attempts = {
        "title": lambda s: update_publishing(s, draft_id, people.marketer, {"title": bad}, None),
        "excerpt": lambda s: update_publishing(s, draft_id, people.marketer, {"excerpt": bad}, None),
        "tags": lambda s: update_publishing(s, draft_id, people.marketer, {"tags": ["ok", bad]}, None),
        "comment": lambda s: add_comment(s, draft_id, people.marketer, bad),
        "display_name": lambda s: add_user(s, people.admin, "nora", PASSWORD, ["marketer"], display_name=bad),
        "password": lambda s: add_user(s, people.admin, "nora", PASSWORD + bad, ["marketer"]),
        "body": lambda s: edit_text(s, draft_id, people.marketer, bad, None),
        "note": lambda s: edit_text(s, draft_id, people.marketer, "# A post\n\nNew text.\n", None, note=bad),
    }
    for field, attempt in attempts.items():
        with pytest.raises(InputError) as caught, session_scope(engine) as s:
            attempt(s)
        assert field in caught.value.problems, (field, caught.value.problems)
        assert "cannot be stored" in str(caught.value)
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        assert draft.title == "A post"
        assert s.scalars(select(Comment)).all() == [] and draft.current_revision.body == "# A post\n\nSome text.\n"


def test_a_nul_typed_at_sign_in_is_just_a_failed_sign_in(engine, people):
    from studio.accounts.signin import InvalidCredentials, authenticate

    with pytest.raises(InvalidCredentials), session_scope(engine) as s:
        authenticate(s, "da\x00na", PASSWORD, sleep=lambda _s: None)
    with session_scope(engine) as s:
        failed = s.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")).one()
        assert "\x00" not in failed.actor_name


def test_numbers_out_of_range_are_usage_errors(engine, people, tmp_path):
    result = cli("review", "submit", "99999999999999999999", "--as", "mara")
    assert result.returncode == 2 and "draft number from 1 to 2,147,483,647" in said(result)
    result = cli("drafts", "list", "--limit", "99999999999999999999", "--as", "mara")
    assert result.returncode == 2 and "--limit" in said(result)
    result = cli("export", "--preset", "wordpress", "--until", "9999-12-31", "--out", str(tmp_path / "a.csv"),
                 "--as", "dana")  # fmt: skip
    assert result.returncode == 1 and "Nothing to export" in said(result)
    result = cli("export", "--preset", "wordpress", "--since", "0001-01-01", "--until", "9999-12-31",
                 "--out", str(tmp_path / "a.csv"), "--as", "dana")  # fmt: skip
    assert result.returncode == 1 and "Nothing to export" in said(result)


def test_a_disabled_account_is_refused_before_any_work(engine, people, fake_openai):
    with session_scope(engine) as s:
        disable_user(s, people.admin, "mara")
    env = {"OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": "sk-test"}
    result = cli("generate", "--type", "blog", "--topic", "Anything", "--provider", "openai", "--as", "mara", env=env)
    assert result.returncode == 1 and "disabled" in said(result)
    assert result.stdout == b"" and fake_openai.chat_requests == []  # no request, no text
    result = cli("drafts", "list", "--as", "mara")
    assert result.returncode == 1 and "disabled" in said(result)
    with session_scope(engine) as s:
        assert s.scalars(select(Draft)).all() == []


@pytest.mark.usefixtures("sqlite_only")
def test_a_full_disk_says_so_and_keeps_the_generated_text(engine, db_url, people, tmp_path, monkeypatch, capsys):
    """SQLite at its size limit answers exactly as on a full disk ("database or disk is full")."""
    from studio import cli as studio_cli
    from studio.db import get_engine

    monkeypatch.setenv("STUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    from studio.config import reload_settings

    reload_settings()
    full = get_engine(db_url)
    with full.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(full, "connect")
    def _at_its_limit(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + HEADROOM_PAGES}")

    full.dispose()
    # One pass, as streamed (3,000 words would be written in sections otherwise: that path's
    # recovery file is tested in tests/integration/writing/test_longform.py).
    code = studio_cli.main(["generate", "--type", "blog", "--topic", "A text for a full disk", "--seed", "3",
                            "--words", "3000", "--one-pass", "--as", "mara"])  # fmt: skip
    out, err = capsys.readouterr()
    event.remove(full, "connect", _at_its_limit)
    assert code == 1 and "Traceback" not in err
    assert "could not be saved, even after 3 tries: the disk is full" in err and "Nothing is lost" in err
    [recovered] = list((tmp_path / "recovery").glob("*.md"))
    assert str(recovered) in err and recovered.read_text(encoding="utf-8").rstrip().endswith(out.rstrip())
    with session_scope(engine) as s:  # the brief fitted, before the first request
        draft = s.scalars(select(Draft).where(Draft.topic == "A text for a full disk")).one()
        assert draft.incomplete
