"""Reviewers and withdrawing, through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from studio.db import session_scope
from studio.drafting.detail import draft_detail
from studio.drafting.service import edit_text
from studio.errors import PermissionDenied, VersionConflict
from studio.models import AuditEvent, Draft, Notification
from studio.review import assignment
from studio.review import comments as review_comments
from studio.review import service as review
from studio.review.queue import QueueFilter, queue
from studio.review.service import ReviewError
from tests.integration.review.test_review import CLEAN, act, status, submitted, version


@pytest.fixture
def editor2(engine, people):
    from studio.accounts.service import add_user

    with session_scope(engine) as s:
        return add_user(s, people.admin, "eve", "correct horse battery", ["editor"], display_name="Eve Editor")


def assignee(engine, draft_id):
    with session_scope(engine) as s:
        return s.get(Draft, draft_id).assignee_id


def inbox_of(engine, user):
    with session_scope(engine) as s:
        return [(n.kind, n.message, n.draft_id) for n in s.scalars(
            select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id))]


def test_an_editor_claims_a_draft_and_the_queue_filters_assigned_to_me(engine, people, editor2):
    mine, theirs, nobody = (submitted(engine, people) for _ in range(3))
    act(engine, assignment.claim, mine, people.editor, version(engine, mine))
    act(engine, assignment.assign, theirs, people.editor, editor2.id, version(engine, theirs))
    assert assignee(engine, mine) == people.editor.id and assignee(engine, theirs) == editor2.id

    page = act(engine, queue, people.editor, QueueFilter(reviewer="me"))
    assert [r.id for r in page.rows] == [mine] and page.rows[0].reviewer == "Dana Editor"
    assert [r.id for r in act(engine, queue, editor2, QueueFilter(reviewer="me")).rows] == [theirs]
    assert [r.id for r in act(engine, queue, people.editor, QueueFilter(reviewer="nobody")).rows] == [nobody]
    assert len(act(engine, queue, people.editor, QueueFilter()).rows) == 3

    with session_scope(engine) as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.draft_id == theirs))]
    assert actions[-1] == "review.assign"
    # The person given a draft by someone else finds it in their inbox; claiming tells nobody.
    assert inbox_of(engine, editor2) == [("assigned", "Dana Editor assigned “Spring planning” to you for review.", theirs)]
    assert inbox_of(engine, people.editor) == []


def test_a_claimed_draft_cannot_be_claimed_by_another_editor_but_can_be_reassigned(engine, people, editor2):
    draft_id = submitted(engine, people)
    act(engine, assignment.claim, draft_id, people.editor, version(engine, draft_id))
    with pytest.raises(PermissionDenied, match="Dana Editor already reviews this draft"):
        act(engine, assignment.claim, draft_id, editor2, version(engine, draft_id))
    act(engine, assignment.assign, draft_id, editor2, editor2.id, version(engine, draft_id))
    assert assignee(engine, draft_id) == editor2.id
    act(engine, assignment.unassign, draft_id, editor2, version(engine, draft_id))
    assert assignee(engine, draft_id) is None


def test_who_may_assign_and_be_assigned(engine, people, editor2):
    draft_id = submitted(engine, people)
    v = version(engine, draft_id)
    with pytest.raises(PermissionDenied, match="Only editors can assign"):
        act(engine, assignment.assign, draft_id, people.marketer, people.editor.id, v)
    with pytest.raises(PermissionDenied, match="not an active editor"):
        act(engine, assignment.assign, draft_id, people.editor, people.marketer2.id, v)
    with pytest.raises(PermissionDenied):
        act(engine, assignment.claim, draft_id, people.marketer, v)
    with pytest.raises(VersionConflict):
        act(engine, assignment.assign, draft_id, people.editor, editor2.id, v - 1)
    assert [r.label for r in act(engine, assignment.reviewers, people.editor)] == ["Ada Admin", "Dana Editor", "Eve Editor"]


def test_the_marketer_withdraws_a_submission_nobody_started_and_it_is_a_draft_again(engine, people):
    draft_id = submitted(engine, people)
    act(engine, review.transition, draft_id, people.marketer, "withdraw", expected_version=version(engine, draft_id))
    assert status(engine, draft_id) == "draft"
    detail = act(engine, draft_detail, draft_id, people.marketer)
    assert "edit" in detail.actions and "submit" in detail.actions
    assert detail.review.summary.startswith("Withdrawn from review")
    with session_scope(engine) as s:
        last = s.scalars(select(AuditEvent).where(AuditEvent.draft_id == draft_id).order_by(AuditEvent.id.desc())).first()
        assert (last.action, last.from_status, last.to_status) == ("review.withdraw", "in_review", "draft")


@pytest.mark.parametrize("started_by", ["claim", "comment", "edit"])
def test_no_withdraw_once_a_reviewer_has_started(engine, people, started_by):
    draft_id = submitted(engine, people)
    if started_by == "claim":
        act(engine, assignment.claim, draft_id, people.editor, version(engine, draft_id))
    elif started_by == "comment":
        act(engine, review_comments.add_comment, draft_id, people.editor, "Looking at it now.")
    else:
        act(engine, edit_text, draft_id, people.editor, CLEAN + "\nA line from the editor.\n", version(engine, draft_id))
    detail = act(engine, draft_detail, draft_id, people.marketer)
    assert "withdraw" not in detail.actions and "can no longer be withdrawn" in detail.review.withdraw_refusal
    with pytest.raises(ReviewError, match="can no longer be withdrawn"):
        act(engine, review.transition, draft_id, people.marketer, "withdraw", expected_version=version(engine, draft_id))
    assert status(engine, draft_id) == "in_review"


def test_only_the_author_withdraws(engine, people):
    draft_id = submitted(engine, people)
    with pytest.raises(PermissionDenied):
        act(engine, review.transition, draft_id, people.editor, "withdraw", expected_version=version(engine, draft_id))
    with pytest.raises(PermissionDenied):
        act(engine, review.transition, draft_id, people.marketer2, "withdraw", expected_version=version(engine, draft_id))


def test_the_marketer_sees_who_has_the_draft_and_the_latest_request_for_changes(engine, people):
    draft_id = submitted(engine, people)
    state = act(engine, draft_detail, draft_id, people.marketer).review
    assert (state.status_label, state.holder, state.summary) == (
        "In review", "No reviewer yet", "Waiting for an editor to pick it up.")
    act(engine, assignment.claim, draft_id, people.editor, version(engine, draft_id))
    state = act(engine, draft_detail, draft_id, people.marketer).review
    assert state.holder == "Dana Editor" and state.summary == "Dana Editor is reviewing it."
    assert act(engine, draft_detail, draft_id, people.editor).review.summary == "You are reviewing it."

    act(engine, review.request_changes, draft_id, people.editor, version(engine, draft_id), "Add a call to action.")
    state = act(engine, draft_detail, draft_id, people.marketer).review
    assert state.status_label == "Changes requested" and state.holder == "You"
    assert state.summary == "Dana Editor requested changes: it is back with you to revise and resubmit."
    assert (state.latest_request.by, state.latest_request.comment) == ("Dana Editor", "Add a call to action.")
    assert inbox_of(engine, people.marketer)[-1][:2] == ("changes_requested", "Dana Editor requested changes to “Spring planning”.")

    # The resubmission goes back to the same reviewer, and tells them.
    act(engine, edit_text, draft_id, people.marketer, CLEAN + "\nBook a call today.\n", version(engine, draft_id))
    act(engine, review.submit, draft_id, people.marketer, version(engine, draft_id))
    assert assignee(engine, draft_id) == people.editor.id
    assert inbox_of(engine, people.editor)[-1][0] == "resubmitted"
    act(engine, review.approve, draft_id, people.editor, version(engine, draft_id), "Good.", manual_review_confirmed=True)
    state = act(engine, draft_detail, draft_id, people.marketer).review
    assert state.decision.by == "Dana Editor" and state.summary.startswith("Dana Editor approved it")
    assert state.latest_request.comment == "Add a call to action."  # still there to read
    assert [k for k, _, _ in inbox_of(engine, people.marketer)] == ["changes_requested", "approved"]
