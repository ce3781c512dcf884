"""The review workflow through its services, on a real SQLite database."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

pass
from studio.audit import service as audit
from studio.checks.report import BackendStatus
from studio.config import Settings
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft, edit_text
from studio.errors import PermissionDenied, VersionConflict
from studio.models import AuditEvent, Draft
from studio.review import comments as review_comments
from studio.review import diff as review_diff
from studio.review import queue as review_queue
from studio.review import rules
from studio.review import service as review
from studio.review.rules import STATUSES
from studio.review.service import ReviewError

CLEAN = "# Spring planning\n\nA short, friendly guide to planning your spring campaigns with your team.\n"


def make_draft(engine, author, body: str = CLEAN, status: str | None = None) -> tuple[int, int]:
    with session_scope(engine) as s:
        d = create_draft(s, Brief.create(content_type="blog", topic="Spring planning"), author)
        add_revision(s, d, body, author, "generated")
        s.flush()
        if status:
            d.status = status
        s.flush()
        return d.id, d.version


def version(engine, draft_id) -> int:
    with session_scope(engine) as s:
        return s.get(Draft, draft_id).version


def status(engine, draft_id) -> str:
    with session_scope(engine) as s:
        return s.get(Draft, draft_id).status


def act(engine, fn, *args, **kw):
    with session_scope(engine) as s:
        return fn(s, *args, **kw)


def submitted(engine, people, body: str = CLEAN, author=None) -> int:
    author = author or people.marketer
    draft_id, v = make_draft(engine, author, body)
    act(engine, review.submit, draft_id, author, v)
    return draft_id


# ------------------------------------------------------------------------------------------
# The transition table, every pair


EXPECTED_ALLOWED = {
    ("draft", "in_review"),
    ("changes_requested", "in_review"),
    ("in_review", "approved"),
    ("in_review", "changes_requested"),
    ("in_review", "rejected"),
    ("approved", "exported"),
    ("exported", "exported"),
    ("in_review", "draft"),  # withdrawn by its author
    # a change to a field that ships, after approval (publishing.service.update_publishing)
    ("approved", "in_review"),
    ("exported", "in_review"),
}


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_every_pair_of_statuses_is_allowed_or_refused(source, target):
    allowed = {(s, t.target) for t in rules.TRANSITIONS.values() for s in t.sources}
    assert ((source, target) in allowed) == ((source, target) in EXPECTED_ALLOWED)


@pytest.mark.parametrize(
    "source,action",
    [(s, a) for s in STATUSES for a in ("submit", "approve", "request_changes", "reject")],
)
def test_the_service_enforces_the_table(engine, people, source, action):
    draft_id, v = make_draft(engine, people.marketer, status=source)
    actor = people.marketer if action == "submit" else people.editor
    allowed = (source, rules.TRANSITIONS[action].target) in EXPECTED_ALLOWED and source in rules.TRANSITIONS[action].sources
    if source == "changes_requested" and action == "submit":
        act(engine, edit_text, draft_id, people.marketer, CLEAN + "\nRevised.\n", v)
        v = version(engine, draft_id)
    if allowed:
        act(engine, review.transition, draft_id, actor, action, expected_version=v, comment="ok",
            manual_review_confirmed=True)
        assert status(engine, draft_id) == rules.TRANSITIONS[action].target
    else:
        with pytest.raises(ReviewError, match="so it cannot be"):
            act(engine, review.transition, draft_id, actor, action, expected_version=v, comment="ok")
        assert status(engine, draft_id) == source


# ------------------------------------------------------------------------------------------
# Permission matrix: every role × every action, through the services

ROLES = ("marketer", "editor", "admin_only")


@pytest.fixture
def admin_only(engine, people):
    from studio.accounts.service import add_user

    with session_scope(engine) as s:
        return add_user(s, people.admin, "root", "correct horse battery", ["admin"])


def _actor(people, admin_only, role):
    return {"marketer": people.marketer, "editor": people.editor, "admin_only": admin_only}[role]


def _do(engine, people, actor, action):
    """Perform `action` as `actor` on a fresh draft prepared for it; return True if allowed."""
    from studio.accounts.service import add_user

    other = people.marketer2
    if action == "create":
        with session_scope(engine) as s:
            create_draft(s, Brief.create(content_type="blog", topic="x"), actor)
    elif action == "edit_own":
        if actor is people.marketer:
            draft_id, v = make_draft(engine, actor)
        else:  # the actor's "own" draft can only exist if they could create one
            with session_scope(engine) as s:
                create_draft(s, Brief.create(content_type="blog", topic="x"), actor)
            return True
        act(engine, edit_text, draft_id, actor, CLEAN + "more\n", v)
    elif action == "edit_others_in_review":
        draft_id = submitted(engine, people)
        act(engine, edit_text, draft_id, actor, CLEAN + "edited in review\n", version(engine, draft_id))
    elif action == "submit_own":
        draft_id, v = make_draft(engine, people.marketer)
        act(engine, review.submit, draft_id, actor, v)
    elif action in {"approve", "reject", "request_changes"}:
        draft_id = submitted(engine, people)
        act(engine, review.transition, draft_id, actor, action, expected_version=version(engine, draft_id),
            comment="decided", manual_review_confirmed=True)
    elif action == "comment_on_others":
        draft_id = submitted(engine, people, author=other)
        act(engine, review_comments.add_comment, draft_id, actor, "Looks good")
    elif action == "view_queue":
        act(engine, review_queue.queue, actor, review_queue.QueueFilter())
    elif action == "manage_users":
        with session_scope(engine) as s:
            add_user(s, actor, f"new{id(actor) % 1000}", "correct horse battery", ["marketer"])
    elif action == "view_audit":
        act(engine, audit.query, actor)
    elif action == "open_others_draft":
        draft_id, _ = make_draft(engine, other)
        from studio.drafting.service import get_draft

        act(engine, get_draft, draft_id, actor)
    else:  # pragma: no cover
        raise AssertionError(action)
    return True


# Written out by hand, independently of the code's permission table.
MATRIX = {
    #                         marketer editor admin_only
    "create":                (True,    False,  False),
    "edit_own":              (True,    False,  False),
    "edit_others_in_review": (False,   True,   False),
    "submit_own":            (True,    False,  False),
    "approve":               (False,   True,   False),
    "reject":                (False,   True,   False),
    "request_changes":       (False,   True,   False),
    "comment_on_others":     (False,   True,   False),
    "view_queue":            (False,   True,   True),
    "open_others_draft":     (False,   True,   True),
    "manage_users":          (False,   False,  True),
    "view_audit":            (False,   False,  True),
}


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
def test_permission_matrix_through_the_services(engine, people, admin_only, action, role_index, role):
    actor = _actor(people, admin_only, role)
    expected = MATRIX[action][role_index]
    if expected:
        assert _do(engine, people, actor, action)
    else:
        with pytest.raises(PermissionDenied):
            _do(engine, people, actor, action)


def test_a_disabled_person_can_do_nothing_even_with_an_old_session_object(engine, people):
    from studio.accounts.service import disable_user

    draft_id = submitted(engine, people)
    with session_scope(engine) as s:
        disable_user(s, people.admin, "dana")
    with pytest.raises(PermissionDenied):
        act(engine, review.approve, draft_id, people.editor, version(engine, draft_id))
    assert status(engine, draft_id) == "in_review"


# ------------------------------------------------------------------------------------------
# Rules of approval


def test_author_cannot_approve_their_own_draft_unless_the_setting_allows(engine, people):
    from studio.accounts.service import add_user

    with session_scope(engine) as s:
        both = add_user(s, people.admin, "solo", "correct horse battery", ["marketer", "editor"])
    draft_id, v = make_draft(engine, both)
    act(engine, review.submit, draft_id, both, v)
    with pytest.raises(PermissionDenied, match="another editor must approve"):
        act(engine, review.approve, draft_id, both, version(engine, draft_id))
    act(engine, review.approve, draft_id, both, version(engine, draft_id),
        settings=Settings(studio_allow_self_approval=True))
    assert status(engine, draft_id) == "approved"


def test_a_blocked_draft_needs_an_override_reason(engine, people, monkeypatch):
    monkeypatch.setenv("STUDIO_BANNED_TERMS", '["AcmeRival"]')
    from studio.config import reload_settings

    reload_settings()
    draft_id = submitted(engine, people, CLEAN + "\nUnlike AcmeRival, we ship on time.\n")
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).check_verdict == "block"
    with pytest.raises(ReviewError, match="override reason"):
        act(engine, review.approve, draft_id, people.editor, version(engine, draft_id))
    assert status(engine, draft_id) == "in_review"
    act(engine, review.approve, draft_id, people.editor, version(engine, draft_id),
        override_reason="Legal cleared the comparison on 2026-11-20.")
    events = act(engine, audit.timeline, draft_id)
    approval = [e for e in events if e.action == "review.approve"][-1]
    assert approval.data["override_reason"] == "Legal cleared the comparison on 2026-11-20."
    assert approval.data["verdict"] == "block"


def test_unavailable_checks_need_explicit_manual_review(engine, people, monkeypatch):
    from studio.checks import pipeline

    monkeypatch.setattr(
        pipeline, "run_toxicity",
        lambda text, settings, sents: ([BackendStatus("profanity-check", "unavailable", "model missing", "fallback")], []),
    )
    draft_id = submitted(engine, people)
    with session_scope(engine) as s:
        assert s.get(Draft, draft_id).check_verdict == "unavailable"
    with pytest.raises(ReviewError, match="reviewed it manually"):
        act(engine, review.approve, draft_id, people.editor, version(engine, draft_id))
    act(engine, review.approve, draft_id, people.editor, version(engine, draft_id), manual_review_confirmed=True)
    assert status(engine, draft_id) == "approved"


def test_submitting_runs_the_checks_on_the_current_revision(engine, people):
    draft_id, v = make_draft(engine, people.marketer, CLEAN + "\nOur chairman promises guaranteed results.\n")
    with session_scope(engine) as s:
        before = s.scalar(select(__import__("sqlalchemy").func.count()).select_from(__import__("studio.models", fromlist=["CheckReport"]).CheckReport))
    act(engine, review.submit, draft_id, people.marketer, v)
    with session_scope(engine) as s:
        from studio.models import CheckReport

        reports = s.scalars(select(CheckReport)).all()
        assert len(reports) == before + 1
        assert {f.category for f in reports[-1].findings} >= {"bias", "claims"}
        assert s.get(Draft, draft_id).check_verdict == "warn"


def test_request_changes_then_resubmit_needs_a_revision(engine, people):
    draft_id = submitted(engine, people)
    act(engine, review.request_changes, draft_id, people.editor, version(engine, draft_id), "Add a CTA.")
    with pytest.raises(ReviewError, match="revise the text"):
        act(engine, review.submit, draft_id, people.marketer, version(engine, draft_id))
    act(engine, edit_text, draft_id, people.marketer, CLEAN + "\nBook a demo today.\n", version(engine, draft_id))
    act(engine, review.submit, draft_id, people.marketer, version(engine, draft_id))
    assert status(engine, draft_id) == "in_review"
    comments = act(engine, review_comments.comments, draft_id, people.marketer)
    assert [c.body for c in comments] == ["Add a CTA."]


def test_decisions_without_a_comment_are_refused_where_one_is_needed(engine, people):
    draft_id = submitted(engine, people)
    for fn in (review.request_changes, review.reject):
        with pytest.raises(ReviewError, match="comment is required"):
            act(engine, fn, draft_id, people.editor, version(engine, draft_id), "  ")


# ------------------------------------------------------------------------------------------
# Optimistic locking


def test_a_stale_version_changes_nothing_and_says_who_did_what(engine, people):
    draft_id = submitted(engine, people)
    seen = version(engine, draft_id)
    act(engine, review.approve, draft_id, people.editor, seen, "Great")
    with pytest.raises(VersionConflict, match=r"Dana Editor approved this at \d\d:\d\d UTC — reload to see it"):
        act(engine, review.reject, draft_id, people.editor, seen, "No")
    assert status(engine, draft_id) == "approved"


def test_two_editors_two_sessions_exactly_one_decision_wins(engine, people):
    from studio.accounts.service import add_user

    with session_scope(engine) as s:
        second = add_user(s, people.admin, "erin", "correct horse battery", ["editor"], display_name="Erin")
    draft_id = submitted(engine, people)
    seen = version(engine, draft_id)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def decide(name, editor, fn, comment):
        barrier.wait()
        try:
            with session_scope(engine) as s:
                fn(s, draft_id, editor, seen, comment)
            results[name] = "ok"
        except VersionConflict as exc:
            results[name] = exc

    threads = [
        threading.Thread(target=decide, args=("dana", people.editor, review.approve, "Ship it")),
        threading.Thread(target=decide, args=("erin", second, review.reject, "Off brand")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(map(str, results.values()))
    assert list(results.values()).count("ok") == 1, results
    loser = next(v for v in results.values() if v != "ok")
    assert "reload to see it" in str(loser)
    with session_scope(engine) as s:
        decisions = s.scalars(
            select(AuditEvent).where(AuditEvent.draft_id == draft_id, AuditEvent.action.in_(
                ["review.approve", "review.reject"]))
        ).all()
        assert len(decisions) == 1
        assert s.get(Draft, draft_id).status == decisions[0].to_status
    assert outcomes


# ------------------------------------------------------------------------------------------
# Queue, search, diff


def test_queue_filters_counts_search_and_pages(engine, people):
    ids = [submitted(engine, people, CLEAN + f"\nPiece number {i} about {'gardening' if i % 2 else 'cycling'}.\n")
           for i in range(5)]
    act(engine, review.approve, ids[0], people.editor, version(engine, ids[0]), "ok")
    make_draft(engine, people.marketer2)  # a plain draft by someone else
    page = act(engine, review_queue.queue, people.editor, review_queue.QueueFilter(statuses=("in_review",), page_size=2))
    assert page.total == 4 and page.pages == 2 and len(page.rows) == 2
    assert page.counts["in_review"] == 4 and page.counts["approved"] == 1 and page.counts["draft"] == 1
    found = act(engine, review_queue.queue, people.editor, review_queue.QueueFilter(statuses=(), search="gardening"))
    assert {r.id for r in found.rows} == {ids[1], ids[3]}
    prefix = act(engine, review_queue.queue, people.editor, review_queue.QueueFilter(statuses=(), search="garden"))
    assert {r.id for r in prefix.rows} == {ids[1], ids[3]}
    by_author = act(engine, review_queue.queue, people.editor, review_queue.QueueFilter(statuses=(), author="milo"))
    assert by_author.total == 1
    hostile = act(engine, review_queue.queue, people.editor, review_queue.QueueFilter(statuses=(), search='") OR 1=1 -- NEAR('))
    assert hostile.total == 0


def test_diff_marks_additions_and_deletions():
    ops = review_diff.diff_revisions("The quick brown fox.", "The quick red fox jumps.")
    assert ("delete", "brown") in ops and ("insert", "red") in ops
    assert any(op == "insert" and "jumps" in text for op, text in ops)
    assert "".join(t for op, t in ops if op != "delete") == "The quick red fox jumps."
    assert "".join(t for op, t in ops if op != "insert") == "The quick brown fox."


def test_editor_edit_during_review_makes_a_revision_and_rechecks(engine, people):
    from studio.models import CheckReport, Revision

    draft_id = submitted(engine, people)
    act(engine, edit_text, draft_id, people.editor, CLEAN + "\nThe chairman agrees.\n", version(engine, draft_id))
    with session_scope(engine) as s:
        d = s.get(Draft, draft_id)
        rev = s.get(Revision, d.current_revision_id)
        assert rev.number == 2 and rev.author_id == people.editor.id
        report = s.scalars(select(CheckReport).where(CheckReport.revision_id == rev.id)).one()
        assert any(f.text == "chairman" for f in report.findings)
    ops = act(engine, review_diff.compare, draft_id, people.editor, 1, 2)
    assert any(op == "insert" and "chairman" in t for op, t in ops)
