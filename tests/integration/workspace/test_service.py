"""Workspace settings in the database: admins change them, the audit trail records it, the
checks and the export use them, and the environment gives the value until then."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from studio.accounts.service import set_email
from studio.config import reload_settings
from studio.db import session_scope
from studio.drafting.detail import draft_detail
from studio.errors import InputError, PermissionDenied
from studio.export.service import run_export
from studio.models import AuditEvent
from studio.workspace.service import (
    effective_settings,
    reset_setting,
    set_setting,
    site_timezone,
    workspace_settings,
)
from tests.integration.export.test_service import make_draft
from tests.integration.review.test_review import act
from tests.integration.review.test_review import make_draft as make_review_draft

TEXT = "# Our offer\n\nGlobex is slower than us, and the Chairman's Club agrees.\n"


def values(engine, actor):
    return {v.key: v for v in act(engine, workspace_settings, actor)}


def test_the_environment_gives_the_first_value_until_an_admin_changes_it(engine, people, monkeypatch):
    monkeypatch.setenv("STUDIO_BANNED_TERMS", '["Initech"]')
    monkeypatch.setenv("STUDIO_SITE_TIMEZONE", "America/New_York")
    reload_settings()
    v = values(engine, people.marketer)  # everyone may read them
    assert v["studio_banned_terms"].value == ["Initech"] and not v["studio_banned_terms"].from_database
    assert v["studio_banned_terms"].env == "STUDIO_BANNED_TERMS"
    assert v["studio_site_timezone"].shown == "America/New_York"

    changed = act(engine, set_setting, people.admin, "studio_banned_terms", "Globex\n initech \n\nGLOBEX")
    assert changed.value == ["Globex", "initech"] and changed.from_database and changed.updated_by == "Ada Admin"
    assert act(engine, effective_settings).studio_banned_terms == ["Globex", "initech"]
    with session_scope(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "workspace.setting_changed")).one()
        assert event.actor_name == "ada" and event.data == {
            "setting": "studio_banned_terms", "from": ["Initech"], "to": ["Globex", "initech"]}
        assert event.comment == "Banned terms: Initech → Globex, initech"

    back = act(engine, reset_setting, people.admin, "studio_banned_terms")
    assert back.value == ["Initech"] and not back.from_database
    with session_scope(engine) as s:
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("workspace.%"))).all() == [
            "workspace.setting_changed", "workspace.setting_reset"]


def test_only_admins_change_them_and_bad_values_change_nothing(engine, people):
    with pytest.raises(PermissionDenied, match="Only admins"):
        act(engine, set_setting, people.editor, "studio_banned_terms", "Globex")
    with pytest.raises(InputError, match="not a time zone"):
        act(engine, set_setting, people.admin, "studio_site_timezone", "Europe/Atlantis")
    assert not any(v.from_database for v in values(engine, people.admin).values())


def test_the_checks_use_the_workspace_lists(engine, people):
    draft_id, _ = make_review_draft(engine, people.marketer, TEXT)
    before = act(engine, draft_detail, draft_id, people.marketer)
    assert not [f for f in before.findings if f.category == "banned"]
    act(engine, set_setting, people.admin, "studio_banned_terms", "Globex")
    act(engine, set_setting, people.admin, "studio_allowlist", "Chairman's Club")
    draft_id, _ = make_review_draft(engine, people.marketer, TEXT)
    after = act(engine, draft_detail, draft_id, people.marketer)
    # In the body (the title, slug and excerpt derived from it are checked as well)
    assert [f.text for f in after.findings if f.category == "banned" and f.field == "body"] == ["Globex"]
    assert after.verdict == "block"
    assert not [f for f in after.findings if "Chairman" in f.text]


def test_the_wordpress_export_uses_the_site_time_zone_and_the_authors_e_mail(engine, people):
    act(engine, set_email, people.admin, "mara", "mara@example.com")
    when = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)
    a = make_draft(engine, people.marketer, "# One\n\nText.\n", publish_date=when, publish_status="publish")
    b = make_draft(engine, people.marketer2, "# Two\n\nText.\n", publish_date=when, publish_status="publish")
    act(engine, set_setting, people.admin, "studio_site_timezone", "Europe/Berlin")
    assert str(act(engine, site_timezone)) == "Europe/Berlin"
    with session_scope(engine) as s:
        _, f = run_export(s, people.editor, [a, b], "wordpress")
    rows = list(csv.DictReader(io.StringIO(f.content.decode("utf-8"), newline="")))
    assert [r["post_date"] for r in rows] == ["2025-03-01 10:30:00"] * 2
    assert [r["post_date_gmt"] for r in rows] == ["2025-03-01 09:30:00"] * 2
    assert [r["post_author"] for r in rows] == ["mara@example.com", "Milo Marketer"]  # no address: the name
    with session_scope(engine) as s:
        _, f = run_export(s, people.editor, [a, b], "hubspot", include_exported=True)
    rows = list(csv.DictReader(io.StringIO(f.content.decode("utf-8"), newline="")))
    assert [r["authorEmail"] for r in rows] == ["mara@example.com", ""]
