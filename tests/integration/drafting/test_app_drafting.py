"""AppTest: the Draft and My drafts pages, with the demo writer and the local server."""

from __future__ import annotations

import html
import time
from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from studio.config import reload_settings
from studio.db import session_scope
from studio.models import Draft, Generation, Revision

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[3] / "app.py")


def signed_in(user, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["studio_user_id"] = user.id
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def fill_brief(at: AppTest, topic: str) -> None:
    at.radio(key="brief_type").set_value("news")
    at.text_area(key="brief_topic").input(topic)
    at.text_input(key="brief_audience").input("local business owners")
    at.text_input(key="brief_keywords").input("opening hours, parking")
    at.selectbox(key="brief_tone").set_value("empathetic")
    at.select_slider(key="brief_formality").set_value(2)
    at.slider(key="brief_temperature").set_value(0.3)
    at.number_input(key="brief_words").set_value(350)


def generate_button(at: AppTest):
    return next(b for b in at.button if b.label == "Generate")


def all_text(at: AppTest) -> str:
    elements = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error]
    return "\n".join(str(e.value) for e in elements)


def test_generate_with_the_demo_writer_saves_what_was_shown(engine, people):
    at = signed_in(people.marketer)
    assert "Demo writer: no AI model configured" in all_text(at)
    fill_brief(at, "New parking rules in the town centre")
    generate_button(at).click().run()
    assert not at.exception, at.exception
    outcome = at.session_state["last_outcome"]
    assert outcome["error"] is None
    with session_scope(engine) as s:
        draft = s.scalars(select(Draft)).one()
        body = s.get(Revision, draft.current_revision_id).body
        assert draft.content_type == "news" and draft.tone == "empathetic" and draft.formality == 2
        assert draft.temperature == 0.3 and draft.target_words == 350
        assert draft.keywords == ["opening hours", "parking"] and draft.author_id == people.marketer.id
    assert body == outcome["text"]
    # Shown through the safe renderer (HTML the studio made, never Markdown handed to Streamlit).
    shown = " ".join(str(h.proto.body) for h in at.get("html"))
    first_paragraph = next(p for p in body.split("\n\n") if p and not p.startswith("#"))
    assert html.escape(first_paragraph.split("\n")[0][:60], quote=False) in shown
    assert any("Saved as draft #" in str(s.value) for s in at.success)


def test_generate_against_the_local_server(engine, people, fake_openai, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STUDIO_MODEL", "fake-gpt")
    reload_settings()
    fake_openai.reply = "# Parking news\n\nThe council changed the rules on [NEEDS SOURCE].\n"
    at = signed_in(people.marketer)
    assert "fake-gpt via 127.0.0.1" in all_text(at)
    fill_brief(at, "New parking rules")
    generate_button(at).click().run()
    assert not at.exception, at.exception
    request = [r for r in fake_openai.chat_requests if r.stream][-1].json
    assert request["temperature"] == 0.3 and request["stream"] is True
    assert "New parking rules" in request["messages"][-1]["content"]
    with session_scope(engine) as s:
        draft = s.scalars(select(Draft)).one()
        assert s.get(Revision, draft.current_revision_id).body == fake_openai.reply
        assert s.scalars(select(Generation)).one().model == "fake-gpt"


def test_empty_topic_is_refused_by_name_and_nothing_is_lost(engine, people):
    at = signed_in(people.marketer)
    fill_brief(at, "   ")
    generate_button(at).click().run()
    assert any("Topic" in str(e.value) and "empty" in str(e.value) for e in at.error)
    assert at.text_input(key="brief_audience").value == "local business owners"
    with session_scope(engine) as s:
        assert s.scalars(select(Draft)).all() == []


def test_failure_keeps_the_brief_and_offers_one_click_retry(engine, people, fake_openai, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STUDIO_MAX_RETRIES", "0")
    reload_settings()
    fake_openai.fail_next("drop", after_chunks=4)
    at = signed_in(people.marketer)
    fill_brief(at, "New parking rules")
    generate_button(at).click().run()
    assert any("dropped" in str(e.value) for e in at.error)
    retry = next(b for b in at.button if b.label == "Retry")
    retry.click().run()
    assert not at.exception, at.exception
    assert at.session_state["last_outcome"]["error"] is None
    with session_scope(engine) as s:
        draft = s.scalars(select(Draft)).one()  # the same draft, completed
        assert not draft.incomplete
        assert [r.reason for r in s.scalars(select(Revision).order_by(Revision.number))] == ["partial", "generated"]


def test_edit_in_my_drafts_makes_a_new_revision(engine, people):
    at = signed_in(people.marketer)
    fill_brief(at, "New parking rules")
    generate_button(at).click().run()
    at.switch_page("pages/my_drafts.py").run()
    assert not at.exception, at.exception
    draft_id = at.session_state["last_outcome"]["draft_id"]
    area = at.text_area(key=f"edit_body_{draft_id}_1")
    area.input(area.value + "\n\nA closing line added by hand.\n")
    at.text_input(key=f"edit_note_{draft_id}_1").input("added a closing line")
    next(b for b in at.button if b.label == "Save as new revision").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        revs = s.scalars(select(Revision).where(Revision.draft_id == draft_id).order_by(Revision.number)).all()
        assert [r.reason for r in revs] == ["generated", "edited"]
        assert revs[-1].body.endswith("A closing line added by hand.\n") and revs[-1].note == "added a closing line"
        assert s.get(Draft, draft_id).current_revision_id == revs[-1].id
    assert any("Saved revision 2" in str(s.value) for s in at.success)


def test_a_dropped_regeneration_leaves_the_draft_and_keeps_the_fragment_to_restore(engine, people, fake_openai, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STUDIO_MAX_RETRIES", "0")
    reload_settings()
    at = signed_in(people.marketer)
    fill_brief(at, "New parking rules")
    generate_button(at).click().run()
    draft_id = at.session_state["last_outcome"]["draft_id"]
    with session_scope(engine) as s:
        good = s.get(Draft, draft_id).current_revision.body
    # The model's field proposal runs in the background after the text; the dropped stream is
    # meant for the regeneration, so it waits until that proposal's request has arrived.
    deadline = time.monotonic() + 10
    while not [r for r in fake_openai.chat_requests if not r.stream] and time.monotonic() < deadline:
        time.sleep(0.05)
    # Only a streamed request: the checks' own model calls (the claim ledger) are not streamed.
    fake_openai.fail_next("drop", after_chunks=4, match='"stream": true')
    next(b for b in at.button if b.label == "Regenerate with these settings").click().run()
    assert not at.exception, at.exception
    outcome = at.session_state["last_outcome"]
    assert outcome["error"] and outcome["kept_revision"] == 1, outcome
    assert any(outcome["error"] in str(e.value) for e in at.error)
    assert any(f"Draft #{draft_id} is unchanged: revision 1 is still its text" in str(i.value) for i in at.info)
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        assert draft.current_revision.body == good and not draft.incomplete
        assert [r.reason for r in s.scalars(select(Revision).where(Revision.draft_id == draft_id))] == ["generated"]

    at.switch_page("pages/my_drafts.py").run()
    assert not at.exception, at.exception
    restore = next(b for b in at.button if b.label == "Restore this as the current text")
    restore.click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        draft = s.get(Draft, draft_id)
        assert draft.current_revision.reason == "restored_attempt" and draft.incomplete
        assert draft.current_revision.body != good
