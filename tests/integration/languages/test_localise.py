"""Localising an approved draft: a linked draft in the new language, written natively by the model
(the local server), keeping the voice's fixed terms and glossary and the citation marks, checked
in its own language and reviewed on its own."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from studio.checks.service import latest_report
from studio.claims.service import ledger
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.writer import DraftRun
from studio.errors import PermissionDenied
from studio.languages.localise import LocaliseError, localise
from studio.models import AuditEvent, Draft
from studio.review.service import approve, submit
from studio.sources.service import add_source
from studio.voices.service import create_voice
from tests.support.grounding import BRAND_SAMPLES, FACT_SHEET, cli, point_at

ENGLISH = ("# Plan faster with Acme Planner\n\nAcme Planner 3.0 launched on March 4, 2025 [S1]. Your dashboard "
           "shows every campaign on one page. We built it for busy teams.\n")
GERMAN = ("# Schneller planen mit Acme Planner\n\nAcme Planner 3.0 ist seit dem 4. März 2025 erhältlich [S1]. Ihre "
          "Übersicht zeigt jede Kampagne auf einer Seite. Wir haben es für Teams gebaut, die viel zu tun haben.\n")


def _reply(body: dict) -> str:
    system = body["messages"][0]["content"]
    if "senior brand editor" in system:
        return "Write short, friendly sentences."
    if "You localise marketing content" in system:
        return GERMAN
    if "CMS publishing fields" in system:
        return "{}"
    return ENGLISH


@pytest.fixture
def approved(engine, people, fake_openai, monkeypatch):
    settings = point_at(fake_openai, monkeypatch)
    fake_openai.reply = _reply
    with session_scope(engine) as s:
        create_voice(s, people.editor, "Acme", BRAND_SAMPLES, settings=settings,
                     rules={"keep": ["Acme Planner"], "glossary": {"de": {"dashboard": "Übersicht"}}})  # fmt: skip
        source = add_source(s, people.marketer, data=FACT_SHEET.encode(), filename="facts.md")
    run = DraftRun(Brief.create(content_type="blog", topic="Acme Planner launch", source_ids=[source.id]),
                   people.marketer, engine=engine, settings=settings)  # fmt: skip
    run.run()
    run.wait_for_fields(10)
    draft_id = run.outcome.draft_id
    with session_scope(engine) as s:
        version = submit(s, draft_id, people.marketer, None).version
        acks = [c.id for c in ledger(s, draft_id, people.editor) if c.support != "supported"]
    with session_scope(engine) as s:
        approve(s, draft_id, people.editor, version, manual_review_confirmed=True, acknowledged_claims=acks)
    return draft_id, settings


def test_localising_makes_a_linked_draft_checked_in_the_new_language(engine, people, fake_openai, approved):
    draft_id, settings = approved
    fake_openai.clear_requests()
    done = localise(draft_id, people.marketer, "de", engine=engine, settings=settings)
    asked = fake_openai.chat_requests[0].json["messages"]
    assert "Schreibe den Text direkt auf Deutsch" in asked[0]["content"]
    assert "Never translate these terms" in asked[0]["content"] and "“Acme Planner”" in asked[0]["content"]
    assert "“dashboard” → “Übersicht”" in asked[0]["content"] and "Keep the citation marks" in asked[0]["content"]
    assert ENGLISH.strip() in asked[1]["content"]
    assert done.language == "de" and done.language_detected == "de" and done.language_confidence > 0.5
    assert done.kept_terms == ["Acme Planner"] and done.glossary_used == {"dashboard": "Übersicht"}
    with session_scope(engine) as s:
        new = s.get(Draft, done.draft_id)
        assert (new.language, new.localised_from_id, new.status, new.author_id) == ("de", draft_id, "draft",
                                                                                  people.marketer.id)
        assert new.current_revision.body == GERMAN and new.current_revision.reason == "localised"
        report = latest_report(s, new.current_revision_id)
        status = {b["name"]: (b["status"], b["reason"]) for b in report.backends}
        # Checked in German: no toxicity model covers German here, so a person reviews it.
        assert status["detoxify"][0] == "unavailable" and "not German" in status["detoxify"][1]
        assert status["profanity-check"][0] == "skipped" and status["output-language"][0] == "ran"
        assert status["localisation"][0] == "ran" and report.verdict == "unavailable"
        assert not [f for f in report.findings if f.category in ("language", "voice")]
        # The passages came along, so the German claim is linked to the same source.
        claims = ledger(s, new.id, people.marketer)
        launched = next(c for c in claims if "2025" in c.text)
        assert launched.label == "S1" and launched.support in ("supported", "partly")
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("draft.localised%"))).all()
    assert sorted(actions) == ["draft.localised", "draft.localised_to"]
    # Its own review: submitted and decided like any draft.
    with session_scope(engine) as s:
        assert submit(s, done.draft_id, people.marketer, None).status == "in_review"


def test_a_reply_in_the_wrong_language_or_without_the_fixed_terms_is_flagged(engine, people, fake_openai, approved):
    draft_id, settings = approved
    fake_openai.reply = lambda body: ("# Planifiez plus vite\n\nLe planificateur est disponible depuis le 4 mars 2025. "
                                      "Votre tableau de bord montre chaque campagne sur une seule page.\n")
    done = localise(draft_id, people.marketer, "de", engine=engine, settings=settings)
    assert done.language_detected == "fr"
    with session_scope(engine) as s:
        report = latest_report(s, s.get(Draft, done.draft_id).current_revision_id)
        found = {(f.category, f.label) for f in report.findings}
    assert ("language", "wrong language") in found
    assert ("voice", "term translated") in found and ("voice", "glossary") in found
    assert ("claims", "citation lost") in found


def test_only_approved_drafts_are_localised_by_their_marketers_with_a_model(engine, people, fake_openai, approved,
                                                                           monkeypatch):
    draft_id, settings = approved
    with pytest.raises(PermissionDenied, match="Only marketers can localise"):
        localise(draft_id, people.editor, "de", engine=engine, settings=settings)
    with pytest.raises(LocaliseError, match="already in English"):
        localise(draft_id, people.marketer, "en-GB", engine=engine, settings=settings)
    fresh = DraftRun(Brief.create(content_type="blog", topic="x"), people.marketer, engine=engine, settings=settings)
    fresh.run()
    with pytest.raises(LocaliseError, match="only an approved draft is localised"):
        localise(fresh.outcome.draft_id, people.marketer, "de", engine=engine, settings=settings)
    from studio.config import Settings

    with pytest.raises(LocaliseError, match="demo writer cannot translate"):
        localise(draft_id, people.marketer, "de", engine=engine, settings=Settings(studio_provider="demo"))
    fake_openai.fail_next("500", times=5)
    with pytest.raises(LocaliseError, match="HTTP 500"):
        localise(draft_id, people.marketer, "de", engine=engine, settings=settings)
    with session_scope(engine) as s:
        assert not s.scalars(select(Draft).where(Draft.localised_from_id == draft_id)).all()  # nothing saved


def test_localise_cli_prints_the_new_draft_and_its_detected_language(db_url, people, fake_openai, approved):
    draft_id, _ = approved
    out = cli(db_url, "localise", str(draft_id), "--to", "de", "--as", "mara", "--json",
              OPENAI_BASE_URL=fake_openai.base_url)  # fmt: skip
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert isinstance(result["draft_id"], int) and result["language_detected"] == "de"
    assert result["source_draft_id"] == draft_id and result["language"] == "de"
    bad = cli(db_url, "localise", str(draft_id), "--to", "xx", "--as", "mara")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
