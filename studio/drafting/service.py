"""Drafts and revisions: creating, reading and editing, with the actor checked every time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from studio.accounts.permissions import active, authorize, can, require
from studio.audit.service import record
from studio.checks.report import Report
from studio.checks.service import check_after_commit, store_report
from studio.content import HTML_VERSION, render_html, storable_text
from studio.drafting.brief import Brief
from studio.drafting.schemas import DraftRow, SavedRevision
from studio.errors import InputError, NotFound, PermissionDenied, VersionConflict
from studio.models import AuditEvent, Draft, ExportItem, Generation, Revision, User, utcnow
from studio.publishing.derivation import CONTENT_FIELDS, refresh, text_values
from studio.publishing.fields import PUBLISHING_UPDATED
from studio.review.rules import DraftStatus, edit_refusal
from studio.search import index_draft
from studio.validation import storable

MAX_BODY_CHARS = 200_000
TITLE_MAX_CHARS = 300


class DraftNotFound(NotFound):
    pass


class DraftInputError(InputError):
    pass


def create_draft(session: Session, brief: Brief, author: Any) -> Draft:
    author = authorize(session, author, "draft.create")
    draft = Draft(
        author_id=author.id,
        content_type=brief.content_type,
        topic=brief.topic,
        audience=brief.audience,
        keywords=list(brief.keywords),
        tone=brief.tone,
        formality=brief.formality,
        temperature=brief.temperature,
        target_words=brief.target_words,
        language=brief.language,
        status=DraftStatus.DRAFT.value,
    )
    _brief_context(draft, brief)
    session.add(draft)
    session.flush()
    record(session, author, "draft.created", draft_id=draft.id, to_status=DraftStatus.DRAFT.value)
    return draft


def update_brief(session: Session, draft: Draft, brief: Brief) -> None:
    draft.content_type = brief.content_type
    draft.topic = brief.topic
    draft.audience = brief.audience
    draft.keywords = list(brief.keywords)
    draft.tone = brief.tone
    draft.formality = brief.formality
    draft.temperature = brief.temperature
    draft.target_words = brief.target_words
    draft.language = brief.language
    _brief_context(draft, brief)


def _brief_context(draft: Draft, brief: Brief) -> None:
    """The voice (and its version, when resolved), the sources the brief names and the prompt
    version it is written with."""
    guide = brief.context.voice if brief.context is not None else None
    draft.voice_id = guide.id if guide is not None else brief.voice_id
    draft.voice_version = guide.version if guide is not None else None
    draft.source_ids = list(brief.source_ids)
    draft.search_sources = brief.search_sources
    prompt = brief.context.prompt if brief.context is not None else None
    if prompt is not None:  # the version its text is written with (studio.prompts)
        draft.prompt_version_id = prompt.version_id


def add_revision(
    session: Session,
    draft: Draft,
    body: str,
    actor: Any | None,
    reason: str,
    note: str = "",
    *,
    run_checks: bool = True,
    report: Report | None = None,
) -> Revision:
    """Every text change is a new revision; the draft points at the newest.

    Its checks run once this transaction has committed (`checks.service.check_after_commit`),
    never while it holds the database; a caller that ran them beforehand passes ``report``.
    """
    body = _body_within_limit(body)
    lock_draft(session, draft)  # no two revisions get one number
    number = (
        session.scalar(select(func.max(Revision.number)).where(Revision.draft_id == draft.id)) or 0
    ) + 1
    revision = Revision(
        draft_id=draft.id, number=number, body=body, author_id=actor.id if actor else None, reason=reason,
        note=note, body_html=render_html(body), html_version=HTML_VERSION,  # rendered once, not per export
    )
    previous_body = draft.current_revision.body if draft.current_revision is not None else ""
    session.add(revision)
    session.flush()
    _take_text(session, draft, revision, body, reason, note, previous_body, run_checks=run_checks, report=report)
    return revision


def rewrite_revision(
    session: Session,
    draft: Draft,
    revision: Revision,
    body: str,
    reason: str,
    note: str = "",
    *,
    run_checks: bool = True,
    report: Report | None = None,
) -> Revision:
    """The revision a generation has been writing as it streamed takes its final text (the one
    exception to "every change is a new revision": it is still the same run's text)."""
    body = _body_within_limit(body)
    lock_draft(session, draft)
    previous_body = draft.current_revision.body if draft.current_revision is not None else ""
    revision.body, revision.reason, revision.note = body, reason, note
    revision.body_html, revision.html_version = render_html(body), HTML_VERSION
    _take_text(session, draft, revision, body, reason, note, previous_body, run_checks=run_checks, report=report)
    return revision


def _body_within_limit(body: str) -> str:
    body = storable_text(body)
    if len(body) > MAX_BODY_CHARS:
        raise DraftInputError(f"The text is {len(body):,} characters; the limit is {MAX_BODY_CHARS:,}.")
    return body


def _take_text(
    session: Session, draft: Draft, revision: Revision, body: str, reason: str, note: str, previous_body: str,
    *, run_checks: bool, report: Report | None,
) -> None:  # fmt: skip
    draft.current_revision = revision
    draft.incomplete = reason == "partial"
    if reason != "partial":
        draft.last_error = None
    refresh_fields(session, draft, previous_body, body)
    draft.updated_at = utcnow()
    index_draft(session, draft)
    if report is not None:
        store_report(session, draft, revision, report)
    elif run_checks and body.strip():
        check_after_commit(session, draft, revision)


def was_exported(session: Session, draft: Draft) -> bool:
    """Whether ``draft`` went out in an export (its slug is then fixed)."""
    if draft.status == DraftStatus.EXPORTED:
        return True
    return session.scalar(select(ExportItem.id).where(ExportItem.draft_id == draft.id).limit(1)) is not None


def _field_state(session: Session, draft: Draft) -> dict[str, Any]:
    """``draft.field_state``; for a draft saved before fields had a state, the fields a person
    changed (from the audit trail) count as set by hand."""
    state = dict(draft.field_state or {})
    if state or draft.id is None:
        return state
    events = session.scalars(
        select(AuditEvent.data).where(AuditEvent.draft_id == draft.id, AuditEvent.action == PUBLISHING_UPDATED)
    )
    for data in events:
        for name in (data or {}).get("changed") or []:
            if name in CONTENT_FIELDS:
                state[name] = {"by": "person"}
    return state


def refresh_fields(session: Session, draft: Draft, previous_body: str, body: str) -> tuple[str, ...]:
    """Derive the publishing fields again from the new text unless a person set them (those are
    marked "may be out of date" when their source changed); returns the stale fields."""
    old_text = text_values(draft, previous_body)
    new_text = text_values(draft, body)
    current = {name: getattr(draft, name) for name in CONTENT_FIELDS}
    state = _field_state(session, draft)
    for name, st in state.items():  # states read from the audit trail have no basis yet
        st.setdefault("basis", old_text[name] if name != "slug" else current["slug"])
    result = refresh(current, state, old_text, new_text, slug_frozen=bool(previous_body) and was_exported(session, draft))
    for name, value in result.values.items():
        setattr(draft, name, value[:TITLE_MAX_CHARS] if name == "title" else value)
    draft.field_state = result.state
    return result.stale


def guard_view(actor: Any, draft: Any) -> None:
    if draft.author_id == actor.id:
        require(actor, "draft.edit_own")
    elif not can(actor, "draft.view_all"):
        raise PermissionDenied("You can only open your own drafts.")


def get_draft(session: Session, draft_id: int, actor: Any) -> Draft:
    draft = session.get(
        Draft,
        draft_id,
        options=[selectinload(Draft.revisions), selectinload(Draft.current_revision)],
    )
    if draft is None:
        raise DraftNotFound(f"Draft {draft_id} does not exist.")
    guard_view(actor, draft)
    return draft


# How the conflict message names what the other person did.
_DONE = {
    "review.approve": "approved",
    "review.reject": "rejected",
    "review.request_changes": "requested changes to",
    "review.submit": "submitted",
    "review.export": "exported",
    "draft.edited": "edited",
    "draft.suggestion_applied": "applied a suggestion to",
    "draft.generated": "regenerated",
    "draft.restored_attempt": "restored an unfinished generation of",
    "draft.publishing_updated": "changed the publishing fields of",
    "review.withdraw": "withdrew",
    "review.assign": "assigned a reviewer to",
    "review.unassign": "removed the reviewer of",
    "review.claim": "took the review of",
    "draft.revised_by_instruction": "revised",
    "draft.critic_pass": "revised",
    "draft.variant_kept": "changed the text of",
    "draft.outline_saved": "changed the outline of",
    "review.reopen": "sent back to review",
}


def lock_draft(session: Session, draft: Draft) -> None:
    """Hold the draft's row until this transaction ends, and see its latest committed state.

    On PostgreSQL two actions on one draft then run one after the other: the second waits, then
    sees the first's version (a clear VersionConflict) instead of inserting a duplicate revision
    number or failing its versioned UPDATE. SQLite needs no lock (the engine begins IMMEDIATE, so
    writers are serialised already) and ignores FOR UPDATE.
    """
    if draft.id is None or session.get_bind().dialect.name == "sqlite":
        return
    latest = session.scalar(select(Draft.version).where(Draft.id == draft.id).with_for_update())
    if latest is not None and latest != draft.version:
        session.refresh(draft)  # someone committed after we loaded it


def check_version(session: Session, draft: Draft, expected_version: int | None) -> None:
    """Refuse an action based on a stale view, saying who acted first and when."""
    lock_draft(session, draft)
    if expected_version is None or draft.version == expected_version:
        return
    last = session.execute(
        select(AuditEvent, User)
        .join(User, User.id == AuditEvent.actor_id, isouter=True)
        .where(AuditEvent.draft_id == draft.id, AuditEvent.action.in_(list(_DONE)))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    if last is not None:
        event, user = last
        who = user.label if user is not None else (event.actor_name or "Someone")
        raise VersionConflict(
            f"{who} {_DONE[event.action]} this at {event.created_at:%H:%M} UTC — reload to see it. "
            "Nothing was changed."
        )
    raise VersionConflict("This draft changed since you opened it — reload to see it. Nothing was changed.")


def editable_draft(session: Session, draft_id: int, actor: Any, expected_version: int | None = None) -> tuple[Draft, User]:
    """The draft and the actor as the database has them, if the actor may change its text now
    (and it is still the version they saw)."""
    draft = get_draft(session, draft_id, actor)
    check_version(session, draft, expected_version)
    own = draft.author_id == actor.id
    user = authorize(session, actor, "draft.edit_own" if own else "draft.edit_any")
    refusal = edit_refusal(draft, user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    return draft, user


def edit_text(
    session: Session,
    draft_id: int,
    actor: Any,
    body: str,
    expected_version: int | None,
    *,
    reason: str = "edited",
    note: str = "",
) -> Revision:
    draft, actor = editable_draft(session, draft_id, actor, expected_version)
    storable(note or "", "The note", "note")
    body = storable_text(storable(body, "The text", "body"))
    if not body.strip():
        raise DraftInputError("The text is empty. Nothing was saved.")
    current = draft.current_revision.body if draft.current_revision else None
    if current == body:
        raise DraftInputError("No changes to save.")
    revision = add_revision(session, draft, body, actor, reason, note)
    record(
        session,
        actor,
        f"draft.{reason}",
        draft_id=draft.id,
        data={"revision": revision.number},
        comment=note,
    )
    return revision


def save_text(
    session: Session, draft_id: int, actor: Any, body: str, expected_version: int | None, *, note: str = ""
) -> SavedRevision:
    """`edit_text`, handing back plain data."""
    revision = edit_text(session, draft_id, actor, body, expected_version, note=note)
    return SavedRevision(revision.number, revision.draft.version)


def list_own_drafts(session: Session, actor: Any, *, status: str | None = None, limit: int = 200) -> list[DraftRow]:
    actor = active(session, actor)
    stmt = (
        select(Draft, User.name)
        .join(User, User.id == Draft.author_id, isouter=True)
        .where(Draft.author_id == actor.id)
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(limit)
    )
    if status:
        stmt = stmt.where(Draft.status == status)
    return [_row(d, name) for d, name in session.execute(stmt)]


def list_drafts(session: Session, actor: Any, *, status: str | None = None, limit: int = 200) -> list[DraftRow]:
    """All drafts for people who may see them all; otherwise the person's own."""
    actor = active(session, actor)
    if not can(actor, "draft.view_all"):
        return list_own_drafts(session, actor, status=status, limit=limit)
    stmt = (
        select(Draft, User.name)
        .join(User, User.id == Draft.author_id, isouter=True)
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(limit)
    )
    if status:
        stmt = stmt.where(Draft.status == status)
    return [_row(d, name) for d, name in session.execute(stmt)]


def _row(d: Draft, author_name: str | None) -> DraftRow:
    return DraftRow(
        id=d.id,
        title=d.title or d.topic[:80],
        content_type=d.content_type,
        status=d.status,
        incomplete=d.incomplete,
        updated_at=d.updated_at,
        author=author_name or "",
        version=d.version,
    )


def generations_for(session: Session, draft_id: int, actor: Any) -> list[Generation]:
    get_draft(session, draft_id, actor)
    return list(
        session.scalars(
            select(Generation).where(Generation.draft_id == draft_id).order_by(Generation.id.desc())
        )
    )


def restore_attempt(
    session: Session, draft_id: int, actor: Any, generation_id: int, expected_version: int | None
) -> SavedRevision:
    """Make the fragment of a failed or stopped regeneration the current text (a new revision,
    checked again). The draft is then incomplete, as after any unfinished generation, until the
    text is finished by an edit or a new generation."""
    draft = get_draft(session, draft_id, actor)
    generation = session.get(Generation, generation_id)
    if generation is None or generation.draft_id != draft.id or not generation.attempt_text:
        raise DraftInputError("That attempt has no text to restore.")
    when = f"{generation.created_at:%Y-%m-%d %H:%M} UTC"
    revision = edit_text(
        session, draft_id, actor, generation.attempt_text, expected_version, reason="restored_attempt",
        note=f"Restored the unfinished generation of {when}.",
    )  # fmt: skip
    draft.incomplete = True
    draft.last_error = generation.error
    session.flush()
    return SavedRevision(revision.number, draft.version)
