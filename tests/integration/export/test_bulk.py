"""review.transition_many and the bulk export flow, on a real database.

transition_many moves many drafts at once, all or nothing: the permission checked once, every
draft's status and version verified before anything changes, one audit row per draft (from → to)
inserted in bulk. run_export uses it, and reads drafts, revisions and authors set-based.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, insert, select, text

pass
from studio.db import session_scope
from studio.errors import PermissionDenied, VersionConflict
from studio.export import batches
from studio.export import service as exporting
from studio.export.files import export_bytes
from studio.export.rows import row_from_values
from studio.models import AuditEvent, Comment, Draft, DraftSearch, ExportBatch, ExportItem, Revision
from studio.review import bulk as review_bulk
from studio.review.service import ReviewError

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=timezone.utc)


def fill(engine, author_id: int, n: int, *, status: str = "approved", first: int = 1, titled: bool = True) -> list[int]:
    """``n`` drafts with a revision each, inserted in bulk (as bench/ does)."""
    ids = list(range(first, first + n))
    with engine.begin() as conn:
        conn.execute(insert(Draft.__table__), [
            {"id": i, "author_id": author_id, "content_type": "blog", "topic": f"Topic {i}",
             "audience": "", "keywords": [], "tone": "professional", "formality": 3,
             "temperature": 0.7, "target_words": 600, "language": "en", "status": status,
             "incomplete": False, "version": 1, "title": f"Post {i % 7}" if titled else "",
             "slug": "", "excerpt": "=cmd" if i % 5 == 0 else "Summary", "meta_description": "Meta",
             "tags": ["a", "b"], "categories": ["News"], "publish_date": NOW + timedelta(hours=i),
             "publish_status": "publish", "created_at": NOW, "updated_at": NOW}
            for i in ids
        ])  # fmt: skip
        conn.execute(insert(Revision.__table__), [
            {"id": i, "draft_id": i, "number": 1, "author_id": author_id, "reason": "generated",
             "note": "", "created_at": NOW,
             "body": f"# Heading {i}\n\nText with **bold** and a [link](https://e.com/{i}).\n\n- one\n- two\n"}
            for i in ids
        ])  # fmt: skip
        conn.execute(
            text("UPDATE drafts SET current_revision_id = id WHERE id BETWEEN :a AND :b"),
            {"a": ids[0], "b": ids[-1]},
        )
        conn.execute(insert(DraftSearch.__table__), [
            {"draft_id": i, "title": f"Post {i % 7}" if titled else "", "body": "x"} for i in ids
        ])  # fmt: skip
    return ids


def state(engine, ids) -> list[tuple[str, int]]:
    with session_scope(engine) as s:
        found = {d.id: d for d in s.scalars(select(Draft).where(Draft.id.in_(ids)))}
        return [(found[i].status, found[i].version) for i in ids]


def events(engine, action: str) -> list[AuditEvent]:
    with session_scope(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# ------------------------------------------------------------------------------------------
# transition_many


def test_moves_every_draft_and_writes_one_audit_row_each(engine, people):
    ids = fill(engine, people.marketer.id, 5)
    with session_scope(engine) as s:
        moved = review_bulk.transition_many(
            s, ids, people.editor, "export", expected_versions={i: 1 for i in ids}, comment="Batch 1"
        )
        assert [d.id for d in moved] == ids
    assert state(engine, ids) == [("exported", 2)] * 5
    rows = events(engine, "review.export")
    assert sorted(e.draft_id for e in rows) == ids
    assert all(
        (e.from_status, e.to_status, e.actor_id, e.actor_name, e.comment)
        == ("approved", "exported", people.editor.id, "dana", "Batch 1")
        for e in rows
    )
    with session_scope(engine) as s:  # a comment per draft, as transition() writes
        assert s.scalar(select(func.count()).select_from(Comment).where(Comment.body == "Batch 1")) == 5


def test_one_draft_in_a_wrong_status_refuses_the_whole_batch_and_names_it(engine, people):
    ids = fill(engine, people.marketer.id, 4)
    [stray] = fill(engine, people.marketer.id, 1, status="in_review", first=100)
    with session_scope(engine) as s, pytest.raises(
        ReviewError, match=rf"^Draft {stray} is in review, so it cannot be exported"
    ):
        review_bulk.transition_many(s, [*ids, stray], people.editor, "export")
    [rejected] = fill(engine, people.marketer.id, 1, status="rejected", first=200)
    with session_scope(engine) as s, pytest.raises(ReviewError) as info:
        review_bulk.transition_many(s, [*ids, stray, rejected], people.editor, "export")
    message = str(info.value)
    assert message.startswith("Nothing was changed: 2 drafts cannot be exported")
    assert f"draft {stray} is in review" in message and f"draft {rejected} is rejected" in message
    assert not any(f"draft {i} " in message for i in ids)
    assert state(engine, [*ids, stray, rejected]) == [("approved", 1)] * 4 + [("in_review", 1), ("rejected", 1)]
    assert events(engine, "review.export") == []


def test_a_missing_draft_refuses_the_batch(engine, people):
    ids = fill(engine, people.marketer.id, 2)
    with session_scope(engine) as s, pytest.raises(LookupError, match="draft 999 does not exist"):
        review_bulk.transition_many(s, [*ids, 999], people.editor, "export")
    assert state(engine, ids) == [("approved", 1)] * 2


def test_a_stale_expected_version_is_a_conflict_and_changes_nothing(engine, people):
    ids = fill(engine, people.marketer.id, 3)
    with session_scope(engine) as s, pytest.raises(VersionConflict, match="reload to see it"):
        review_bulk.transition_many(s, ids, people.editor, "export", expected_versions={ids[1]: 0})
    assert state(engine, ids) == [("approved", 1)] * 3
    assert events(engine, "review.export") == []


def test_a_concurrent_change_is_caught_by_the_version_column(engine, people):
    """Session A read the drafts; B changed one and committed; A's bulk UPDATE matches the
    version A read, so it finds the row changed: VersionConflict, and A writes nothing."""
    ids = fill(engine, people.marketer.id, 3)
    with session_scope(engine) as a:
        loaded = list(a.scalars(select(Draft).where(Draft.id.in_(ids))))
        assert len(loaded) == 3
        a.commit()  # A's read transaction ends; its objects stay loaded (expire_on_commit=False)
        with session_scope(engine) as b:
            b.get(Draft, ids[2]).excerpt = "changed by someone else"
        with pytest.raises(VersionConflict, match="Someone else acted on one of these drafts"):
            review_bulk.transition_many(a, ids, people.editor, "export")
    assert state(engine, ids) == [("approved", 1), ("approved", 1), ("approved", 2)]
    assert events(engine, "review.export") == []


def test_marketers_may_not_and_nothing_changes(engine, people):
    ids = fill(engine, people.marketer.id, 3)
    with session_scope(engine) as s, pytest.raises(PermissionDenied, match="Only editors and admins can export"):
        review_bulk.transition_many(s, ids, people.marketer, "export")
    assert state(engine, ids) == [("approved", 1)] * 3


def test_only_the_bulk_actions_and_their_rules(engine, people):
    ids = fill(engine, people.marketer.id, 2, status="in_review")
    with session_scope(engine) as s:
        with pytest.raises(ReviewError, match="decided draft by draft"):
            review_bulk.transition_many(s, ids, people.editor, "approve")
        with pytest.raises(ReviewError, match="Unknown action"):
            review_bulk.transition_many(s, ids, people.editor, "publish")
        with pytest.raises(ReviewError, match="a comment is required when rejecting"):
            review_bulk.transition_many(s, ids, people.editor, "reject")
        review_bulk.transition_many(s, ids, people.editor, "reject", comment="Off brand")
    assert state(engine, ids) == [("rejected", 2)] * 2
    assert [(e.from_status, e.to_status) for e in events(engine, "review.reject")] == [("in_review", "rejected")] * 2


# ------------------------------------------------------------------------------------------
# run_export through the bulk path


class Statements:
    """Counts the SQL statements an engine runs (executemany counts once)."""

    def __init__(self, engine) -> None:
        self.engine, self.count, self.sql = engine, 0, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        self.sql.append(statement)


def test_a_large_export_reads_and_writes_in_a_few_statements(engine, people, monkeypatch):
    from studio.config import reload_settings

    monkeypatch.setenv("STUDIO_EXPORT_WORKERS", "2")
    reload_settings()
    n = 600  # above PARALLEL_MIN_ROWS: the file is written by the worker processes
    ids = fill(engine, people.marketer.id, n, titled=False)  # titles come from the headings
    with session_scope(engine) as s, Statements(engine) as seen:
        batch, f = exporting.run_export(s, people.editor, {i: 1 for i in ids}, "wordpress", now=NOW)
        batch_id = batch.id
    # Per draft it would be thousands; set-based it is a few dozen whatever the size.
    assert seen.count < 40, "\n".join(seen.sql)
    assert f.timings["workers"] == 2 and f.row_count == n
    assert state(engine, ids) == [("exported", 2)] * n  # status, slug and title in ONE update
    rows = events(engine, "review.export")
    assert len(rows) == n and sorted(e.draft_id for e in rows) == ids
    assert {(e.from_status, e.to_status) for e in rows} == {("approved", "exported")}
    with session_scope(engine) as s:
        items = s.scalars(select(ExportItem).where(ExportItem.batch_id == batch_id).order_by(ExportItem.id)).all()
        assert [i.draft_id for i in items] == ids and [i.slug for i in items] == list(f.slugs)
        drafts = {d.id: d for d in s.scalars(select(Draft).where(Draft.id.in_(ids)))}
        assert [drafts[i].slug for i in ids] == list(f.slugs)
        assert drafts[ids[0]].title == f"Heading {ids[0]}"
        assert s.get(DraftSearch, ids[0]).title == f"Heading {ids[0]}"
        # The file is the one the in-process path writes for the same drafts.
        rows_now = [
            row_from_values(drafts[i], revision_number=drafts[i].current_revision.number,
                            body=drafts[i].current_revision.body, author_name=drafts[i].author.label)
            for i in ids
        ]
        again = export_bytes(rows_now, "wordpress", now=NOW, workers=1)
        batch = s.get(ExportBatch, batch_id)
        assert again.content == f.content == batches.stored_file(batch.content, batch.content_encoding)
    assert len(events(engine, "export.batch")) == 1


def test_a_failure_half_way_through_the_bulk_writes_changes_nothing(engine, people):
    """The status UPDATEs have reached the database when inserting the audit rows fails: the
    transaction rolls back, no draft is exported, no batch, no item, no audit row."""
    ids = fill(engine, people.marketer.id, 5)
    with pytest.raises(RuntimeError, match="disk full"):
        with session_scope(engine) as s:

            @event.listens_for(s, "do_orm_execute")
            def fail_on_audit_insert(state):  # noqa: ANN001
                if state.is_insert and state.statement.table.name == AuditEvent.__tablename__:
                    raise RuntimeError("disk full")

            exporting.run_export(s, people.editor, ids, "hubspot")
    assert state(engine, ids) == [("approved", 1)] * 5
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(ExportBatch)) == 0
        assert s.scalar(select(func.count()).select_from(ExportItem)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(["review.export", "export.batch"]))) == 0  # fmt: skip
        assert all(d.slug == "" for d in s.scalars(select(Draft).where(Draft.id.in_(ids))))
