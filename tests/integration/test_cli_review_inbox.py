"""`python -m studio` for reviewers, withdraw, e-mail addresses, workspace settings and the inbox,
in subprocesses against a database prepared through the services."""

from __future__ import annotations

from sqlalchemy import select

from studio.db import session_scope
from studio.models import Draft
from tests.integration.export.test_cli import studio
from tests.integration.review.test_review import submitted
from tests.support.smtp import LocalSMTP


def test_assign_claim_unassign_and_withdraw(engine, people):
    one, two = submitted(engine, people), submitted(engine, people)
    r = studio("review", "assign", str(one), "--to", "dana", "--as", "ada")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"Draft {one}: reviewer dana."
    r = studio("review", "assign", str(one), "--as", "ada")
    assert r.returncode == 2 and "assign needs --to NAME" in r.stderr
    assert studio("review", "unassign", str(one), "--as", "dana").stdout.strip() == f"Draft {one}: reviewer nobody."
    assert studio("review", "claim", str(one), "--as", "dana").returncode == 0
    r = studio("review", "withdraw", str(one), "--as", "mara")
    assert r.returncode == 1 and "can no longer be withdrawn" in r.stderr
    r = studio("review", "withdraw", str(two), "--as", "mara")
    assert r.returncode == 0, r.stderr
    with session_scope(engine) as s:
        assert s.get(Draft, two).status == "draft" and s.get(Draft, one).assignee_id == people.editor.id


def test_e_mail_workspace_settings_and_the_inbox_by_mail(engine, people, monkeypatch):
    r = studio("users", "set-email", "mara", "mara@", "--as", "ada")
    assert r.returncode == 1 and "not an e-mail address" in r.stderr
    assert studio("users", "set-email", "mara", "mara@example.com", "--as", "ada").returncode == 0
    r = studio("workspace", "set", "studio_banned_terms", "Globex", "Initech", "--as", "ada")
    assert r.returncode == 0 and r.stdout.strip() == "Banned terms: Globex, Initech.", r.stderr
    r = studio("workspace", "set", "studio_site_timezone", "Mars/Base", "--as", "ada")
    assert r.returncode == 1 and "not a time zone" in r.stderr
    assert studio("workspace", "set", "studio_allowlist", "x", "--as", "dana").returncode == 1
    shown = studio("workspace", "show", "--as", "mara").stdout
    assert "studio_banned_terms: Globex, Initech (set in the studio)" in shown
    assert "studio_site_timezone: UTC (from STUDIO_SITE_TIMEZONE)" in shown

    draft_id = submitted(engine, people)
    with LocalSMTP() as smtp:
        for k, v in smtp.env().items():
            monkeypatch.setenv(k, v)
        r = studio("review", "request-changes", str(draft_id), "--comment", "Shorter.", "--as", "dana")
        assert r.returncode == 0, r.stderr
        # The command waits for its e-mail before it exits.
        assert [rcpt for rcpt, _ in smtp.received()] == [["mara@example.com"]]
        assert studio("inbox", "send-mail").stdout.strip() == "0 e-mail(s) sent, 0 failed."
    listed = studio("inbox", "list", "--as", "mara").stdout
    assert listed.startswith("1 new, 1 in all.") and "[Changes requested] Dana Editor requested changes to" in listed
    monkeypatch.delenv("STUDIO_SMTP_HOST")
    r = studio("inbox", "send-mail")
    assert r.returncode == 1 and "no SMTP settings" in r.stdout
    with session_scope(engine) as s:
        assert s.scalars(select(Draft.status).where(Draft.id == draft_id)).one() == "changes_requested"
