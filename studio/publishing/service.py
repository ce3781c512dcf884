"""Publishing fields over the database: the writer's proposals applied, a person's edits saved.

Editing (:func:`update_publishing`) is a service like the others: it takes the actor, checks the
permission (``review.rules.edit_refusal``) and the version the person saw, validates every field
(all problems at once, by field, in ``PublishingError``), writes one ``draft.publishing_updated``
audit row and keeps the search index in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize, can
from studio.audit.service import record
from studio.drafting.service import check_version, get_draft
from studio.errors import PermissionDenied
from studio.models import AuditEvent, Draft, utcnow
from studio.publishing.fields import (
    FIELDS_PROPOSED,
    PUBLISHING_UPDATED,
    PublishingError,
    PublishingFields,
    validate_publishing,
)
from studio.review.rules import edit_refusal
from studio.search import index_draft
from studio.validation import storable_fields

# How the refusal of a field that cannot be stored names it.
FIELD_LABELS = {
    "title": "The title", "slug": "The slug", "excerpt": "The excerpt", "meta_description": "The meta description",
    "tags": "The tags", "categories": "The categories", "publish_status": "The publish status",
    "language": "The language",
}  # fmt: skip


def _edited_by_a_person(session: Session, draft: Draft) -> bool:
    if draft.id is None:
        return False
    stmt = select(AuditEvent.id).where(
        AuditEvent.draft_id == draft.id, AuditEvent.action == PUBLISHING_UPDATED
    ).limit(1)
    return session.scalar(stmt) is not None


def apply_proposed_fields(
    session: Session, draft: Draft, fields: PublishingFields, *, actor: Any = None
) -> list[str]:
    """Write a proposal onto ``draft`` inside the caller's transaction (the writer's save).

    Until a person has saved the publishing fields, every proposal replaces the last one (a
    regenerated text gets fields that match it). Once someone has, only empty fields are filled.
    The title follows the text's first heading when the text has one (``add_revision`` already
    set it); the proposal fills it only when it is empty. Returns the names of the fields
    changed and records them in one ``draft.fields_proposed`` audit row (with the note).
    """
    keep_people_edits = _edited_by_a_person(session, draft)
    values: dict[str, Any] = {
        "slug": fields.slug,
        "excerpt": fields.excerpt,
        "meta_description": fields.meta_description,
        "tags": list(fields.tags),
        "categories": list(fields.categories),
    }
    changed: list[str] = []
    if not (draft.title or "").strip() and fields.title:
        draft.title = fields.title
        changed.append("title")
    for name, value in values.items():
        current = getattr(draft, name)
        if keep_people_edits and current:
            continue
        if current != value:
            setattr(draft, name, value)
            changed.append(name)
    if "title" in changed:
        index_draft(session, draft)
    record(
        session,
        actor,
        FIELDS_PROPOSED,
        draft_id=draft.id,
        comment=fields.note,
        data={"source": fields.source, "changed": changed, "kept_people_edits": keep_people_edits},
    )
    return changed


_REFINABLE = ("slug", "excerpt", "meta_description", "tags", "categories")


def refine_proposed_fields(
    session: Session, draft_id: int, derived: PublishingFields, proposed: PublishingFields
) -> list[str]:
    """Replace fields that still hold the values derived at save time with the model's proposal.

    Runs after the draft was saved (in the background), so it must never undo a person's work:
    it locks the row, compares each field with what was derived, and writes only the untouched
    ones. It does not bump the draft's version, so nobody's next action meets a conflict.
    """
    if proposed.source == "derived":
        return []
    table = Draft.__table__
    stmt = select(table.c.id, *(table.c[name] for name in _REFINABLE)).where(table.c.id == draft_id)
    if session.get_bind().dialect.name != "sqlite":  # SQLite's write lock is taken at BEGIN
        stmt = stmt.with_for_update()
    row = session.execute(stmt).first()
    if row is None:
        return []
    values = {}
    for name in _REFINABLE:
        was, now = getattr(derived, name), getattr(proposed, name)
        if isinstance(was, (list, tuple)):
            was, now = list(was), list(now)
        if getattr(row, name) == was and now and now != was:
            values[name] = now
    if values:
        session.execute(table.update().where(table.c.id == draft_id).values(**values))
    record(
        session,
        None,
        FIELDS_PROPOSED,
        draft_id=draft_id,
        comment=proposed.note,
        data={"source": proposed.source, "changed": sorted(values), "refined": True},
        actor_name="writer",
    )
    return sorted(values)



def update_publishing(
    session: Session,
    draft_id: int,
    actor: Any,
    fields: Mapping[str, Any],
    expected_version: int | None,
    *,
    now: datetime | None = None,
) -> Draft:
    """Save the publishing fields given in ``fields`` (the others stay as they are).

    Refuses with PermissionDenied (see ``review.rules.edit_refusal``), VersionConflict (someone changed
    the draft since ``expected_version``) or PublishingError (``problems`` by field). Saving
    values equal to the stored ones changes nothing and records nothing.
    """
    draft = get_draft(session, draft_id, actor)
    check_version(session, draft, expected_version)
    own = draft.author_id == actor.id
    action = "draft.edit_own" if own and can(actor, "draft.edit_own") else "draft.edit_any"
    actor = authorize(session, actor, action)
    reason = edit_refusal(draft, actor, "fields")
    if reason is not None:
        raise PermissionDenied(reason, action=action)
    unstorable = storable_fields(fields, FIELD_LABELS)
    if unstorable:
        raise PublishingError(unstorable)
    values = validate_publishing(draft, fields, now=now)
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        old = getattr(draft, name)
        if old != value:
            changes[name] = [old, value]
            setattr(draft, name, value)
    if not changes:
        return draft
    draft.updated_at = utcnow()
    if "title" in changes:
        index_draft(session, draft)
    record(
        session,
        actor,
        PUBLISHING_UPDATED,
        draft_id=draft.id,
        data={"changed": sorted(changes), "values": {k: _short(v[1]) for k, v in changes.items()}},
    )
    session.flush()  # a stale version here is mapped to VersionConflict by db.session_scope
    return draft


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value


def publishing_values(draft: Draft) -> dict[str, Any]:
    """The draft's publishing fields as plain values (for forms and tests)."""
    return {
        "title": draft.title or "",
        "slug": draft.slug or "",
        "excerpt": draft.excerpt or "",
        "meta_description": draft.meta_description or "",
        "tags": list(draft.tags or []),
        "categories": list(draft.categories or []),
        "publish_status": draft.publish_status or "draft",
        "publish_date": draft.publish_date,
        "language": draft.language or "en",
    }
