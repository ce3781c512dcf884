"""The inbox through its services, and its e-mail through a local SMTP server the test starts."""

from __future__ import annotations

import smtplib
import time

import pytest
from sqlalchemy import select

from studio.accounts.service import set_email
from studio.config import reload_settings
from studio.db import session_scope
from studio.export.service import run_export
from studio.inbox import mail
from studio.inbox.service import inbox, mark_draft_read, mark_read, set_email_notifications, unread_count
from studio.models import Notification
from studio.review import comments as review_comments
from studio.review import service as review
from studio.review.bulk import transition_many
from tests.integration.review.test_review import act, submitted, version
from tests.support.smtp import LocalSMTP


@pytest.fixture
def smtp(monkeypatch):
    with LocalSMTP() as server:
        for k, v in server.env().items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("STUDIO_APP_URL", "https://studio.example.com")
        reload_settings()
        yield server


def eventually(check, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    """The background sender writes what happened after it sent: wait for it."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def approve(engine, people, draft_id, comment="Lovely."):
    act(engine, review.approve, draft_id, people.editor, version(engine, draft_id), comment, manual_review_confirmed=True)


def test_the_author_reads_changes_requested_approved_rejected_exported_and_comments(engine, people):
    a, b = submitted(engine, people), submitted(engine, people)
    act(engine, review_comments.add_comment, a, people.editor, "Nice start.")
    act(engine, review.request_changes, b, people.editor, version(engine, b), "Shorter, please.")
    approve(engine, people, a)
    with session_scope(engine) as s:
        run_export(s, people.editor, [a], "wordpress")
    box = act(engine, inbox, people.marketer)
    assert [i.label for i in box.items] == ["Exported", "Approved", "Changes requested", "Comment"]
    assert box.unread == 4 and box.total == 4
    assert box.items[2].detail == "Shorter, please." and box.items[3].detail == "Nice start."
    assert all(i.opens_in == "my_drafts" for i in box.items)
    assert act(engine, unread_count, people.editor) == 0  # nobody is told about their own action


def test_a_rejection_in_bulk_tells_each_author_about_each_draft(engine, people):
    a = submitted(engine, people)
    b = submitted(engine, people, author=people.marketer2)
    with session_scope(engine) as s:
        transition_many(s, [a, b], people.editor, "reject", comment="Off-brand.")
    assert [(i.label, i.draft_id, i.detail) for i in act(engine, inbox, people.marketer).items] == [("Rejected", a, "Off-brand.")]
    assert [i.draft_id for i in act(engine, inbox, people.marketer2).items] == [b]


def test_an_export_of_many_drafts_tells_each_author_once(engine, people):
    ids = [submitted(engine, people) for _ in range(3)]
    for i in ids:
        approve(engine, people, i)
    act(engine, mark_read, people.marketer)
    with session_scope(engine) as s:
        batch, _ = run_export(s, people.editor, ids, "wordpress")
        batch_id = batch.id
    box = act(engine, inbox, people.marketer)
    assert box.unread == 1 and box.items[0].message == f"Dana Editor exported 3 of your drafts (export {batch_id})."
    assert box.items[0].draft_id is None and box.items[0].opens_in is None


def test_reading_marks_only_ones_own_entries(engine, people):
    a = submitted(engine, people)
    b = submitted(engine, people, author=people.marketer2)
    for d in (a, b):
        act(engine, review_comments.add_comment, d, people.editor, "A note.")
    first = act(engine, inbox, people.marketer).items[0].id
    other = act(engine, inbox, people.marketer2).items[0].id
    assert act(engine, mark_read, people.marketer, [first, other]) == 1  # the other person's stays unread
    assert act(engine, unread_count, people.marketer2) == 1
    act(engine, review_comments.add_comment, a, people.editor, "Another.")
    assert act(engine, mark_draft_read, people.marketer, a) == 1
    assert act(engine, unread_count, people.marketer) == 0


def test_an_editor_opens_a_draft_they_were_given_from_the_review_queue(engine, people):
    from studio.review.assignment import assign

    d = submitted(engine, people)
    act(engine, assign, d, people.admin, people.editor.id, version(engine, d))
    item = act(engine, inbox, people.editor).items[0]
    assert (item.label, item.opens_in) == ("Assigned to you", "review_queue")


def test_entries_are_e_mailed_after_the_commit_through_the_smtp_settings(engine, people, smtp):
    act(engine, set_email, people.admin, "mara", "mara@example.com")
    d = submitted(engine, people)
    act(engine, review.request_changes, d, people.editor, version(engine, d), "Add a call to action, please.")
    msg = smtp.wait_for(lambda rcpt, m: rcpt == ["mara@example.com"])
    assert msg["Subject"] == "[Content Studio] Dana Editor requested changes to “Spring planning”."
    assert msg["To"] == "Mara Marketer <mara@example.com>" and msg["From"] == "Content Studio <studio@example.com>"
    body = msg.get_content()
    assert "> Add a call to action, please." in body and "https://studio.example.com/inbox" in body
    assert eventually(lambda: act(engine, inbox, people.marketer).items[0].email == "sent")
    # Nobody without an address gets mail; the entry is in the app all the same.
    from studio.review.assignment import assign

    act(engine, assign, d, people.admin, people.editor.id, version(engine, d))
    act(engine, review_comments.add_comment, d, people.marketer, "On it.")
    assert act(engine, inbox, people.editor).items[0].email is None


def test_a_rolled_back_action_sends_nothing(engine, people, smtp):
    act(engine, set_email, people.admin, "mara", "mara@example.com")
    d = submitted(engine, people)
    with pytest.raises(RuntimeError):
        with session_scope(engine) as s:
            review_comments.add_comment(s, d, people.editor, "Never sent.")
            raise RuntimeError("the action failed after the entry was written")
    act(engine, review_comments.add_comment, d, people.editor, "Sent.")
    smtp.wait_for(lambda rcpt, m: "commented" in m["Subject"])
    assert [m.get_content().count("Never sent.") for _, m in smtp.received()] == [0]


def test_a_person_turns_e_mail_off_and_keeps_the_inbox(engine, people, smtp):
    act(engine, set_email, people.admin, "mara", "mara@example.com")
    assert act(engine, set_email_notifications, people.marketer, False) is False
    d = submitted(engine, people)
    act(engine, review_comments.add_comment, d, people.editor, "Quiet, please.")
    assert act(engine, inbox, people.marketer).items[0].email is None
    assert smtp.received() == []


def test_a_mail_server_that_is_down_marks_the_entry_failed_and_the_cli_sends_it_later(engine, people, monkeypatch):
    with LocalSMTP() as later:
        pass  # a free port with nothing listening
    for k, v in later.env().items():
        monkeypatch.setenv(k, v)
    reload_settings()
    act(engine, set_email, people.admin, "mara", "mara@example.com")
    d = submitted(engine, people)
    act(engine, review_comments.add_comment, d, people.editor, "Retry me.")

    def failed():  # type: ignore[no-untyped-def]
        with session_scope(engine) as s:
            n = s.scalars(select(Notification).where(Notification.kind == "comment")).one()
            return n.email_status == "failed" and n.email_error

    # The entry is failed with the reason, not lost.
    assert "Could not reach the mail server" in eventually(failed)
    with LocalSMTP() as smtp:
        monkeypatch.setenv("STUDIO_SMTP_PORT", str(smtp.port))
        reload_settings()
        assert mail.deliver_pending(engine, retry_failed=True) == (1, 0)
        assert smtp.wait_for(lambda rcpt, m: rcpt == ["mara@example.com"])["Subject"].endswith("commented on “Spring planning”.")


def test_the_smtp_password_is_used_to_log_in_and_never_stored(engine, people, smtp, monkeypatch):
    seen = {}

    class Recording(smtplib.SMTP):
        def login(self, user, password, **kw):  # type: ignore[no-untyped-def]
            seen["login"] = (user, password)

    monkeypatch.setattr(mail.smtplib, "SMTP", Recording)
    monkeypatch.setenv("STUDIO_SMTP_USERNAME", "studio")
    monkeypatch.setenv("STUDIO_SMTP_PASSWORD", "s3cret-smtp-pass")
    reload_settings()
    act(engine, set_email, people.admin, "mara", "mara@example.com")
    d = submitted(engine, people)
    act(engine, review_comments.add_comment, d, people.editor, "Hello.")
    smtp.wait_for(lambda rcpt, m: True)
    assert seen["login"] == ("studio", "s3cret-smtp-pass")
    with session_scope(engine) as s:
        from sqlalchemy import text

        for table in ("notifications", "audit_events", "users"):
            dump = " ".join(str(r) for r in s.execute(text(f"SELECT * FROM {table}")))
            assert "s3cret-smtp-pass" not in dump
