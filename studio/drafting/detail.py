"""One draft opened, as the plain data the draft view reads (`draft_detail`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.audit.service import timeline
from studio.checks.policy import required_acknowledgements
from studio.checks.service import latest_report
from studio.config import get_settings
from studio.drafting.brief import CONTENT_TYPES, FORMALITY, LANGUAGES
from studio.drafting.schemas import (
    CommentView,
    DraftDetail,
    EventView,
    FindingView,
    GenerationView,
    RevisionView,
)
from studio.drafting.service import get_draft
from studio.models import Comment, Draft, Generation, User
from studio.publishing.service import publishing_values, stale_fields
from studio.review.assignment import reviewer_activity
from studio.review.rules import available_actions, edit_refusal, review_started, withdraw_refusal
from studio.review.state import review_state


def draft_detail(session: Session, draft_id: int, actor: Any) -> DraftDetail:
    """Everything the draft view shows about ``draft_id``, if ``actor`` may see it."""
    draft = get_draft(session, draft_id, actor)
    current = draft.current_revision
    events = timeline(session, draft.id)
    names = _labels(session, {draft.author_id, draft.assignee_id, *(r.author_id for r in draft.revisions),
                              *(e.actor_id for e in events)})  # fmt: skip
    report = latest_report(session, current.id) if current is not None else None
    allow_self = get_settings().studio_allow_self_approval
    activity = reviewer_activity(session, draft)
    timeline_rows = [
        EventView(e.created_at, names.get(e.actor_id) or e.actor_name, e.action, e.from_status, e.to_status,
                  e.comment)
        for e in events
    ]
    author = names.get(draft.author_id, "") or "—"
    rows = sorted(report.findings, key=lambda f: f.id) if report else []
    return DraftDetail(
        id=draft.id,
        title=draft.title or draft.topic,
        status=draft.status,
        incomplete=draft.incomplete,
        last_error=draft.last_error,
        version=draft.version,
        author_id=draft.author_id,
        author=author,
        body=current.body if current else "",
        revision=current.number if current else None,
        brief=brief_labels(draft),
        publishing=publishing_values(draft),
        actions=available_actions(draft, actor, allow_self_approval=allow_self, reviewer_activity=activity),
        edit_refusal=edit_refusal(draft, actor),
        fields_refusal=edit_refusal(draft, actor, "fields"),
        revisions=[
            RevisionView(r.number, r.reason, r.created_at, r.body, r.note, names.get(r.author_id, ""))
            for r in draft.revisions
        ],
        comments=_comments(session, draft.id),
        timeline=timeline_rows,
        review=review_state(
            draft, actor.id, author=author, reviewer=names.get(draft.assignee_id, ""), events=timeline_rows,
            withdraw_refusal=withdraw_refusal(draft, actor, started=review_started(draft, activity)),
        ),
        generations=_generations(session, draft.id),
        verdict=report.verdict if report else None,
        backends=list(report.backends or []) if report else [],
        signals=dict(report.signals or {}) if report else {},
        findings=[
            FindingView(f.id, f.category, f.label, f.start, f.end, f.text, f.severity, f.score,
                        list(f.suggestions or []), f.note, f.rule, f.field or "body", f.advice or "",
                        f.acknowledge or "")
            for f in rows
        ],
        stale_fields=stale_fields(draft),
        acknowledgements=required_acknowledgements(rows),
        checked_at=report.created_at if report else None,
    )


def brief_labels(draft: Draft) -> dict[str, Any]:
    """The brief as a person reads it: labels, not codes."""
    return {
        "Type": CONTENT_TYPES.get(draft.content_type, draft.content_type),
        "Topic": draft.topic,
        "Audience": draft.audience or "—",
        "Keywords": ", ".join(draft.keywords or []) or "—",
        "Voice": draft.tone.capitalize(),
        "Formality": FORMALITY[draft.formality][0] if draft.formality in FORMALITY else draft.formality,
        "Temperature": draft.temperature,
        "Target words": draft.target_words,
        "Language": LANGUAGES.get(draft.language, draft.language),
    }


def _labels(session: Session, user_ids: set[int | None]) -> dict[int | None, str]:
    ids = [i for i in user_ids if i is not None]
    if not ids:
        return {}
    return {u.id: u.label for u in session.scalars(select(User).where(User.id.in_(ids)))}


def _comments(session: Session, draft_id: int) -> list[CommentView]:
    rows = session.execute(
        select(Comment, User)
        .join(User, User.id == Comment.author_id)
        .where(Comment.draft_id == draft_id)
        .order_by(Comment.created_at, Comment.id)
    )
    return [CommentView(u.label, c.created_at, c.body) for c, u in rows]


def _generations(session: Session, draft_id: int) -> list[GenerationView]:
    rows = session.scalars(
        select(Generation).where(Generation.draft_id == draft_id).order_by(Generation.id.desc())
    )
    return [
        GenerationView(
            g.provider, g.model, g.created_at, g.time_to_first_token_ms, g.total_time_ms, g.prompt_tokens,
            g.completion_tokens, g.error, dict(g.parameters or {}), list(g.prompt_messages or []), g.id,
            g.attempt_text,
        )  # fmt: skip
        for g in rows
    ]
