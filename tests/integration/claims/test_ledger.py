"""The claim ledger: built with a revision's checks, linked to the draft's passages, listed for
review, and settled at approval (each claim not fully supported acknowledged; for news, an
unsupported quote or figure blocks)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from studio.claims.service import ClaimsNotAcknowledged, ledger
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.writer import DraftRun
from studio.models import AuditEvent, Draft
from studio.checks.service import latest_report
from studio.review.service import ReviewError, approve, submit
from studio.sources.service import add_source
from tests.support.grounding import FACT_SHEET, cli, point_at

TEXT = """# Planning, faster

Acme Planner 3.0 launched on March 4, 2025 [S1]. In a 2024 pilot with 120 customers, teams cut planning time
by 40% [S1]. It is the fastest planner on the market. Revenue doubled to 30 million euros last year.
"""


def _draft(engine, people, fake_openai, monkeypatch, *, text=TEXT, content_type="blog", with_source=True):
    settings = point_at(fake_openai, monkeypatch)
    ids = []
    if with_source:
        with session_scope(engine) as s:
            ids = [add_source(s, people.marketer, data=FACT_SHEET.encode(), filename="facts.md").id]
    fake_openai.reply = text
    run = DraftRun(Brief.create(content_type=content_type, topic="Acme Planner planning time", source_ids=ids),
                   people.marketer, engine=engine, settings=settings)  # fmt: skip
    run.run()
    run.wait_for_fields(10)
    with session_scope(engine) as s:
        draft = submit(s, run.outcome.draft_id, people.marketer, None)
        return draft.id, draft.version, ids


def test_claims_are_linked_to_the_passage_that_supports_them_or_marked_unsupported(engine, people, fake_openai,
                                                                                  monkeypatch):
    draft_id, _, (source_id,) = _draft(engine, people, fake_openai, monkeypatch)
    with session_scope(engine) as s:
        claims = ledger(s, draft_id, people.editor)
    by_text = {c.text.split(" [")[0].rstrip("."): c for c in claims}
    launched = by_text["Acme Planner 3.0 launched on March 4, 2025"]
    assert (launched.support, launched.label, launched.source_id) == ("supported", "S1", source_id)
    assert "launched on March 4, 2025" in launched.passage
    pilot = next(c for c in claims if "pilot" in c.text)
    assert pilot.support == "supported" and pilot.kind == "percentage"
    fastest = next(c for c in claims if "fastest" in c.text)
    assert fastest.support == "unsupported" and fastest.kind == "superlative" and fastest.source_id is None
    revenue = next(c for c in claims if "Revenue" in c.text)
    assert revenue.support == "unsupported" and revenue.kind == "figure"
    assert all(c.start < c.end and c.text for c in claims)


def test_approving_needs_each_unsupported_claim_acknowledged_and_records_them(engine, people, fake_openai,
                                                                            monkeypatch):
    draft_id, version, _ = _draft(engine, people, fake_openai, monkeypatch)
    with session_scope(engine) as s:
        open_ids = [c.id for c in ledger(s, draft_id, people.editor) if c.support != "supported"]
    assert len(open_ids) == 2
    with pytest.raises(ClaimsNotAcknowledged, match=r"2 claims in this draft are not fully supported.*fastest planner"):
        with session_scope(engine) as s:
            approve(s, draft_id, people.editor, version, manual_review_confirmed=True)
    with pytest.raises(ClaimsNotAcknowledged, match="1 claim in this draft is not fully supported"):
        with session_scope(engine) as s:
            approve(s, draft_id, people.editor, version, manual_review_confirmed=True, acknowledged_claims=open_ids[:1])
    with session_scope(engine) as s:
        # The superlative also warns as a claim: "Claims checked" is ticked with the ledger's claims.
        draft = approve(s, draft_id, people.editor, version, manual_review_confirmed=True,
                        acknowledged=["claims"], acknowledged_claims=open_ids)  # fmt: skip
        assert draft.status == "approved"
    with session_scope(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "review.approve")).one()
    recorded = event.data["claims_acknowledged"]
    assert [c["id"] for c in recorded] == open_ids and {c["support"] for c in recorded} == {"unsupported"}
    assert any("fastest planner" in c["text"] for c in recorded)


def test_news_with_an_unsupported_quote_or_figure_is_blocked(engine, people, fake_openai, monkeypatch):
    text = ("# Acme opens in Lisbon\n\n\"This is our biggest step yet,\" said CEO Tom Berg on Monday. The office will "
            "employ 250 people.\n")  # fmt: skip
    draft_id, version, _ = _draft(engine, people, fake_openai, monkeypatch, text=text, content_type="news")
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        report = latest_report(s, draft.current_revision_id)
        blocks = [(f.label, f.severity) for f in report.findings if f.category == "claims" and f.severity == "block"]
        open_ids = [c.id for c in ledger(s, draft_id, people.editor) if c.support != "supported"]
        verdict = report.verdict
    assert verdict == "block"
    assert ("unsourced quote", "block") in blocks and ("unsourced figure", "block") in blocks
    with pytest.raises(ReviewError, match="The checks blocked this draft"):
        with session_scope(engine) as s:
            approve(s, draft_id, people.editor, version, acknowledged_claims=open_ids)
    # A blog post with the same text is not blocked: its claims are settled at approval.
    draft_id, _, _ = _draft(engine, people, fake_openai, monkeypatch, text=text, content_type="blog")
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).check_verdict != "block"


def test_needs_source_marks_are_findings_and_claims(engine, people, fake_openai, monkeypatch):
    text = "# Council news\n\nThe council changed the parking rules on [NEEDS SOURCE].\n"
    draft_id, _, _ = _draft(engine, people, fake_openai, monkeypatch, text=text, content_type="news",
                            with_source=False)  # fmt: skip
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        report = latest_report(s, draft.current_revision_id)
        claims = ledger(s, draft_id, people.editor)
        marks = [(f.label, f.text, f.severity) for f in report.findings if f.rule == "claims.needs_source"]
    assert marks == [("needs source", "[NEEDS SOURCE]", "warn")]
    assert [(c.kind, c.support) for c in claims] == [("needs-source", "unsupported")]


def test_claims_cli_prints_the_contract(db_url, people, fake_openai, monkeypatch, engine):
    draft_id, _, (source_id,) = _draft(engine, people, fake_openai, monkeypatch)
    out = cli(db_url, "claims", str(draft_id), "--json", "--as", "dana")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows and all({"text", "start", "end", "kind", "supported", "source_id", "passage"} <= set(r) for r in rows)
    supported = [r for r in rows if r["supported"]]
    assert supported and all(r["source_id"] == source_id and r["passage"] for r in supported)
    assert any(r["supported"] is False and r["source_id"] is None and r["passage"] is None for r in rows)
    # The ids approve with: review approve --ack-claim ID (one per claim).
    open_ids = [str(r["id"]) for r in rows if not r["supported"]]
    refused = cli(db_url, "review", "approve", str(draft_id), "--as", "dana", "--manual-review")
    assert refused.returncode == 1 and "acknowledge each one" in refused.stderr
    acks = [x for i in open_ids for x in ("--ack-claim", i)]
    done = cli(db_url, "review", "approve", str(draft_id), "--as", "dana", "--manual-review", "--acknowledge", "claims",
               *acks)  # fmt: skip
    assert done.returncode == 0, done.stderr
