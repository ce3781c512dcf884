"""Publishing fields follow the text unless a person set them; what ships is checked."""

from __future__ import annotations

from studio.checks.service import latest_report
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.detail import draft_detail
from studio.drafting.service import add_revision, create_draft, edit_text
from studio.models import Draft, ExportItem
from studio.publishing.service import confirm_fields, update_publishing

BODY = "# Five ways a chairman can help\n\nOur chairman keeps meetings short.\n\n## Agenda\n\nKeep it tight.\n"


def make(engine, author) -> tuple[int, int]:
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Board meetings", target_words=100), author)
        add_revision(s, d, BODY, author, "generated")
        return d.id, d.version


def state(engine, draft_id, who):
    with session_scope(engine) as s:
        return draft_detail(s, draft_id, who)


def test_a_body_edit_derives_the_fields_again_and_checks_them(engine, people):
    draft_id, v = make(engine, people.marketer)
    view = state(engine, draft_id, people.marketer)
    assert view.publishing["slug"] == "five-ways-a-chairman-can-help"
    assert {f.field for f in view.findings if f.rule == "gendered.chairman"} == {
        "body", "title", "slug", "excerpt", "meta_description"}
    with session_scope(engine) as s:
        edit_text(s, draft_id, people.marketer, BODY.replace("chairman", "chair"), v)
    view = state(engine, draft_id, people.marketer)
    assert (view.publishing["title"], view.publishing["slug"]) == ("Five ways a chair can help", "five-ways-a-chair-can-help")
    assert view.publishing["excerpt"] == view.publishing["meta_description"] == "Our chair keeps meetings short."
    assert [f.category for f in view.findings] == ["quality"]  # only the length note (15 words of 100)
    assert view.verdict == "pass" and view.stale_fields == []


def test_a_person_set_field_is_kept_marked_may_be_out_of_date_and_can_be_confirmed(engine, people):
    draft_id, v = make(engine, people.marketer)
    with session_scope(engine) as s:
        v = update_publishing(s, draft_id, people.marketer, {"excerpt": "How one chairman runs short meetings."}, v).version
    with session_scope(engine) as s:
        v = edit_text(s, draft_id, people.marketer, BODY.replace("chairman", "chair"), v).draft.version
    view = state(engine, draft_id, people.marketer)
    assert view.publishing["excerpt"] == "How one chairman runs short meetings."
    assert view.stale_fields == ["excerpt"]
    # The old word is still flagged where it is.
    assert [f.field for f in view.findings if f.category != "quality"] == ["excerpt"]
    assert view.as_dict()["stale_fields"] == ["excerpt"]
    with session_scope(engine) as s:
        confirm_fields(s, draft_id, people.marketer, ["excerpt"], v)
    assert state(engine, draft_id, people.marketer).stale_fields == []


def test_the_slug_follows_the_title_until_the_first_export(engine, people):
    draft_id, v = make(engine, people.marketer)
    with session_scope(engine) as s:
        v = update_publishing(s, draft_id, people.editor, {"title": "Short board meetings"}, v).version
    assert state(engine, draft_id, people.editor).publishing["slug"] == "short-board-meetings"
    with session_scope(engine) as s:
        d = s.get(Draft, draft_id)
        s.add(ExportItem(batch_id=_batch(s, people.editor), draft_id=d.id, revision_id=d.current_revision_id,
                         slug=d.slug))  # fmt: skip
    with session_scope(engine) as s:
        update_publishing(s, draft_id, people.editor, {"title": "Shorter board meetings"}, v)
    view = state(engine, draft_id, people.editor)
    assert view.publishing["slug"] == "short-board-meetings" and view.stale_fields == []


def _batch(s, editor) -> int:
    from studio.models import ExportBatch

    batch = ExportBatch(actor_id=editor.id, preset="wordpress", row_count=1, checksum="0" * 64, filename="x.csv")
    s.add(batch)
    s.flush()
    return batch.id


def test_a_field_change_is_checked_once_saved(engine, people):
    draft_id, v = make(engine, people.marketer)
    with session_scope(engine) as s:
        d = update_publishing(s, draft_id, people.marketer, {"meta_description": "Mail bob.smith@gmail.com now."}, v)
        revision_id, version = d.current_revision_id, d.version
    # Checked once the save committed (outside its transaction), before the save returned.
    with session_scope(engine) as s:
        report = latest_report(s, revision_id)
        pii = [f for f in report.findings if f.category == "pii"]
        assert [(f.field, f.text) for f in pii] == [("meta_description", "bob.smith@gmail.com")]
        d = s.get(Draft, draft_id)
        assert d.check_verdict == report.verdict == "warn"
        assert d.version == version  # storing the report is not a change anyone made
