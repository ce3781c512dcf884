"""AppTest: the Batches list, the Calendar, the Dashboard and Usage & budgets pages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studio.batch import service as batches
from studio.batch.sheet import read_table, suggest_mapping, validate
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft
from studio.models import UsageRecord
from studio.review.service import transition

TIMEOUT = 60
ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def page_as(user, page: str) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["studio_user_id"] = user.id
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    elements = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error, *at.text, *at.subheader]
    return "\n".join(str(e.value) for e in elements)


def frame_with(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    return next(d.value for d in at.dataframe if column in d.value.columns)


def draft(engine, author, topic, *, status="draft", publish=None):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic=topic), author)
        add_revision(s, d, f"# {topic}\n\nBody text for {topic}.\n", author, "generated")
        d.publish_date = publish
        s.flush()
        draft_id = d.id
    if status in ("in_review", "approved"):
        with session_scope(engine) as s:
            transition(s, draft_id, author, "submit", expected_version=None)
    return draft_id


def test_the_calendar_shows_each_piece_in_its_week_and_day_with_its_stage(engine, people):
    monday = date.today() - timedelta(days=date.today().weekday())
    wednesday = datetime.combine(monday + timedelta(days=2), time(9), tzinfo=timezone.utc)
    draft(engine, people.marketer, "Planned piece", publish=wednesday)
    draft(engine, people.marketer, "Piece in review", status="in_review", publish=wednesday + timedelta(days=7))
    draft(engine, people.marketer2, "Somebody else's piece", publish=wednesday)
    at = page_as(people.marketer, "calendar")
    shown = texts(at)
    assert f"Week of {monday:%d %b %Y}" in shown and "Planned 1" in shown and "In review 1" in shown
    assert "Planned piece" in shown and "Piece in review" in shown
    assert "Somebody else" not in shown  # a marketer's calendar is their own
    at = page_as(people.editor, "calendar")
    assert "Somebody else" in texts(at)


def test_the_dashboard_charts_every_section_and_offers_each_tables_csv(engine, people):
    first = draft(engine, people.marketer, "Reviewed piece", status="in_review")
    with session_scope(engine) as s:
        transition(s, first, people.editor, "approve", expected_version=None, manual_review_confirmed=True,
                   override_reason="read it")  # fmt: skip
        s.add(UsageRecord(provider="openai", endpoint="api.openai.com", model="gpt-4o-mini", feature="draft",
                          person_id=people.marketer.id, prompt_tokens=1000, completion_tokens=800,
                          tokens_source="reported", cost=0.00063, ok=True))  # fmt: skip
    at = page_as(people.editor, "dashboard")
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 5, texts(at)  # status, approvals, findings, cost per day/person/model
    labels = [b.proto.label for b in at.get("download_button")]
    assert len(labels) == 6 and all(label.startswith("Download the data (CSV") for label in labels)
    assert "$0.0006 for 1 model call(s)" in texts(at)


def test_people_without_the_dashboard_permission_do_not_get_it(engine, people):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["studio_user_id"] = people.marketer.id
    at.run()
    with pytest.raises(Exception):  # noqa: B017 - the router has no such page for a marketer
        at.switch_page("pages/dashboard.py").run()
        assert "Dashboard" not in [t.value for t in at.title]
        raise AssertionError("no page")


def test_your_batches_shows_progress_and_cancel_stops_the_queued_rows(engine, people):
    table = read_table(b"topic\nFirst planned topic\nSecond planned topic\n", "plan.csv")
    with session_scope(engine) as s:
        done = batches.submit(s, people.marketer, validate(table, suggest_mapping(table.columns)).good)
    at = page_as(people.marketer, "batches")
    assert "No worker is running" in texts(at)
    assert "0 of 2 rows ended" in str([p.proto.text for p in at.get("progress")])
    next(b for b in at.button if b.label == "Cancel batch").click().run()
    assert not at.exception, at.exception
    assert f"Batch {done.batch_id} cancelled." in texts(at)
    assert "2 of 2 rows ended" in str([p.proto.text for p in at.get("progress")])
    assert any(b.label == "Retry failed rows" for b in at.button)


def test_an_admin_sets_a_budget_and_a_price_on_the_usage_page(engine, people):
    at = page_as(people.admin, "usage")
    at.selectbox[0].set_value("mara")
    at.number_input[0].set_value(12.5)
    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Save budget").click().run()
    assert not at.exception, at.exception
    assert "Budget saved." in texts(at)
    budgets = frame_with(at, "For")
    assert budgets["For"].tolist() == ["Mara Marketer"] and budgets["Kind"].tolist() == ["hard (refuses calls)"]
    at.text_input[0].set_value("llama3.1")
    at.number_input[1].set_value(0.2)
    at.number_input[2].set_value(0.4)
    next(b for b in at.button if b.label == "Save price").click().run()
    prices = frame_with(at, "Model")
    row = prices[prices["Model"] == "llama3.1"]
    assert row["Source"].tolist() == ["set by an admin"] and row["Input"].tolist() == [0.2]


def test_a_person_past_most_of_a_soft_budget_is_warned_on_every_page(engine, people):
    from studio.usage.service import set_budget

    with session_scope(engine) as s:
        set_budget(s, people.admin, person="mara", monthly=1.0, hard=False)
        s.add(UsageRecord(provider="openai", endpoint="api.openai.com", model="gpt-4o", feature="draft",
                          person_id=people.marketer.id, prompt_tokens=1, completion_tokens=1,
                          tokens_source="reported", cost=0.9, ok=True))  # fmt: skip
    for page in ("calendar", "batches"):
        at = page_as(people.marketer, page)
        warnings = [w.value for w in at.sidebar.warning]
        # The Markdown source: the dollar signs escaped, or "$0.10 of $" would be set as maths.
        assert warnings == [r"Mara Marketer's monthly budget is 90% used: \$0.10 of \$1.00 left."], warnings
    assert not [w.value for w in page_as(people.marketer2, "calendar").sidebar.warning]
