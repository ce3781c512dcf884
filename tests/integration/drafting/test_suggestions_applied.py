"""A suggestion applied to this occurrence or to all of them: one new revision, checked again."""

from __future__ import annotations

import pytest

from studio.checks.service import latest_report
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import DraftInputError, add_revision, create_draft
from studio.drafting.suggestions import apply_suggestion
from studio.models import Draft

BODY = (
    "# Board news\n\nOur Chairman opened. The chairman spoke, the CHAIRMAN agreed, and every chairman "
    "smiled. Chairmen met. Guys, thanks.\n"
)


def make(engine, author) -> int:
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Board news"), author)
        add_revision(s, d, BODY, author, "generated")
        return d.id


def findings(engine, draft_id):
    with session_scope(engine) as s:
        d = s.get(Draft, draft_id)
        report = latest_report(s, d.current_revision_id)
        return d.version, [(f.id, f.rule, f.text, f.field, list(f.suggestions)) for f in report.findings]


def test_this_one_and_all_of_them_keep_each_occurrences_case(engine, people):
    draft_id = make(engine, people.marketer)
    version, found = findings(engine, draft_id)
    chair = [f for f in found if f[1] == "gendered.chairman" and f[3] == "body"]
    assert sorted(t for _, _, t, _, _ in chair) == sorted(["Chairman", "chairman", "CHAIRMAN", "chairman", "Chairmen"])
    one = next(f for f in chair if f[2] == "chairman")
    with session_scope(engine) as s:
        done = apply_suggestion(s, draft_id, people.marketer, one[0], "chair", version, scope="one")
    assert (done.count, done.revision) == (1, 2)
    with session_scope(engine) as s:
        body = s.get(Draft, draft_id).current_revision.body
    assert body.count("chairman") + body.count("Chairman") + body.count("CHAIRMAN") == 3

    version, found = findings(engine, draft_id)
    first = next(f for f in found if f[1] == "gendered.chairman" and f[2] == "Chairman" and f[3] == "body")
    with session_scope(engine) as s:
        done = apply_suggestion(s, draft_id, people.marketer, first[0], "Chair", version, scope="all")
    assert (done.count, done.revision) == (3, 3)  # Chairman, chairman, CHAIRMAN: the same words
    with session_scope(engine) as s:
        d = s.get(Draft, draft_id)
        assert "Our Chair opened. The chair spoke, the CHAIR agreed, and every chair smiled. Chairmen met." in d.current_revision.body
        assert d.current_revision.reason == "suggestion_applied" and "(3 places)" in d.current_revision.note
        report = latest_report(s, d.current_revision_id)  # checked again
        assert [f.text for f in report.findings if f.rule == "gendered.chairman" and f.field == "body"] == ["Chairmen"]
        assert d.title == "Board news"


def test_a_suggestion_in_a_field_changes_the_field_and_it_is_checked_again(engine, people):
    from studio.publishing.service import update_publishing

    draft_id = make(engine, people.marketer)
    version, _ = findings(engine, draft_id)
    with session_scope(engine) as s:
        update_publishing(s, draft_id, people.marketer, {"excerpt": "Our chairman and his guys."}, version)
    version, found = findings(engine, draft_id)
    guys = next(f for f in found if f[3] == "excerpt" and f[1] == "gendered.guys")
    with session_scope(engine) as s:
        done = apply_suggestion(s, draft_id, people.marketer, guys[0], "folks", version)
    assert (done.count, done.field, done.revision) == (1, "excerpt", None)
    version, found = findings(engine, draft_id)
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).excerpt == "Our chairman and his folks."
    assert not [f for f in found if f[3] == "excerpt" and f[1] == "gendered.guys"]
    assert [f for f in found if f[3] == "excerpt" and f[1] == "gendered.chairman"]


def test_a_suggestion_the_check_did_not_offer_or_from_an_old_check_is_refused(engine, people):
    draft_id = make(engine, people.marketer)
    version, found = findings(engine, draft_id)
    chair = next(f for f in found if f[1] == "gendered.chairman")
    with session_scope(engine) as s, pytest.raises(DraftInputError, match="not one the check offered"):
        apply_suggestion(s, draft_id, people.marketer, chair[0], "backed by our 30-day refund", version)
    with session_scope(engine) as s:
        apply_suggestion(s, draft_id, people.marketer, chair[0], "chair", version)
    version, _ = findings(engine, draft_id)
    with session_scope(engine) as s, pytest.raises(DraftInputError, match="older check"):
        apply_suggestion(s, draft_id, people.marketer, chair[0], "chair", version)
