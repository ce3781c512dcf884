"""Every model call is recorded through the one callback, and hard budgets refuse before sending."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.writer import DraftRun
from studio.models import UsageRecord
from studio.usage import context as usage
from studio.usage.service import budget_status, set_budget, set_price, usage_summary
from studio.usage.sink import flush


@pytest.fixture
def model(fake_openai, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    from studio.config import reload_settings

    reload_settings()
    fake_openai.reply_words = 120
    return fake_openai


def records(engine):  # type: ignore[no-untyped-def]
    flush()
    with session_scope(engine) as s:
        return s.scalars(select(UsageRecord).order_by(UsageRecord.id)).all()


def write(engine, who, topic="Usage topic"):  # type: ignore[no-untyped-def]
    with usage.acting(who.id):
        run = DraftRun(Brief.create(content_type="blog", topic=topic), who, engine=engine)
        outcome = run.run()
        run.wait_for_fields(30)
    return outcome


def test_a_draft_records_its_call_with_person_feature_model_and_server_reported_tokens(engine, people, model):
    outcome = write(engine, people.marketer)
    assert outcome.error is None
    rows = records(engine)
    draft = [r for r in rows if r.feature == "draft"]
    assert len(draft) == 1
    r = draft[0]
    sent = model.chat_requests[0]
    assert (r.provider, r.model, r.person_id, r.ok) == ("openai", "fake-gpt", people.marketer.id, True)
    assert r.endpoint == model.base_url.split("//")[1].split("/")[0]
    assert r.tokens_source == "reported"
    assert r.completion_tokens == outcome.usage["completion_tokens"] > 0
    assert r.prompt_tokens == outcome.usage["prompt_tokens"] > 0
    assert r.cost == 0.0  # a local server
    assert sent.stream
    # The publishing-fields proposal that follows is recorded as its own feature, for the same person.
    fields = [r for r in rows if r.feature == "fields"]
    assert fields and all(f.person_id == people.marketer.id for f in fields)


def test_a_server_that_reports_no_usage_gets_estimated_tokens_marked_so(engine, people, model):
    model.fail_next("drop", after_chunks=8, endpoint="chat/completions")
    outcome = write(engine, people.marketer)
    assert outcome.error and outcome.text
    r = [r for r in records(engine) if r.feature == "draft"][0]
    assert r.ok is False and r.tokens_source == "estimated"
    assert r.completion_tokens == pytest.approx(len(outcome.text) / 4, abs=2)
    assert r.prompt_tokens > 0


def test_the_feature_tag_set_by_the_caller_is_recorded(engine, people, model):
    with usage.feature("variant"):
        write(engine, people.marketer)
    assert "variant" in {r.feature for r in records(engine)}


def test_an_admin_price_costs_calls_and_the_summary_groups_them(engine, people, model):
    with session_scope(engine) as s:
        set_price(s, people.admin, "fake-gpt", 2.0, 8.0, any_server=True)
    write(engine, people.marketer)
    r = [r for r in records(engine) if r.feature == "draft"][0]
    assert r.cost == pytest.approx((r.prompt_tokens * 2.0 + r.completion_tokens * 8.0) / 1e6)
    with session_scope(engine) as s:
        by_person = usage_summary(s, people.editor, by="person")
        own = usage_summary(s, people.marketer2, by="model")
    assert [g.key for g in by_person] == ["mara"] and by_person[0].cost > 0
    assert own == []  # a marketer sees only their own usage


def test_a_hard_budget_refuses_the_call_before_it_is_sent_and_says_whose_and_what_is_left(engine, people, model):
    with session_scope(engine) as s:
        set_price(s, people.admin, "fake-gpt", 5000, 5000, any_server=True)
        set_budget(s, people.admin, person="mara", monthly=0.5, hard=True)
    before = len(model.chat_requests)
    outcome = write(engine, people.marketer)
    assert len(model.chat_requests) == before  # nothing went out
    assert outcome.error.startswith("Not sent: Mara Marketer's monthly budget of $0.50 has $0.50 left")
    # Milo has no budget of his own; the workspace's applies to everyone.
    with session_scope(engine) as s:
        set_budget(s, people.admin, person=None, monthly=0.01, hard=True)
    outcome = write(engine, people.marketer2)
    assert outcome.error.startswith("Not sent: The workspace's monthly budget of $0.01")
    assert len(model.chat_requests) == before


def test_a_soft_budget_warns_but_lets_calls_go(engine, people, model):
    with session_scope(engine) as s:
        set_price(s, people.admin, "fake-gpt", 5000, 5000, any_server=True)
        set_budget(s, people.admin, person="mara", monthly=0.01, hard=False)
    outcome = write(engine, people.marketer)
    assert outcome.error is None
    flush()
    with session_scope(engine) as s:
        status = budget_status(s, people.marketer)
    assert status.warnings and "soft budget" in status.warnings[0] and "Mara Marketer's" in status.warnings[0]


def test_the_moderation_client_is_recorded_too(engine, people, model, monkeypatch):
    monkeypatch.setenv("STUDIO_OPENAI_MODERATION", "true")
    from studio.checks.toxicity import make_openai_client
    from studio.config import reload_settings

    settings = reload_settings()
    client = make_openai_client(settings)
    with usage.acting(people.marketer.id):
        client.moderations.create(model="omni-moderation-latest", input=["hello there", "flagme please"])
    r = [r for r in records(engine) if r.feature == "moderation"]
    assert len(r) == 1 and r[0].person_id == people.marketer.id and r[0].ok and r[0].tokens_source == "estimated"
    assert r[0].cost == 0.0


def test_embedding_calls_are_recorded_for_the_person_who_added_or_searched(engine, people, model, monkeypatch):
    from studio.config import reload_settings
    from studio.sources.service import add_source, search_passages

    monkeypatch.setenv("STUDIO_EMBEDDINGS_MODEL", "text-embedding-3-small")
    settings = reload_settings()
    with session_scope(engine) as s:  # a local server costs nothing unless an admin prices the model
        set_price(s, people.admin, "text-embedding-3-small", 0.02, 0, any_server=True)
    with usage.acting(people.marketer.id), session_scope(engine) as s:
        add_source(s, people.marketer, text="The new automobile line is affordable for families. " * 20,
                   title="Cars", settings=settings)  # fmt: skip
    with usage.acting(people.editor.id), session_scope(engine) as s:
        assert search_passages(s, people.editor, "affordable automobile", settings=settings)
    rows = [r for r in records(engine) if r.feature == "embeddings"]
    assert [r.person_id for r in rows] == [people.marketer.id, people.editor.id]
    sent = model.embedding_requests
    assert len(sent) == 2 and all(r.ok and r.model == "text-embedding-3-small" for r in rows)
    # The server's own token count, at the admin's price.
    assert all(r.tokens_source == "reported" and r.prompt_tokens > 0 for r in rows)
    assert rows[0].prompt_tokens > rows[1].prompt_tokens  # a whole source against a short query
    assert rows[0].cost == pytest.approx(rows[0].prompt_tokens * 0.02 / 1_000_000)
    with session_scope(engine) as s:
        by_feature = {g.key: g.calls for g in usage_summary(s, people.admin, by="feature")}
    assert by_feature["embeddings"] == 2  # the usage page labels it "Source search (embeddings)"
