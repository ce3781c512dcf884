"""The workflow's rules with no database: plain objects stand in for drafts and people, as the
rules read nothing else."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from studio.review.rules import (
    DECISIONS,
    STATUSES,
    TRANSITIONS,
    DraftStatus,
    assignment_refusal,
    available_actions,
    can_edit,
    edit_refusal,
    review_started,
    status_label,
    withdraw_refusal,
)


@dataclass(frozen=True)
class P:
    id: int
    roles: frozenset[str]
    disabled: bool = False


@dataclass(frozen=True)
class D:
    status: str
    author_id: int = 1
    assignee_id: int | None = None


AUTHOR = P(1, frozenset({"marketer"}))
OTHER_MARKETER = P(2, frozenset({"marketer"}))
EDITOR = P(3, frozenset({"editor"}))
ADMIN = P(4, frozenset({"admin"}))
EDITOR_AUTHOR = P(1, frozenset({"marketer", "editor"}))
DISABLED_EDITOR = P(5, frozenset({"editor"}), disabled=True)


def test_every_status_has_a_label_a_person_reads():
    assert [s.label for s in STATUSES] == [
        "Draft", "In review", "Changes requested", "Approved", "Rejected", "Exported",
    ]
    assert status_label("in_review") == "In review"
    assert status_label("something-else") == "something-else"
    assert DraftStatus("changes_requested") == "changes_requested"  # stored as the plain code


def test_the_transition_table():
    pairs = {(s.value, t.target.value) for t in TRANSITIONS.values() for s in t.sources}
    assert pairs == {
        ("draft", "in_review"), ("changes_requested", "in_review"), ("in_review", "approved"),
        ("in_review", "changes_requested"), ("in_review", "rejected"), ("approved", "exported"),
        ("exported", "exported"), ("in_review", "draft"),
        # a change to what ships after approval sends the draft back to review
        ("approved", "in_review"), ("exported", "in_review"),
    }
    assert {a for a, t in TRANSITIONS.items() if t.bulk} == {"request_changes", "reject", "export"}
    assert {a for a, t in TRANSITIONS.items() if t.comment_required} == {"request_changes", "reject"}


@pytest.mark.parametrize(
    "person,status,allowed",
    [
        (AUTHOR, "draft", True), (AUTHOR, "changes_requested", True), (AUTHOR, "in_review", False),
        (AUTHOR, "approved", False), (OTHER_MARKETER, "draft", False), (EDITOR, "in_review", True),
        (EDITOR, "draft", True), (EDITOR, "approved", False), (EDITOR, "exported", False),
        (ADMIN, "draft", False), (EDITOR_AUTHOR, "in_review", True), (DISABLED_EDITOR, "in_review", False),
    ],
)  # fmt: skip
def test_who_may_edit_the_text(person, status, allowed):
    assert can_edit(D(status), person) is allowed


def test_a_refusal_says_why_in_words():
    assert edit_refusal(D("in_review"), AUTHOR) == (
        "This draft is in review; an editor may edit it, or wait for their decision."
    )
    assert edit_refusal(D("approved"), EDITOR) == "This draft is approved; its text can no longer be changed."
    assert edit_refusal(D("draft"), OTHER_MARKETER) == "Only the author or an editor can change this draft."


@pytest.mark.parametrize(
    "person,status,allowed",
    [
        (AUTHOR, "draft", True), (AUTHOR, "approved", False), (EDITOR, "approved", True),
        (EDITOR, "exported", True), (EDITOR, "rejected", False), (OTHER_MARKETER, "draft", False),
    ],
)  # fmt: skip
def test_who_may_edit_the_publishing_fields(person, status, allowed):
    assert can_edit(D(status), person, "fields") is allowed


def test_an_editor_may_change_the_fields_of_an_approved_piece_but_not_a_rejected_one():
    assert edit_refusal(D("rejected"), EDITOR, "fields") == (
        "This draft was rejected; its publishing fields can no longer be changed."
    )
    assert edit_refusal(D("approved"), AUTHOR, "fields") == (
        "This draft is approved; only an editor can change its publishing fields now."
    )


def test_the_author_of_a_draft_may_edit_submit_and_comment():
    assert available_actions(D("draft"), AUTHOR) == ("edit", "submit", "comment")
    assert available_actions(D("changes_requested"), AUTHOR) == ("edit", "submit", "comment")
    assert available_actions(D("in_review"), AUTHOR) == ("withdraw", "comment")
    assert available_actions(D("approved"), AUTHOR) == ("comment",)


def test_another_marketer_has_no_actions():
    assert available_actions(D("draft"), OTHER_MARKETER) == ()


def test_an_editor_decides_a_draft_in_review():
    assert available_actions(D("in_review"), EDITOR) == ("edit", *DECISIONS, "claim", "assign", "comment")
    assert available_actions(D("approved"), EDITOR) == ("comment",)


def test_an_editor_does_not_approve_their_own_draft_unless_self_approval_is_on():
    own = available_actions(D("in_review"), EDITOR_AUTHOR)
    assert "approve" not in own and {"request_changes", "reject"} <= set(own)
    assert "approve" in available_actions(D("in_review"), EDITOR_AUTHOR, allow_self_approval=True)


def test_an_admin_sees_but_does_not_decide():
    assert available_actions(D("in_review"), ADMIN) == ()


def test_a_disabled_account_has_no_actions():
    assert available_actions(D("in_review"), DISABLED_EDITOR) == ()


# --------------------------------------------------------------------------------------------
# Withdraw and reviewers


def test_the_author_withdraws_a_submission_nobody_has_started_on():
    assert withdraw_refusal(D("in_review"), AUTHOR, started=False) is None
    assert "withdraw" in available_actions(D("in_review"), AUTHOR)


def test_no_withdraw_once_a_reviewer_has_it_or_has_acted_on_it():
    claimed = D("in_review", assignee_id=EDITOR.id)
    assert review_started(claimed) and not review_started(D("in_review"))
    assert review_started(D("in_review"), reviewer_activity=True)
    assert "can no longer be withdrawn" in withdraw_refusal(claimed, AUTHOR, started=True)
    assert "withdraw" not in available_actions(claimed, AUTHOR)
    assert "withdraw" not in available_actions(D("in_review"), AUTHOR, reviewer_activity=True)


def test_only_the_author_withdraws_and_only_from_review():
    assert withdraw_refusal(D("in_review"), EDITOR, started=False) == "Only the author can withdraw a draft from review."
    assert withdraw_refusal(D("in_review"), OTHER_MARKETER, started=False) is not None
    assert "not in review" in withdraw_refusal(D("approved"), AUTHOR, started=False)
    assert "withdraw" not in available_actions(D("draft"), AUTHOR)


def test_an_editor_claims_an_unassigned_draft_and_assigns_or_unassigns_one():
    assert {"claim", "assign"} <= set(available_actions(D("in_review"), EDITOR))
    held = available_actions(D("in_review", assignee_id=9), EDITOR)
    assert "claim" not in held and {"assign", "unassign"} <= set(held)
    # While the author revises, the reviewer can be changed, but nobody claims it.
    waiting = available_actions(D("changes_requested"), EDITOR)
    assert "assign" in waiting and "claim" not in waiting
    assert not {"claim", "assign"} & set(available_actions(D("approved"), EDITOR))
    assert not {"claim", "assign"} & set(available_actions(D("in_review"), ADMIN))
    assert not {"claim", "assign"} & set(available_actions(D("in_review"), AUTHOR))


def test_an_editor_does_not_claim_their_own_draft_unless_self_approval_is_on():
    assert "claim" not in available_actions(D("in_review"), EDITOR_AUTHOR)
    assert "claim" in available_actions(D("in_review"), EDITOR_AUTHOR, allow_self_approval=True)


def test_who_can_be_given_a_draft():
    assert assignment_refusal(D("in_review"), EDITOR, EDITOR) is None
    assert assignment_refusal(D("in_review"), EDITOR, None) is None
    assert "not an active editor" in assignment_refusal(D("in_review"), EDITOR, OTHER_MARKETER)
    assert "not an active editor" in assignment_refusal(D("in_review"), EDITOR, DISABLED_EDITOR)
    assert "their own draft" in assignment_refusal(D("in_review"), EDITOR, EDITOR_AUTHOR)
    assert assignment_refusal(D("in_review"), EDITOR, EDITOR_AUTHOR, allow_self_approval=True) is None
    assert assignment_refusal(D("in_review"), AUTHOR, EDITOR) == "Only editors can assign drafts to reviewers."
    assert "only drafts in review" in assignment_refusal(D("approved"), EDITOR, EDITOR)
