"""A generation keeps what it wrote whatever happens: saved before the first request, saved as
it streams, cut (not dropped) when too long, and kept in a recovery file when the database will
not take it. Through the real clients against the local server, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from studio.accounts.service import disable_user
from studio.config import reload_settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import MAX_BODY_CHARS
from studio.drafting.writer import TOO_LONG, TRUNCATION_MARK, DraftRun
from studio.errors import PermissionDenied
from studio.models import AuditEvent, Draft, Generation, Revision

BRIEF = dict(content_type="blog", topic="Tide tables for harbour walks", audience="families", keywords="tides, safety")


@pytest.fixture
def settings(fake_openai, monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-local")
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    monkeypatch.setenv("STUDIO_MAX_RETRIES", "0")
    monkeypatch.setenv("STUDIO_RECOVERY_DIR", str(tmp_path / "recovery"))
    return reload_settings()


def _run(engine, people, settings, **kw) -> DraftRun:  # type: ignore[no-untyped-def]
    return DraftRun(Brief.create(**BRIEF), people.marketer, engine=engine, settings=settings, **kw)


def _revisions(engine, draft_id):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return s.scalars(select(Revision).where(Revision.draft_id == draft_id).order_by(Revision.number)).all()


def test_the_draft_and_its_brief_are_saved_before_the_first_request(engine, people, fake_openai, settings):
    run = _run(engine, people, settings)
    draft_id = run.start()
    assert fake_openai.chat_requests == []
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        assert draft.topic == BRIEF["topic"] and draft.audience == "families" and draft.keywords == ["tides", "safety"]
        assert draft.incomplete and "had not finished" in draft.last_error
        generation = s.scalars(select(Generation).where(Generation.draft_id == draft_id)).one()
        assert generation.error_detail == "unfinished" and generation.model == "fake-gpt"
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.draft_id == draft_id)).all() == ["draft.created"]
    shown = "".join(run.stream())
    assert run.outcome.draft_id == draft_id and run.outcome.error is None
    assert _revisions(engine, draft_id)[-1].body == shown


def test_a_disabled_account_is_refused_before_any_request(engine, people, fake_openai, settings):
    with session_scope(engine) as s:
        disable_user(s, people.admin, "mara")
    run = _run(engine, people, settings)
    with pytest.raises(PermissionDenied, match="disabled"):
        "".join(run.stream())
    assert fake_openai.chat_requests == []
    with session_scope(engine) as s:
        assert s.scalars(select(Draft)).all() == []


def test_the_text_is_saved_while_it_streams(engine, people, fake_openai, settings):
    fake_openai.reply = "# Tides\n\n" + " ".join(f"Sentence {i} about the tide." for i in range(400))
    fake_openai.delay, fake_openai.chunk_chars = 0.02, 12
    run = _run(engine, people, settings)
    stream = run.stream()
    shown = next(stream)
    started = time.monotonic()
    while time.monotonic() - started < 3.0:  # longer than the saver's interval
        shown += next(stream)
    saved = _revisions(engine, run.draft_id)
    assert len(saved) == 1 and saved[0].reason == "partial"
    assert saved[0].body and shown.startswith(saved[0].body)  # the text so far, as streamed
    with session_scope(engine) as s:
        assert s.get(Draft, run.draft_id).incomplete
    stream.close()
    assert _revisions(engine, run.draft_id)[-1].body == shown  # and the last save has all of it


def test_an_over_long_reply_is_saved_cut_with_a_mark(engine, people, fake_openai, settings):
    fake_openai.reply = "# Long\n\n" + ("All work and no play. " * 12_000)  # 264,008 characters
    fake_openai.chunk_chars = 4000
    run = _run(engine, people, settings)
    shown = "".join(run.stream())
    assert run.outcome.incomplete and run.outcome.error == TOO_LONG
    assert shown.endswith(TRUNCATION_MARK) and len(shown) <= MAX_BODY_CHARS
    [revision] = _revisions(engine, run.outcome.draft_id)
    assert revision.body == shown and revision.reason == "partial"
    assert fake_openai.reply.startswith(shown[: -len(TRUNCATION_MARK)])


class _Refusing:
    """Makes the database refuse every write (as a full disk does) while ``on``."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.on = False
        self.refused = 0
        self.until: int | None = None
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if self.on and statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            if self.until is not None and self.refused >= self.until:
                return
            self.refused += 1
            raise OperationalError(statement, params, Exception("database or disk is full"))


def test_a_failed_save_is_tried_again(engine, people, fake_openai, settings):
    fake_openai.reply = "# Short\n\nA short text that must not be lost.\n"
    refusing = _Refusing(engine)
    run = _run(engine, people, settings)
    run.start()
    refusing.on, refusing.until = True, 1  # the first try fails, the second works
    shown = "".join(run.stream())
    assert refusing.refused == 1 and run.outcome.error is None and run.outcome.recovery_file is None
    assert _revisions(engine, run.outcome.draft_id)[-1].body == shown


def test_when_every_try_fails_the_text_goes_to_a_recovery_file_named_in_the_message(
    engine, people, fake_openai, settings, tmp_path
):
    fake_openai.reply = "# Kept\n\nEvery word of this must survive a full disk.\n"
    refusing = _Refusing(engine)
    run = _run(engine, people, settings)
    draft_id = run.start()
    refusing.on = True
    shown = "".join(run.stream())
    refusing.on = False
    outcome = run.outcome
    assert refusing.refused >= 3  # the saver's tries
    assert outcome.recovery_file and outcome.recovery_file in outcome.error
    assert "disk is full" in outcome.error and "Nothing is lost" in outcome.error
    kept = (tmp_path / "recovery").glob("*.md")
    [path] = list(kept)
    content = path.read_text(encoding="utf-8")
    assert content.endswith(shown) and BRIEF["topic"] in content and f"draft: {draft_id}" in content
    with session_scope(engine) as s:  # the brief was saved before; the draft says it did not finish
        assert s.get(Draft, draft_id).incomplete
