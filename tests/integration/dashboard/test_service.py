"""The dashboard's tables: statuses replayed from the audit trail, approvals, overrides, cost."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, timezone

from studio.accounts.service import add_user
from studio.audit.service import record
from studio.dashboard.download import csv_bytes
from studio.dashboard.schemas import Filters
from studio.dashboard.service import dashboard
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import create_draft
from studio.models import Generation, UsageRecord

D0 = date(2026, 11, 2)  # a Monday


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(D0 + timedelta(days=day), time(hour), tzinfo=timezone.utc)


def seed(engine, people):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        a = create_draft(s, Brief.create(content_type="blog", topic="Approved one", tone="witty"), people.marketer)
        b = create_draft(s, Brief.create(content_type="news", topic="Rejected one"), people.marketer)
        for d in (a, b):
            d.created_at = at(0)
            s.add(Generation(draft_id=d.id, provider="openai", model="gpt-4o" if d is a else "llama3.1"))
        record(s, people.marketer, "review.submit", draft_id=a.id, from_status="draft", to_status="in_review", at=at(1))
        record(s, people.editor, "review.approve", draft_id=a.id, from_status="in_review", to_status="approved",
               data={"override_reason": "numbers checked"}, at=at(2, 16))  # fmt: skip
        record(s, people.marketer, "review.submit", draft_id=b.id, from_status="draft", to_status="in_review", at=at(1))
        record(s, people.editor, "review.reject", draft_id=b.id, from_status="in_review", to_status="rejected", at=at(3))
        odd = add_user(s, people.admin, "eve", "correct horse battery", ["marketer"])
        s.add(UsageRecord(created_at=at(1), provider="openai", endpoint="api.openai.com", model="=cmd|' /C calc'!A0",
                          feature="draft", person_id=odd.id, prompt_tokens=10, completion_tokens=5,
                          tokens_source="estimated", cost=0.5, ok=True))  # fmt: skip
        return a.id, b.id


def test_statuses_are_replayed_day_by_day_and_approvals_time_and_overrides_counted(engine, people):
    seed(engine, people)
    with session_scope(engine) as s:
        data = dashboard(s, people.editor, Filters(D0, D0 + timedelta(days=3)))
    by_day = {(r.day, r.status): r.drafts for r in data.drafts_by_status.itertuples()}
    assert by_day[(D0, "Draft")] == 2
    assert by_day[(D0 + timedelta(days=1), "In review")] == 2
    assert by_day[(D0 + timedelta(days=2), "Approved")] == 1 and by_day[(D0 + timedelta(days=2), "In review")] == 1
    assert by_day[(D0 + timedelta(days=3), "Rejected")] == 1
    (week,) = data.approvals.itertuples()
    assert (week.decisions, week.approved, week.approval_rate) == (2, 1, 0.5)
    assert week.median_hours_to_approval == 30.0  # submitted day 1 10:00, approved day 2 16:00
    assert data.overrides["reason"].tolist() == ["numbers checked"]
    assert data.cost["cost_usd"].tolist() == [0.5] and data.cost["estimated_calls"].tolist() == [1]


def test_filters_by_type_voice_and_model(engine, people):
    seed(engine, people)
    with session_scope(engine) as s:
        witty = dashboard(s, people.editor, Filters(D0, D0 + timedelta(days=3), voices=("witty",)))
        news = dashboard(s, people.editor, Filters(D0, D0 + timedelta(days=3), content_types=("news",)))
        llama = dashboard(s, people.editor, Filters(D0, D0 + timedelta(days=3), models=("llama3.1",)))
    assert witty.approvals["approved"].tolist() == [1] and witty.approvals["rejected"].tolist() == [0]
    assert news.approvals["rejected"].tolist() == [1] and news.approvals["approved"].tolist() == [0]
    assert llama.approvals["rejected"].tolist() == [1]
    assert llama.cost.empty  # no call to that model


def test_every_downloaded_cell_that_a_spreadsheet_would_run_is_neutralised(engine, people):
    seed(engine, people)
    with session_scope(engine) as s:
        data = dashboard(s, people.editor, Filters(D0, D0 + timedelta(days=3)))
    raw = csv_bytes(data.cost)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["model"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["cost_usd"] == "0.5" and rows[0]["day"] == "2026-11-03"


def test_the_voice_filter_offers_brand_voices_and_preset_tones(engine, people):
    from studio.voices.service import create_voice
    from tests.support.grounding import BRAND_SAMPLES

    a_id, _ = seed(engine, people)
    with session_scope(engine) as s:
        acme = create_voice(s, people.editor, "Acme", BRAND_SAMPLES, description="Short and warm.")
        branded = create_draft(s, Brief.create(content_type="blog", topic="In the brand voice", tone="witty",
                                               voice_id=acme.id), people.marketer)  # fmt: skip
        branded.created_at = at(0)
    with session_scope(engine) as s:
        data = dashboard(s, people.editor, Filters(D0, D0 + timedelta(days=3)))
        labels = data.options["voices"]
        assert labels[f"brand:{acme.id}"] == "Acme (brand voice)" and labels["witty"] == "Witty (preset tone)"
        in_acme = dashboard(s, people.editor, Filters(D0, D0 + timedelta(days=3), voices=(f"brand:{acme.id}",)))
        witty = dashboard(s, people.editor, Filters(D0, D0 + timedelta(days=3), voices=("witty",)))
    # The brand-voice draft counts under Acme only, not under the preset its brief also named.
    assert in_acme.drafts_by_status.query("day == @D0")["drafts"].sum() == 1
    assert witty.drafts_by_status.query("day == @D0")["drafts"].sum() == 1
    assert witty.approvals["approved"].tolist() == [1] and a_id
