"""Publishing fields on a real database: update_publishing, apply_proposed_fields, and
propose_fields through the real langchain-openai client against the local server."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from studio.config import Settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.field_proposals import propose_fields, propose_for_choice
from studio.drafting.providers import get_chat_model, resolve_provider
from studio.drafting.service import add_revision, create_draft
from studio.errors import PermissionDenied, VersionConflict
from studio.models import AuditEvent, Draft, DraftSearch
from studio.publishing.fields import PublishingError, derive_fields
from studio.publishing.service import apply_proposed_fields, publishing_values, update_publishing

BODY = "# Spring planning\n\nA short, friendly guide to planning your spring campaigns with your team.\n"
BRIEF = Brief.create(content_type="blog", topic="Spring planning", keywords="planning")
NOW = datetime(2025, 6, 1, 12, tzinfo=timezone.utc)


def make_draft(engine, author, status: str = "draft") -> tuple[int, int]:
    with session_scope(engine) as s:
        d = create_draft(s, BRIEF, author)
        add_revision(s, d, BODY, author, "generated", run_checks=False)
        d.status = status
        s.flush()
        return d.id, d.version


def save(engine, draft_id, actor, fields, version):
    with session_scope(engine) as s:
        d = update_publishing(s, draft_id, actor, fields, version, now=NOW)
        return d.version, publishing_values(d)


def test_the_author_saves_fields_and_the_audit_and_index_follow(engine, people):
    draft_id, v = make_draft(engine, people.marketer)
    new_v, values = save(
        engine, draft_id, people.marketer,
        {
            "title": "  Spring   planning, done right ", "slug": "Spring Planning — Done Right!",
            "excerpt": "Plan early.", "meta_description": "Plan spring early.",
            "tags": "planning, Planning, teams", "categories": ["Guides"],
            "publish_status": "future", "publish_date": "2025-07-01T08:00:00+02:00",
        },
        v,
    )  # fmt: skip
    assert new_v > v
    assert values["title"] == "Spring planning, done right"
    assert values["slug"] == "spring-planning-done-right"
    assert values["tags"] == ["planning", "teams"] and values["categories"] == ["Guides"]
    assert values["publish_date"] == datetime(2025, 7, 1, 6, tzinfo=timezone.utc)
    with session_scope(engine) as s:
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "draft.publishing_updated")).all()
        assert event.actor_id == people.marketer.id and event.draft_id == draft_id
        assert "title" in event.data["changed"] and "slug" in event.data["changed"]
        assert s.get(DraftSearch, draft_id).title == "Spring planning, done right"
    # Saving the same values again records nothing and keeps the version.
    again_v, _ = save(engine, draft_id, people.marketer, {"title": "Spring planning, done right"}, new_v)
    assert again_v == new_v


def test_validation_names_every_bad_field(engine, people):
    draft_id, v = make_draft(engine, people.marketer)
    with pytest.raises(PublishingError) as info:
        save(
            engine, draft_id, people.marketer,
            {"title": "  ", "slug": "!!!", "meta_description": "x" * 173, "publish_status": "later",
             "tags": ["t" * 61]},
            v,
        )  # fmt: skip
    problems = info.value.problems
    assert set(problems) == {"title", "slug", "meta_description", "publish_status", "tags"}
    assert problems["meta_description"] == (
        "The meta description is 173 characters; search engines show at most 160. Shorten it by 13."
    )
    with pytest.raises(PublishingError, match="is 201 characters; the limit is 200"):
        save(engine, draft_id, people.marketer, {"title": "t" * 201}, v)
    with pytest.raises(PublishingError, match="needs a publish date"):
        save(engine, draft_id, people.marketer, {"publish_status": "future"}, v)
    with pytest.raises(PublishingError, match="in the future"):
        save(engine, draft_id, people.marketer, {"publish_status": "future", "publish_date": date(2020, 1, 1)}, v)
    with pytest.raises(PublishingError, match="Unknown publishing field"):
        save(engine, draft_id, people.marketer, {"status": "approved"}, v)
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).version == v
    # meta of exactly 160 is fine; an empty slug comes from the title
    _, values = save(engine, draft_id, people.marketer, {"meta_description": "m" * 160, "slug": ""}, v)
    assert len(values["meta_description"]) == 160 and values["slug"] == "spring-planning"


def test_permissions_follow_role_and_status(engine, people):
    draft_id, v = make_draft(engine, people.marketer)
    with pytest.raises(PermissionDenied, match="You can only open your own drafts"):
        save(engine, draft_id, people.marketer2, {"excerpt": "mine now"}, v)
    v, _ = save(engine, draft_id, people.editor, {"excerpt": "An editor's excerpt."}, v)
    approved_id, av = make_draft(engine, people.marketer, status="approved")
    with pytest.raises(PermissionDenied, match="only an editor can change its publishing fields"):
        save(engine, approved_id, people.marketer, {"excerpt": "late change"}, av)
    save(engine, approved_id, people.editor, {"slug": "fixed-before-export"}, av)
    rejected_id, rv = make_draft(engine, people.marketer, status="rejected")
    with pytest.raises(PermissionDenied, match="rejected"):
        save(engine, rejected_id, people.editor, {"excerpt": "x"}, rv)


def test_a_stale_version_is_refused_and_names_who_acted(engine, people):
    draft_id, v = make_draft(engine, people.marketer)
    save(engine, draft_id, people.editor, {"excerpt": "first"}, v)
    with pytest.raises(VersionConflict, match="Dana Editor changed the publishing fields of this"):
        save(engine, draft_id, people.marketer, {"excerpt": "second"}, v)


def test_apply_proposed_fields_until_a_person_edits_them(engine, people):
    draft_id, v = make_draft(engine, people.marketer)
    proposal = derive_fields(BRIEF, BODY)
    with session_scope(engine) as s:
        d = s.get(Draft, draft_id)
        apply_proposed_fields(s, d, proposal, actor=people.marketer)
        # Saving the revision derived them already; the proposal is the same text's.
        assert d.slug == "spring-planning" and d.categories == ["Blog"]
    with session_scope(engine) as s:
        v = s.get(Draft, draft_id).version
    v, _ = save(engine, draft_id, people.marketer, {"excerpt": "Written by a person.", "tags": []}, v)
    other = derive_fields(Brief.create(content_type="news", topic="x"), "# Other\n\nOther text.\n")
    with session_scope(engine) as s:
        d = s.get(Draft, draft_id)
        changed = apply_proposed_fields(s, d, other)
        assert d.excerpt == "Written by a person."  # people's edits win, field by field
        assert d.tags == [] or "tags" in changed  # empty fields are filled
        assert d.slug == other.slug and "slug" in changed  # nobody set the slug: it follows the new text
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "draft.fields_proposed")).all()
        assert len(events) == 2 and events[1].data["kept_people_edits"] is True


def _settings(fake) -> Settings:
    return Settings(openai_base_url=fake.base_url, studio_model="fake-gpt", studio_max_retries=0)


def test_propose_with_the_real_client_uses_json_schema(fake_openai):
    answer = {"title": "Spring, planned", "slug": "spring-planned", "excerpt": "Plan early.",
              "meta_description": "Plan spring early.", "tags": ["planning"], "categories": ["Guides"]}  # fmt: skip
    fake_openai.reply = json.dumps(answer)
    settings = _settings(fake_openai)
    choice = resolve_provider(settings)
    fields = propose_fields(get_chat_model(settings, choice, temperature=0.2), BRIEF, BODY)
    assert fields.source == "model" and fields.title == "Spring, planned"
    sent = fake_openai.chat_requests[-1].json
    assert sent["response_format"]["type"] == "json_schema"
    assert set(sent["response_format"]["json_schema"]["schema"]["properties"]) == set(answer)


def test_a_server_refusing_json_schema_gets_the_json_text_prompt(fake_openai):
    def reply(body: dict) -> str:
        return 'Here: {"title": "From text", "tags": ["a"]} bye'

    fake_openai.reply = reply
    fake_openai.fail_next("400", endpoint="chat/completions")
    settings = _settings(fake_openai)
    fields = propose_for_choice(settings, resolve_provider(settings), BRIEF, BODY)
    assert fields.source == "json_text" and fields.title == "From text"
    first, second = fake_openai.chat_requests[-2:]
    assert "response_format" in first.json and "response_format" not in second.json
    assert "Reply with one JSON object" in second.json["messages"][-1]["content"]


def test_a_server_down_still_gives_derived_fields(fake_openai):
    settings = _settings(fake_openai)
    choice = resolve_provider(settings)
    fake_openai.stop()
    fields = propose_for_choice(settings, choice, BRIEF, BODY)
    assert fields.source == "derived" and fields.title == "Spring planning" and fields.note


def test_propose_for_the_demo_writer_calls_nothing():
    settings = Settings()
    fields = propose_for_choice(settings, resolve_provider(settings, "demo"), BRIEF, BODY)
    assert fields.source == "derived" and "demo writer" in fields.note


# ------------------------------------------------------------------------------------------
# The panel (studio.ui.publishing), driven by AppTest


def _panel_script(draft_id: int) -> None:
    from studio import ui
    from studio.drafting.detail import draft_detail
    from studio.ui.publishing import show_publishing_panel

    ui.show_flashes()
    user = ui.require_user()
    show_publishing_panel(user, ui.call(draft_detail, draft_id, user))


def _panel(user, draft_id):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_panel_script, args=(draft_id,), default_timeout=60)
    at.session_state["studio_user_id"] = user.id
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_panel_saves_and_shows_counts_and_errors(engine, people):
    draft_id, v = make_draft(engine, people.marketer)
    at = _panel(people.marketer, draft_id)
    k = f"pub_{draft_id}_{v}_"
    assert at.text_area(key=k + "meta").max_chars == 160
    at.text_area(key=k + "meta").input("Plan your spring early.").run()
    assert any(c.value == "23/160 characters" for c in at.caption)
    at.text_input(key=k + "slug").input("!!!").run()
    next(b for b in at.button if b.label == "Save publishing fields").click().run()
    assert [e.value for e in at.error] == ["The slug has no letters or digits; use words like my-first-post."]
    at.text_input(key=k + "slug").input("spring-early")
    at.text_input(key=k + "tags").input("planning, spring").run()
    next(b for b in at.button if b.label == "Save publishing fields").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        d = s.get(Draft, draft_id)
        assert (d.slug, d.meta_description, d.tags) == ("spring-early", "Plan your spring early.", ["planning", "spring"])
    assert any("Saved the publishing fields." in str(s.value) for s in at.success)


def test_the_panel_is_read_only_when_the_person_may_not_edit(engine, people):
    draft_id, v = make_draft(engine, people.marketer, status="approved")
    at = _panel(people.marketer, draft_id)
    assert any("only an editor can change its publishing fields" in c.value for c in at.caption)
    assert at.text_input(key=f"pub_{draft_id}_{v}_title").disabled
