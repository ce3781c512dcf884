"""The checks (which load and run a model) never run while a write transaction is open: a new
revision is checked once its transaction has committed and the report is stored in a short one;
submitting checks the text first, then takes the draft. On SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select, text

from studio.checks import service as checks_service
from studio.db import get_engine, session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft, edit_text
from studio.models import CheckReport, Draft
from studio.review.service import submit


@pytest.fixture
def watched(engine, db_url, monkeypatch):  # type: ignore[no-untyped-def]
    """Every run of the pipeline notes whether some transaction held the database meanwhile."""
    seen: list[bool] = []
    real = checks_service.check_text

    def held() -> bool:
        if engine.dialect.name == "sqlite":
            probe = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True
            finally:
                probe.close()
        with get_engine(db_url).connect() as conn:  # another connection, outside any transaction
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
            )).scalar())

    def watching(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(held())
        return real(*args, **kwargs)

    # Every check of a draft's text runs through it (checks.service.draft_checks(...).run).
    monkeypatch.setattr(checks_service, "check_text", watching)
    return seen


def test_a_new_revision_is_checked_after_its_transaction_commits(engine, people, watched):
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Checked later"), people.marketer)
        add_revision(s, d, "# Checked later\n\nOur guaranteed results speak for themselves.\n", people.marketer, "edited")
        s.flush()
        draft_id, version = d.id, d.version
        assert watched == []  # not while this transaction is open
    assert watched == [False]
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        report = s.scalars(select(CheckReport).where(CheckReport.revision_id == draft.current_revision_id)).one()
        assert report.verdict == draft.check_verdict == "warn"  # the claim
        assert any(f.category == "claims" for f in report.findings)
        assert draft.version == version  # storing the report is not a change anyone made


def test_an_edit_and_a_submit_run_their_checks_with_no_transaction_open(engine, people, watched):
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Edited"), people.marketer)
        add_revision(s, d, "# Edited\n\nA first text.\n", people.marketer, "edited", run_checks=False)
        draft_id, version = d.id, d.version
    with session_scope(engine) as s:
        version = edit_text(s, draft_id, people.marketer, "# Edited\n\nA second, better text.\n", version).draft.version
    with session_scope(engine) as s:
        draft = submit(s, draft_id, people.marketer, version)
        assert draft.status == "in_review" and draft.check_verdict is not None
    assert watched == [False, False]


def test_a_change_made_while_the_submit_was_checking_is_refused(engine, people, monkeypatch):
    from studio.errors import VersionConflict

    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Raced"), people.marketer)
        add_revision(s, d, "# Raced\n\nText.\n", people.marketer, "edited", run_checks=False)
        draft_id, version = d.id, d.version
    real = checks_service.check_text
    edited: list[bool] = []

    def meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not edited:  # the submit's check (the edit's own check, after its commit, runs as usual)
            edited.append(True)
            with session_scope(engine) as other:
                edit_text(other, draft_id, people.marketer, "# Raced\n\nChanged meanwhile.\n", version)
        return real(*args, **kwargs)

    monkeypatch.setattr(checks_service, "check_text", meanwhile)
    with pytest.raises(VersionConflict, match="edited this"), session_scope(engine) as s:
        submit(s, draft_id, people.marketer, version)
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).status == "draft"


def test_a_grounded_generation_checks_its_text_and_builds_the_claim_ledger_with_no_transaction_open(
    engine, people, fake_openai, monkeypatch, watched
):
    from studio.claims.service import ledger
    from studio.drafting.writer import DraftRun
    from studio.sources.service import add_source
    from tests.support.grounding import FACT_SHEET, point_at

    settings = point_at(fake_openai, monkeypatch)
    with session_scope(engine) as s:
        source_id = add_source(s, people.marketer, data=FACT_SHEET.encode(), filename="facts.md").id
    fake_openai.reply = ("# Planning, faster\n\nAcme Planner 3.0 launched on March 4, 2025 [S1]. "
                         "It is the fastest planner on the market.\n")
    run = DraftRun(Brief.create(content_type="blog", topic="Acme Planner", source_ids=[source_id]),
                   people.marketer, engine=engine, settings=settings)  # fmt: skip
    run.run()
    run.wait_for_fields(10)
    assert watched == [False]  # one check, once the last save had committed
    with session_scope(engine) as s:
        draft = s.get(Draft, run.outcome.draft_id)
        assert draft.check_verdict is not None
        claims = {c.text.split(" [")[0].rstrip("."): c.support for c in ledger(s, draft.id, people.editor)}
    assert claims == {"Acme Planner 3.0 launched on March 4, 2025": "supported",
                      "It is the fastest planner on the market": "unsupported"}  # fmt: skip


def test_a_publishing_field_change_is_checked_with_no_transaction_open(engine, people, watched):
    from studio.publishing.service import update_publishing

    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Fields"), people.marketer)
        add_revision(s, d, "# Fields\n\nA plain text.\n", people.marketer, "edited", run_checks=False)
        draft_id, version = d.id, d.version
    with session_scope(engine) as s:
        update_publishing(s, draft_id, people.marketer, {"excerpt": "We guarantee results."}, version)
        assert watched == []  # not while the save's transaction is open
    assert watched == [False]
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        report = s.scalars(select(CheckReport).where(CheckReport.revision_id == draft.current_revision_id)).one()
        assert [(f.field, f.category) for f in report.findings if f.category == "claims"] == [("excerpt", "claims")]
