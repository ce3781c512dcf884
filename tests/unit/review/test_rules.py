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
    available_actions,
    can_edit,
    edit_refusal,
    status_label,
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
        ("exported", "exported"),
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
    assert available_actions(D("in_review"), AUTHOR) == ("comment",)
    assert available_actions(D("approved"), AUTHOR) == ("comment",)


def test_another_marketer_has_no_actions():
    assert available_actions(D("draft"), OTHER_MARKETER) == ()


def test_an_editor_decides_a_draft_in_review():
    assert available_actions(D("in_review"), EDITOR) == ("edit", *DECISIONS, "comment")
    assert available_actions(D("approved"), EDITOR) == ("comment",)


def test_an_editor_does_not_approve_their_own_draft_unless_self_approval_is_on():
    own = available_actions(D("in_review"), EDITOR_AUTHOR)
    assert "approve" not in own and {"request_changes", "reject"} <= set(own)
    assert "approve" in available_actions(D("in_review"), EDITOR_AUTHOR, allow_self_approval=True)


def test_an_admin_sees_but_does_not_decide():
    assert available_actions(D("in_review"), ADMIN) == ()


def test_a_disabled_account_has_no_actions():
    assert available_actions(D("in_review"), DISABLED_EDITOR) == ()
