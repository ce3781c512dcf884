"""AppTest: the Brand voices and Sources pages, the New draft page's voice and source pickers, and
the review's claim acknowledgements, as a person uses them."""

from __future__ import annotations

from sqlalchemy import select

from studio.claims.service import ledger
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import edit_text
from studio.drafting.writer import DraftRun
from studio.models import AuditEvent, BrandVoice, Draft, Source
from studio.review.service import submit
from studio.sources.service import add_source
from studio.voices.service import create_voice
from tests.integration.drafting.test_app_drafting import all_text, signed_in
from tests.support.grounding import BRAND_SAMPLES, FACT_SHEET


def _button(at, label):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def test_an_editor_makes_a_voice_from_pasted_samples(engine, people):
    at = signed_in(people.editor, "pages/voices.py")
    at.text_input(key="voice_new_name").input("Acme")
    at.text_area(key="voice_new_pasted").input("\n---\n".join(s.text for s in BRAND_SAMPLES))
    at.text_area(key="voice_new_prefer").input("users -> customers")
    _button(at, "Measure and describe").click().run()
    assert not at.exception, at.exception
    assert "Made the voice “Acme”" in all_text(at) and "demo writer" in all_text(at)
    with session_scope(engine) as s:
        voice = s.scalars(select(BrandVoice)).one()
        assert voice.rules["prefer"] == {"users": "customers"} and voice.is_default
    assert any(a.value and "Write " in a.value for a in at.text_area)  # the description, editable


def test_bad_samples_are_refused_in_words_and_the_input_is_kept(engine, people):
    at = signed_in(people.editor, "pages/voices.py")
    at.text_input(key="voice_new_name").input("Acme")
    at.text_area(key="voice_new_pasted").input(BRAND_SAMPLES[0].text)
    _button(at, "Measure and describe").click().run()
    assert any("3 to 10 samples; 1 given" in str(e.value) for e in at.error)
    assert at.text_input(key="voice_new_name").value == "Acme"
    with session_scope(engine) as s:
        assert s.scalars(select(BrandVoice)).all() == []


def test_a_marketer_uses_voices_but_cannot_make_them(engine, people):
    with session_scope(engine) as s:
        create_voice(s, people.editor, "Acme", BRAND_SAMPLES)
    at = signed_in(people.marketer, "pages/voices.py")
    assert "Editors and admins make and edit voices" in all_text(at)
    assert not [b for b in at.button if b.label == "Measure and describe"]


def test_sources_page_adds_pasted_text_and_refuses_a_loopback_url(engine, people):
    at = signed_in(people.marketer, "pages/sources.py")
    at.text_input(key="source_url_value").input("http://127.0.0.1:8080/secret")
    _button(at, "Fetch and add").click().run()
    assert any("loopback" in str(e.value) for e in at.error)
    assert at.text_input(key="source_url_value").value == "http://127.0.0.1:8080/secret"
    at.text_area(key="source_paste_text").input(FACT_SHEET)
    _button(at, "Add the text").click().run()
    assert not at.exception, at.exception
    assert "Added source #" in all_text(at)
    assert any("Acme Planner 3.0 launched on March 4, 2025." in str(t.value) for t in at.text)  # the extracted text
    with session_scope(engine) as s:
        assert s.scalars(select(Source.title)).all() == ["Acme Planner 3.0 fact sheet"]


def test_new_draft_picks_the_default_voice_and_sources(engine, people):
    with session_scope(engine) as s:
        voice = create_voice(s, people.editor, "Acme", BRAND_SAMPLES)
        source = add_source(s, people.marketer, data=FACT_SHEET.encode(), filename="facts.md")
    at = signed_in(people.marketer)
    assert at.selectbox(key="brief_voice").value == voice.id
    at.text_area(key="brief_topic").input("Acme Planner 3.0 launch and planning time")
    at.multiselect(key="brief_sources").select(source.id)
    _button(at, "Generate").click().run()
    assert not at.exception, at.exception
    assert "Voice match" in all_text(at) and "Cites: S1 Acme Planner 3.0 fact sheet" in all_text(at)
    with session_scope(engine) as s:
        draft = s.scalars(select(Draft)).one()
        assert (draft.voice_id, draft.voice_version, draft.source_ids) == (voice.id, 1, [source.id])
        assert "[S1]" in draft.current_revision.body


def test_the_editor_acknowledges_each_unsupported_claim_in_the_review_tab(engine, people):
    run = DraftRun(Brief.create(content_type="blog", topic="Spring planning", keywords="planning"), people.marketer,
                   engine=engine)  # fmt: skip
    run.run()
    with session_scope(engine) as s:
        edit_text(s, run.outcome.draft_id, people.marketer,
                  "# Spring\n\nOur planner is the fastest on the market. Teams save 12 hours a week.\n", None)
    with session_scope(engine) as s:
        submit(s, run.outcome.draft_id, people.marketer, None)
        open_ids = [c.id for c in ledger(s, run.outcome.draft_id, people.editor) if c.support != "supported"]
    at = signed_in(people.editor, "pages/review_queue.py")
    assert not at.exception, at.exception
    boxes = [c for c in at.checkbox if c.key and c.key.startswith("ack_claim_")]
    assert len(boxes) == len(open_ids) == 2
    for box in at.checkbox:
        if box.key == f"manual_{run.outcome.draft_id}":  # when no toxicity check could run
            box.check()
        elif (box.key or "").startswith(f"ack_{run.outcome.draft_id}_"):  # the warned categories
            box.check()
    boxes[0].check()
    at.radio(key=f"decision_{run.outcome.draft_id}").set_value("approve")  # none is chosen in advance
    _button(at, "Record decision").click().run()
    assert any("acknowledge each one" in str(e.value) for e in at.error)
    for box in [c for c in at.checkbox if c.key and c.key.startswith("ack_claim_")]:
        box.check()
    _button(at, "Record decision").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        assert s.get(Draft, run.outcome.draft_id).status == "approved"
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "review.approve")).one()
        assert [c["id"] for c in event.data["claims_acknowledged"]] == open_ids
