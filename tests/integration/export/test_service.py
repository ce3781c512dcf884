"""The export flow (studio.exporting) on a real SQLite database."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from datetime import date, datetime, timezone

import pandas as pd
import pytest
from sqlalchemy import func, select

pass
from studio.audit import service as audit
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft
from studio.errors import PermissionDenied, VersionConflict
from studio.export import batches, picker
from studio.export import service as exporting
from studio.export.rows import ExportError
from studio.models import AuditEvent, Draft, ExportBatch, ExportItem
from studio.review import bulk as review_bulk
from studio.review import service as review

WORDPRESS_COLUMNS = [
    "post_title", "post_content", "post_excerpt", "post_name", "post_status", "post_date",
    "post_date_gmt", "post_author", "post_category", "tags_input", "_yoast_wpseo_metadesc",
    "featured_image", "featured_image_alt",
]  # fmt: skip
HUBSPOT_COLUMNS = [
    "name", "slug", "postBody", "postSummary", "metaDescription", "publishDate", "language",
    "tags", "authorEmail",
]  # fmt: skip
GENERIC_COLUMNS = [
    "draft_id", "revision_number", "title", "slug", "excerpt", "meta_description", "tags",
    "categories", "author_name", "author_email", "publish_date", "publish_status", "language",
    "content_type", "body_markdown", "body_html", "featured_image_url", "featured_image_alt",
]  # fmt: skip


def make_draft(
    engine,
    author,
    body: str,
    *,
    status: str = "approved",
    topic: str = "Spring planning",
    content_type: str = "blog",
    approved_at: datetime | None = None,
    approver=None,
    **fields,
) -> int:
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type=content_type, topic=topic), author)
        add_revision(s, d, body, author, "generated", run_checks=False)
        for name, value in fields.items():
            setattr(d, name, value)
        d.status = status
        if approved_at is not None:
            audit.record(
                s, approver, "review.approve", draft_id=d.id, from_status="in_review",
                to_status="approved", at=approved_at,
            )  # fmt: skip
        s.flush()
        return d.id


BODY = (
    "# Spring planning, simply\n\nA calm guide: quotes \"like this\", commas, and a list.\n\n"
    "- one\n- two\n\n<script>alert(1)</script>\n"
)


@pytest.fixture
def three(engine, people):
    ids = [
        make_draft(
            engine, people.marketer, BODY, excerpt="=HYPERLINK(\"http://evil\")",
            meta_description="Plan spring, simply.", tags=["planning", "spring"],
            categories=["Guides"], publish_status="publish",
            publish_date=datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc),
        ),
        make_draft(engine, people.marketer, "# 春の計画 🌸\n\nمرحبا بالعالم، نص من اليمين إلى اليسار.\n"),
        make_draft(engine, people.marketer2, "# Spring planning, simply\n\nSame title, second draft.\n"),
    ]
    return ids


def statuses(engine, ids) -> list[str]:
    with session_scope(engine) as s:
        return [s.get(Draft, i).status for i in ids]


def count(engine, model) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def export(engine, actor, ids, preset="wordpress", **kw):
    with session_scope(engine) as s:
        batch, f = exporting.run_export(s, actor, ids, preset, **kw)
        return batch.id, f


# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "preset, columns",
    [("wordpress", WORDPRESS_COLUMNS), ("hubspot", HUBSPOT_COLUMNS), ("generic", GENERIC_COLUMNS), ("json", GENERIC_COLUMNS)],
)
def test_each_preset_records_a_batch_and_moves_the_drafts(engine, people, three, preset, columns):
    batch_id, f = export(engine, people.editor, three, preset)
    with session_scope(engine) as s:
        batch = s.get(ExportBatch, batch_id)
        stored = batches.stored_file(batch.content, batch.content_encoding)
        assert batch.checksum == hashlib.sha256(stored).hexdigest() == f.sha256
        assert stored == f.content and batch.row_count == 3 and batch.preset == preset
        # Kept gzip-compressed, with the file's own size for the list of past exports.
        assert batch.content_encoding == "gzip" and batch.content[:2] == b"\x1f\x8b"
        assert batch.size == len(f.content)
        assert batch.actor_id == people.editor.id and batch.filename == f.filename_suggestion
        items = s.scalars(select(ExportItem).where(ExportItem.batch_id == batch_id).order_by(ExportItem.id)).all()
        assert [i.draft_id for i in items] == three
        assert [i.revision_id for i in items] == [s.get(Draft, d).current_revision_id for d in three]
        assert [i.slug for i in items] == list(f.slugs)
        per_draft = s.scalars(select(AuditEvent).where(AuditEvent.action == "review.export")).all()
        assert sorted(e.draft_id for e in per_draft) == sorted(three)
        assert all(e.from_status == "approved" and e.to_status == "exported" for e in per_draft)
        assert all(e.actor_id == people.editor.id for e in per_draft)
        batch_events = s.scalars(select(AuditEvent).where(AuditEvent.action == "export.batch")).all()
        assert len(batch_events) == 1
        assert batch_events[0].data["batch_id"] == batch_id and batch_events[0].data["sha256"] == f.sha256
        assert batch_events[0].data["draft_ids"] == three
    assert statuses(engine, three) == ["exported"] * 3
    if preset == "json":
        records = json.loads(f.content.decode("utf-8"))
        assert list(records[0]) == columns and records[1]["title"] == "春の計画 🌸"
    else:
        frame = pd.read_csv(io.BytesIO(f.content), dtype=str, keep_default_na=False)
        assert list(frame.columns) == columns and len(frame) == 3


def test_wordpress_csv_reads_back_the_same_with_pandas_and_csv(engine, people, three):
    _, f = export(engine, people.editor, three, "wordpress")
    frame = pd.read_csv(io.BytesIO(f.content), dtype=str, keep_default_na=False)
    rows = list(csv.DictReader(io.StringIO(f.content.decode("utf-8"), newline="")))
    assert frame.to_dict(orient="records") == rows
    first, second, third = rows
    assert first["post_title"] == "Spring planning, simply"
    assert first["post_name"] == "spring-planning-simply"
    assert third["post_name"] == "spring-planning-simply-2"  # duplicate slug suffixed
    assert first["post_excerpt"] == "'=HYPERLINK(\"http://evil\")"  # formula neutralised
    assert first["post_status"] == "publish" and first["post_date"] == "2025-03-01 09:30:00"
    assert first["post_category"] == "Guides" and first["tags_input"] == "planning,spring"
    assert first["_yoast_wpseo_metadesc"] == "Plan spring, simply."
    assert first["post_author"] == "Mara Marketer"
    assert "<script" not in first["post_content"] and "<li>one</li>" in first["post_content"]
    assert "\n" in first["post_content"]  # newlines inside the HTML cell kept
    assert second["post_title"] == "春の計画 🌸" and "مرحبا بالعالم" in second["post_content"]
    assert f.content.count(b"\r\n") >= 4 and not f.content.startswith(b"\xef\xbb\xbf")


def test_spreadsheet_mode_adds_a_bom_and_the_disclosure_goes_in_generic(engine, people, three):
    _, f = export(engine, people.editor, three[:1], "generic", mode="spreadsheet", disclosure="Written with AI help.")
    assert f.content.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(f.content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert frame["ai_disclosure"].tolist() == ["Written with AI help."]


def test_the_workspace_disclosure_setting_is_used(engine, people, three, monkeypatch):
    monkeypatch.setattr(exporting, "disclosure_setting", lambda: "AI-assisted.")
    _, f = export(engine, people.editor, three[:1], "json")
    assert json.loads(f.content)[0]["ai_disclosure"] == "AI-assisted."


def test_nothing_approved_is_refused_with_no_batch_and_no_file(engine, people):
    in_review = make_draft(engine, people.marketer, BODY, status="in_review")
    with session_scope(engine) as s:
        assert picker.exportable(s, people.editor) == []
    with pytest.raises(ExportError, match="Nothing to export"):
        export(engine, people.editor, [])
    with pytest.raises(ExportError, match="Nothing to export: none of the selected drafts is approved"):
        export(engine, people.editor, [in_review])
    assert count(engine, ExportBatch) == 0 and statuses(engine, [in_review]) == ["in_review"]


def test_a_draft_that_is_not_approved_in_the_selection_is_named(engine, people, three):
    in_review = make_draft(engine, people.marketer, BODY, status="in_review", topic="Autumn")
    with pytest.raises(ExportError, match=rf"Draft {in_review} .* is in review, not approved"):
        export(engine, people.editor, [*three, in_review])
    assert count(engine, ExportBatch) == 0 and statuses(engine, three) == ["approved"] * 3


def test_a_failure_half_way_changes_no_status(engine, people, three, monkeypatch):
    real = review_bulk.transition_many
    calls = {"n": 0}

    def fail_after_the_updates(session, *args, **kwargs):
        calls["n"] += 1
        real(session, *args, **kwargs)  # statuses, audit rows and comments are written…
        session.flush()
        raise RuntimeError("disk full")  # …and then the export fails before it commits

    monkeypatch.setattr(exporting, "transition_many", fail_after_the_updates)
    with session_scope(engine) as s:
        slugs_before = [s.get(Draft, i).slug for i in three]
    with pytest.raises(RuntimeError, match="disk full"):
        export(engine, people.editor, three)
    assert calls["n"] == 1
    assert statuses(engine, three) == ["approved"] * 3
    assert count(engine, ExportBatch) == 0 and count(engine, ExportItem) == 0
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action.in_(["review.export", "export.batch"]))) == 0
        assert [s.get(Draft, i).slug for i in three] == slugs_before


def test_re_export_needs_asking_and_keeps_the_slugs(engine, people, three):
    _, first = export(engine, people.editor, three)
    with session_scope(engine) as s:
        assert picker.exportable(s, people.editor) == []
        again = picker.exportable(s, people.editor, include_exported=True)
        assert [c.id for c in again] == three and all(c.last_exported_at for c in again)
    with pytest.raises(ExportError, match="already exported"):
        export(engine, people.editor, three)
    # A new draft with the same title gets a fresh suffix; the old ones keep theirs, even after
    # a title change.
    with session_scope(engine) as s:
        s.get(Draft, three[0]).title = "A brand new title"
    newcomer = make_draft(engine, people.marketer, "# Spring planning, simply\n\nThird of its name.\n")
    _, second = export(engine, people.editor, [*three, newcomer], include_exported=True)
    assert second.slugs[:3] == first.slugs
    assert second.slugs[3] == "spring-planning-simply-3"
    assert statuses(engine, [*three, newcomer]) == ["exported"] * 4
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "review.export")) == 7


def test_a_marketer_may_not_export(engine, people, three):
    with pytest.raises(PermissionDenied, match="Only editors and admins can export content"):
        export(engine, people.marketer, three)
    with session_scope(engine) as s, pytest.raises(PermissionDenied):
        picker.exportable(s, people.marketer)
    with session_scope(engine) as s, pytest.raises(PermissionDenied):
        batches.past_exports(s, people.marketer)
    assert statuses(engine, three) == ["approved"] * 3


def test_an_admin_may_export(engine, people, three):
    batch_id, _ = export(engine, people.admin, three[:1])
    assert batch_id


def test_missing_title_comes_from_the_heading_or_the_draft_is_named(engine, people):
    from_heading = make_draft(engine, people.marketer, "Intro line.\n\n## The real title\n\nText.\n", title="")
    nameless = make_draft(engine, people.marketer, "No heading at all, just text.\n", title="", topic="Autumn sale")
    with session_scope(engine) as s:
        by_id = {c.id: c for c in picker.exportable(s, people.editor)}
        assert by_id[from_heading].title == "The real title" and by_id[from_heading].problem is None
        assert "has no title" in by_id[nameless].problem
    with pytest.raises(ExportError, match=rf"^Draft {nameless} \('Autumn sale'\) has no title"):
        export(engine, people.editor, [from_heading, nameless])
    assert statuses(engine, [from_heading, nameless]) == ["approved", "approved"]
    _, f = export(engine, people.editor, [from_heading])
    frame = pd.read_csv(io.BytesIO(f.content), dtype=str, keep_default_na=False)
    assert frame["post_title"].tolist() == ["The real title"]
    with session_scope(engine) as s:
        assert s.get(Draft, from_heading).title == "The real title"


def test_a_stale_selection_is_refused(engine, people, three):
    with session_scope(engine) as s:
        versions = {c.id: c.version for c in picker.exportable(s, people.editor)}
    with session_scope(engine) as s:
        s.get(Draft, three[1]).excerpt = "changed meanwhile"
    with pytest.raises(VersionConflict, match=rf"Draft {three[1]}"):
        export(engine, people.editor, versions)
    assert statuses(engine, three) == ["approved"] * 3
    with session_scope(engine) as s:
        versions = {c.id: c.version for c in picker.exportable(s, people.editor)}
    export(engine, people.editor, versions)
    assert statuses(engine, three) == ["exported"] * 3


def test_filters_by_type_and_approval_date(engine, people):
    old = make_draft(engine, people.marketer, "# Old\n\nx\n", approved_at=datetime(2025, 1, 10, 12, tzinfo=timezone.utc), approver=people.editor)
    new = make_draft(engine, people.marketer, "# New\n\nx\n", content_type="news", approved_at=datetime(2025, 2, 10, 12, tzinfo=timezone.utc), approver=people.editor)
    with session_scope(engine) as s:
        ids = lambda **kw: [c.id for c in picker.exportable(s, people.editor, **kw)]  # noqa: E731
        assert ids() == [old, new]
        assert ids(since=date(2025, 2, 1)) == [new]
        assert ids(until=date(2025, 1, 10)) == [old]  # a date includes the whole day
        assert ids(since=date(2025, 1, 11), until=date(2025, 2, 9)) == []
        assert ids(content_type="news") == [new]
        assert picker.exportable(s, people.editor)[0].approved_at == datetime(2025, 1, 10, 12, tzinfo=timezone.utc)


def test_preview_shows_the_files_first_rows_and_changes_nothing(engine, people, three):
    with session_scope(engine) as s:
        p = exporting.preview_export(s, people.editor, three, "wordpress", limit=2)
    assert p.columns == WORDPRESS_COLUMNS and p.total == 3 and len(p.rows) == 2 and not p.problems
    assert p.rows[0]["post_excerpt"].startswith("'=")
    assert statuses(engine, three) == ["approved"] * 3 and count(engine, ExportBatch) == 0
    with session_scope(engine) as s:
        p = exporting.preview_export(s, people.editor, [], "wordpress")
    assert p.problems and "Nothing to export" in p.problems[0]


def test_past_exports_download_again_and_check_the_checksum(engine, people, three):
    first_id, first = export(engine, people.editor, three[:1], "wordpress")
    second_id, second = export(engine, people.editor, three[1:], "json")
    with session_scope(engine) as s:
        past = batches.past_exports(s, people.editor)
        assert [b.id for b in past] == [second_id, first_id]
        assert past[0].draft_ids == three[1:] and past[0].actor == "Dana Editor"
        assert past[1].size == len(first.content)
        name, content, mimetype = batches.download_batch(s, people.editor, first_id)
        assert (name, content) == (first.filename_suggestion, first.content) and mimetype.startswith("text/csv")
        assert batches.download_batch(s, people.editor, second_id)[2] == "application/json"
        with pytest.raises(ExportError, match="does not exist"):
            batches.download_batch(s, people.editor, 999)
        # A file stored before migration 0004 (as it is, no encoding) still downloads.
        batch = s.get(ExportBatch, first_id)
        batch.content, batch.content_encoding = first.content, None
        s.flush()
        assert batches.download_batch(s, people.editor, first_id)[1] == first.content
        batch.content_encoding = "gzip"
        for tampered in (gzip.compress(first.content + b"tampered"), first.content, b"\x1f\x8bnot gzip"):
            s.get(ExportBatch, first_id).content = tampered
            s.flush()
            with pytest.raises(ExportError, match="does not match its checksum"):
                batches.download_batch(s, people.editor, first_id)
        s.rollback()



def test_a_download_button_reads_the_stored_file_only_when_clicked(engine, people, three):
    batch_id, file = export(engine, people.editor, three, "wordpress")
    read = batches.batch_reader(engine, people.editor, batch_id)
    assert read() == file.content  # unpacked and checked in a session of its own
    with session_scope(engine) as s:  # damaged after the button was drawn: refused on click
        s.get(ExportBatch, batch_id).checksum = "0" * 64
    with pytest.raises(ExportError, match="does not match its checksum"):
        read()
    with pytest.raises(PermissionDenied):
        batches.batch_reader(engine, people.marketer, batch_id)()

def test_unknown_preset_and_json_in_spreadsheet_mode_are_refused(engine, people, three):
    with pytest.raises(ExportError, match="Unknown preset"):
        export(engine, people.editor, three, "drupal")
    with pytest.raises(ExportError, match="JSON exports have no spreadsheet mode"):
        export(engine, people.editor, three, "json", mode="spreadsheet")
    assert statuses(engine, three) == ["approved"] * 3 and count(engine, ExportBatch) == 0


def test_the_real_workflow_then_export(engine, people):
    """Submit → approve (manual review, the checks may be unavailable here) → export."""
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Spring"), people.marketer)
        add_revision(s, d, "# Spring\n\nA friendly, short guide for the team.\n", people.marketer, "generated", run_checks=False)
        draft_id = d.id
    with session_scope(engine) as s:
        review.submit(s, draft_id, people.marketer, None)
    with session_scope(engine) as s:
        review.approve(s, draft_id, people.editor, None, manual_review_confirmed=True, override_reason="fine")
    with session_scope(engine) as s:
        [candidate] = picker.exportable(s, people.editor)
        assert candidate.approved_at is not None
    export(engine, people.editor, {candidate.id: candidate.version}, "hubspot")
    assert statuses(engine, [draft_id]) == ["exported"]


# ------------------------------------------------------------------------------------------
# HTML rendered when the revision is saved


def test_a_saved_revision_carries_its_sanitised_html_and_the_export_uses_it(engine, people):
    from studio.content import HTML_VERSION, render_html

    draft_id = make_draft(engine, people.marketer, BODY)
    with session_scope(engine) as s:
        revision = s.get(Draft, draft_id).current_revision
        assert revision.html_version == HTML_VERSION
        assert revision.body_html == render_html(BODY) and "<script" not in revision.body_html
        # Stand-in HTML under the running version: the export writes what is stored.
        revision.body_html = "<p>stored at save time</p>"
    _, f = export(engine, people.editor, [draft_id], "wordpress")
    [row] = pd.read_csv(io.BytesIO(f.content), dtype=str, keep_default_na=False).to_dict("records")
    assert row["post_content"] == "<p>stored at save time</p>"
    with session_scope(engine) as s:  # the generic preset also reads the Markdown
        s.get(Draft, draft_id).status = "approved"
    _, f = export(engine, people.editor, [draft_id], "generic", include_exported=True)
    [row] = pd.read_csv(io.BytesIO(f.content), dtype=str, keep_default_na=False).to_dict("records")
    assert row["body_markdown"] == BODY and row["body_html"] == "<p>stored at save time</p>"


@pytest.mark.parametrize("stored_version", [None, "h1-an-older-renderer"])
def test_html_from_an_older_renderer_or_none_at_all_is_rendered_again(engine, people, stored_version):
    """Revisions saved before migration 0004 have no HTML; HTML made by another renderer or
    allowlist (say, before a sanitiser upgrade) is not trusted: both are rendered at export."""
    from studio.content import cms_body_html, render_html

    draft_id = make_draft(engine, people.marketer, BODY)
    with session_scope(engine) as s:
        revision = s.get(Draft, draft_id).current_revision
        revision.body_html = None if stored_version is None else '<p><img src=x onerror="alert(1)"></p>'
        revision.html_version = stored_version
    for preset in ("wordpress", "hubspot"):
        with session_scope(engine) as s:
            s.get(Draft, draft_id).status = "approved"
        _, f = export(engine, people.editor, [draft_id], preset, include_exported=True)
        [row] = pd.read_csv(io.BytesIO(f.content), dtype=str, keep_default_na=False).to_dict("records")
        body = row["post_content" if preset == "wordpress" else "postBody"]
        assert body == cms_body_html(render_html(BODY), row["post_title" if preset == "wordpress" else "name"])
        assert "onerror" not in body and "<h1>" not in body
