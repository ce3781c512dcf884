"""Who gets which inbox entry, and how it reads: no database."""

from __future__ import annotations

from dataclasses import dataclass

from studio.inbox.rules import FOR_TRANSITION, KINDS, exported_sentence, kind_label, recipients, sentence
from studio.review.rules import TRANSITIONS


@dataclass(frozen=True)
class D:
    author_id: int | None
    assignee_id: int | None = None


@dataclass(frozen=True)
class P:
    id: int


AUTHOR, REVIEWER, OTHER = P(1), P(2), P(3)


def test_decisions_and_exports_go_to_the_author_never_to_the_one_who_acted():
    for kind in ("changes_requested", "approved", "rejected", "exported"):
        assert recipients(kind, D(1, 2), REVIEWER) == [1]
        assert recipients(kind, D(1, 2), AUTHOR) == []  # an editor deciding their own draft


def test_assignment_and_resubmission_go_to_the_reviewer():
    assert recipients("assigned", D(1, 2), OTHER) == [2]
    assert recipients("assigned", D(1, 2), REVIEWER) == []  # they took it themselves
    assert recipients("resubmitted", D(1, 2), AUTHOR) == [2]
    assert recipients("resubmitted", D(1, None), AUTHOR) == []


def test_a_comment_reaches_the_author_and_the_reviewer_but_not_the_commenter():
    assert recipients("comment", D(1, 2), OTHER) == [1, 2]
    assert recipients("comment", D(1, 2), AUTHOR) == [2]
    assert recipients("comment", D(1, 2), REVIEWER) == [1]
    assert recipients("comment", D(1, 1), OTHER) == [1]  # never twice


def test_every_decision_in_the_transition_table_tells_someone():
    assert set(FOR_TRANSITION) <= set(TRANSITIONS)
    assert set(FOR_TRANSITION.values()) <= set(KINDS)


def test_entries_read_as_sentences_with_labels_not_codes():
    assert sentence("approved", "Dana Editor", "Spring launch") == "Dana Editor approved “Spring launch”."
    assert sentence("changes_requested", "", "") == "Someone requested changes to “Untitled draft”."
    long = sentence("comment", "Dana", "word " * 40)
    assert long.endswith("…”.") and len(long) < 120
    assert kind_label("changes_requested") == "Changes requested"
    assert exported_sentence("Ed", 3, 7) == "Ed exported 3 of your drafts (export 7)."
    assert all(k.label and "_" not in k.label for k in KINDS.values())
