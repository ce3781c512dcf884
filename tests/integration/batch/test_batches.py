"""Batches row by row, in process: each row's own brief, retries, failures that stay in their
row, budgets, cancel, retry, auto-submit, and the publish date reaching the export.

The queue's job (`jobs.run_row`) is called directly here; the tests with real worker processes
are in test_worker_crash.py and test_shared_limit.py.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from huey.exceptions import RetryTask
from sqlalchemy import select, update

from studio.batch import jobs, service
from studio.batch.sheet import read_table, suggest_mapping, validate
from studio.db import session_scope
from studio.export.service import preview_export
from studio.models import BatchAttempt, BatchRow, Draft
from studio.review.service import transition
from studio.usage.sink import flush
from tests.integration.batch.conftest import article_or_fields, csv_of


@pytest.fixture
def model_server(fake_openai, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    from studio.config import reload_settings

    reload_settings()
    fake_openai.reply = article_or_fields(120)
    return fake_openai


def submit(engine, who, rows, **options):  # type: ignore[no-untyped-def]
    table = read_table(csv_of(rows), "plan.csv")
    checked = validate(table, suggest_mapping(table.columns))
    with session_scope(engine) as s:
        done = service.submit(s, who, checked.good, filename="plan.csv", rejected=checked.rejected, **options)
    return done


def row_ids(engine, batch_id):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return list(s.scalars(select(BatchRow.id).where(BatchRow.batch_id == batch_id).order_by(BatchRow.number)))


def rows_of(engine, batch_id):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return {r.number: r for r in s.scalars(select(BatchRow).where(BatchRow.batch_id == batch_id))}


def run(row_id):  # type: ignore[no-untyped-def]
    """One job; a RetryTask comes back as its delay."""
    try:
        jobs.run_row(row_id)
    except RetryTask as retry:
        return retry.delay
    return None


def due_now(engine, row_id):  # type: ignore[no-untyped-def]
    """As if the retry delay had passed (its cool-down included)."""
    from studio.models import ProviderSlot

    with session_scope(engine) as s:
        s.execute(update(BatchRow).where(BatchRow.id == row_id).values(not_before=None))
        s.execute(update(ProviderSlot).values(cooldown_until=None))


def test_each_row_keeps_its_own_voice_temperature_length_and_publish_date(engine, people, model_server):
    rows = [
        {"type": "blog", "topic": "Spring planning for small teams", "voice": "witty", "temperature": "0.2",
         "words": "300", "publish_date": "2026-12-01"},
        {"type": "news", "topic": "Three integrations ship today", "voice": "professional", "temperature": "1.3",
         "words": "500", "publish_date": "2026-12-03 14:30"},
    ]  # fmt: skip
    done = submit(engine, people.marketer, rows)
    assert done.rows == 2 and done.rejected == []
    for rid in row_ids(engine, done.batch_id):
        assert run(rid) is None
    flush()
    got = rows_of(engine, done.batch_id)
    assert [got[2].state, got[3].state] == ["done", "done"]
    sent = [r.body for r in model_server.chat_requests if r.stream]
    assert sorted(b["temperature"] for b in sent) == [0.2, 1.3]
    with session_scope(engine) as s:
        first, second = s.get(Draft, got[2].draft_id), s.get(Draft, got[3].draft_id)
        assert (first.tone, first.temperature, first.target_words) == ("witty", 0.2, 300)
        assert (second.tone, second.content_type, second.target_words) == ("professional", "news", 500)
        assert first.publish_date == datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
        assert second.publish_date == datetime(2026, 12, 3, 14, 30, tzinfo=timezone.utc)
        for draft in (first, second):
            assert draft.current_revision.reason == "generated" and draft.check_verdict is not None
            transition(s, draft.id, people.marketer, "submit", expected_version=None)
            transition(s, draft.id, people.editor, "approve", expected_version=None, manual_review_confirmed=True,
                       override_reason="checked by hand")  # fmt: skip
    with session_scope(engine) as s:
        wp = preview_export(s, people.editor, [got[2].draft_id, got[3].draft_id], "wordpress")
        hs = preview_export(s, people.editor, [got[2].draft_id, got[3].draft_id], "hubspot")
    assert not wp.problems and not hs.problems
    assert sorted(r["post_date"] for r in wp.rows) == ["2026-12-01 09:00:00", "2026-12-03 14:30:00"]
    assert sorted(r["publishDate"][:16] for r in hs.rows) == ["2026-12-01T09:00", "2026-12-03T14:30"]


def test_a_rate_limited_row_waits_for_retry_after_and_is_written_once_it_has_passed(engine, people, model_server):
    done = submit(engine, people.marketer, [{"topic": "Rate limited topic"}, {"topic": "Second topic here"}])
    first, second = row_ids(engine, done.batch_id)
    model_server.fail_next("429", retry_after=7, endpoint="chat/completions")
    assert run(first) == pytest.approx(7.0)
    r = rows_of(engine, done.batch_id)[2]
    assert r.state == "queued" and "Trying again in 7 s" in r.error and "limiting requests" in r.error
    assert r.not_before is not None
    # The provider asked everyone to wait: the second row is not started before it either.
    assert run(second) >= 1.0
    assert rows_of(engine, done.batch_id)[3].state == "queued"
    due_now(engine, first)
    assert run(first) is None and run(second) is None
    got = rows_of(engine, done.batch_id)
    assert got[2].state == got[3].state == "done"
    with session_scope(engine) as s:
        attempts = s.scalars(select(BatchAttempt).where(BatchAttempt.row_id == first).order_by(BatchAttempt.number)).all()
        assert [a.outcome for a in attempts] == ["retrying", "done"]
        assert attempts[0].retry_after_s == pytest.approx(7.0)


def test_one_rows_failure_never_stops_the_others(engine, people, model_server):
    done = submit(engine, people.marketer, [{"topic": f"Topic {i} of the plan"} for i in range(3)])
    ids = row_ids(engine, done.batch_id)
    model_server.fail_next("401", endpoint="chat/completions")  # a refused key is not retried
    assert [run(i) for i in ids] == [None, None, None]
    got = rows_of(engine, done.batch_id)
    assert got[2].state == "failed" and "rejected the API key" in got[2].error
    assert got[3].state == got[4].state == "done"
    with session_scope(engine) as s:
        assert service.view(s, people.marketer, done.batch_id).status == "finished"


def test_a_row_cut_off_mid_stream_is_written_again_and_keeps_its_partial_text(engine, people, model_server):
    done = submit(engine, people.marketer, [{"topic": "Dropped stream topic"}])
    (rid,) = row_ids(engine, done.batch_id)
    model_server.fail_next("drop", after_chunks=6, endpoint="chat/completions")
    assert run(rid) > 0
    due_now(engine, rid)
    assert run(rid) is None
    with session_scope(engine) as s:
        attempts = s.scalars(select(BatchAttempt).where(BatchAttempt.row_id == rid).order_by(BatchAttempt.number)).all()
        row = s.get(BatchRow, rid)
        draft = s.get(Draft, row.draft_id)
        assert [a.outcome for a in attempts] == ["retrying", "done"]
        assert len(attempts[0].partial_text) > 20 and "dropped" in attempts[0].error
        assert row.state == "done" and not draft.incomplete and draft.current_revision.reason == "generated"
        assert [r.reason for r in draft.revisions] == ["partial", "generated"]  # one draft, its history kept


def test_retries_end_with_the_reason_after_the_attempt_limit(engine, people, model_server, monkeypatch):
    monkeypatch.setenv("STUDIO_BATCH_MAX_ATTEMPTS", "2")
    from studio.config import reload_settings

    reload_settings()
    done = submit(engine, people.marketer, [{"topic": "Always failing topic"}])
    (rid,) = row_ids(engine, done.batch_id)
    model_server.fail_next("500", times=2, endpoint="chat/completions")
    assert run(rid) > 0
    due_now(engine, rid)
    assert run(rid) is None
    row = rows_of(engine, done.batch_id)[2]
    assert row.state == "failed" and "HTTP 500" in row.error and "gave up after 2 attempts" in row.error
    # Retry failed rows: the row runs again and is written into the same draft.
    with session_scope(engine) as s:
        again = service.retry_failed(s, people.marketer, done.batch_id)
    assert again == [rid]
    assert run(rid) is None
    row2 = rows_of(engine, done.batch_id)[2]
    assert row2.state == "done" and row2.draft_id == row.draft_id


def test_cancel_stops_rows_that_have_not_started(engine, people, model_server):
    done = submit(engine, people.marketer, [{"topic": f"Cancelled topic {i}"} for i in range(3)])
    ids = row_ids(engine, done.batch_id)
    assert run(ids[0]) is None
    with session_scope(engine) as s:
        assert service.cancel(s, people.marketer, done.batch_id) == 2
    assert [run(i) for i in ids[1:]] == [None, None]
    got = rows_of(engine, done.batch_id)
    assert [got[n].state for n in (2, 3, 4)] == ["done", "cancelled", "cancelled"]
    assert len(model_server.chat_requests) >= 1 and all("Cancelled topic 0" in str(r.body) or "Propose" in str(r.body)
                                                        for r in model_server.chat_requests)


def test_auto_submit_sends_each_written_draft_to_review(engine, people, model_server):
    done = submit(engine, people.marketer, [{"topic": "Auto submitted topic"}], auto_submit=True)
    (rid,) = row_ids(engine, done.batch_id)
    assert run(rid) is None
    with session_scope(engine) as s:
        draft = s.get(Draft, rows_of(engine, done.batch_id)[2].draft_id)
        assert draft.status == "in_review" and draft.submitted_at is not None


def test_a_hard_budget_stops_new_rows_and_says_whose_budget_and_what_is_left(engine, people, model_server):
    from studio.usage.service import set_budget, set_price

    with session_scope(engine) as s:
        set_price(s, people.admin, "fake-gpt", 1000, 1000, any_server=True)  # expensive, to reach the budget fast
    done = submit(engine, people.marketer, [{"topic": f"Budget topic {i}", "words": "100"} for i in range(3)])
    assert done.estimated_cost and done.estimated_cost > 0
    one_row = done.estimated_cost / 3
    with session_scope(engine) as s:
        set_budget(s, people.admin, person="mara", monthly=one_row * 1.5, hard=True)
    ids = row_ids(engine, done.batch_id)
    assert run(ids[0]) is None
    flush()
    assert [run(i) for i in ids[1:]] == [None, None]
    got = rows_of(engine, done.batch_id)
    assert got[2].state == "done"
    for n in (3, 4):
        assert got[n].state == "failed"
        assert got[n].error.startswith("Not started: Mara Marketer's monthly budget of $")
        assert "left" in got[n].error
    assert got[3].draft_id is None  # nothing was created or sent for them
