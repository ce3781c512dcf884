"""Publishing fields over the database: the writer's proposals applied, a person's edits saved.

Editing (:func:`update_publishing`) is a service like the others: it takes the actor, checks the
permission (``review.rules.edit_refusal``) and the version the person saw, validates every field
(all problems at once, by field, in ``PublishingError``), writes one ``draft.publishing_updated``
audit row and keeps the search index in step. A change to a content field (title, slug,
excerpt, meta description, tags, categories) is checked again like the body, records that a
person set it (``derivation``), and after approval sends the draft back to review.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize, can
from studio.audit.service import record
from studio.checks.service import check_after_commit
from studio.drafting.service import check_version, get_draft, was_exported
from studio.errors import PermissionDenied
from studio.models import Draft, Revision, utcnow
from studio.publishing import derivation
from studio.publishing.fields import (
    FIELDS_PROPOSED,
    PUBLISHING_UPDATED,
    PublishingError,
    PublishingFields,
    make_slug,
    validate_publishing,
)
from studio.review.rules import TRANSITIONS, DraftStatus, edit_refusal
from studio.search import index_draft
from studio.validation import storable_fields

# How the refusal of a field that cannot be stored names it.
FIELD_LABELS = {
    "title": "The title", "slug": "The slug", "excerpt": "The excerpt", "meta_description": "The meta description",
    "tags": "The tags", "categories": "The categories", "publish_status": "The publish status",
    "language": "The language",
}  # fmt: skip

#: The audit action when a change to what ships sends an approved draft back to review.
REOPENED = "review.reopen"


def apply_proposed_fields(
    session: Session, draft: Draft, fields: PublishingFields, *, actor: Any = None
) -> list[str]:
    """Write a proposal onto ``draft`` inside the caller's transaction (the writer's save).

    A proposal replaces every field nobody set by hand (a regenerated text gets fields that match
    it); a field a person set keeps its value. The title follows the text's first heading when
    the text has one (``add_revision`` already set it); the proposal fills it only when it is
    empty. Returns the names of the fields changed and records them in one
    ``draft.fields_proposed`` audit row (with the note).
    """
    state = dict(draft.field_state or {})
    keep_people_edits = any(derivation.is_person_set(state, n) for n in derivation.CONTENT_FIELDS)
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
        if derivation.is_person_set(state, name) and current:
            continue
        if name == "slug" and draft.slug and was_exported(session, draft):
            continue
        if current != value:
            setattr(draft, name, value)
            changed.append(name)
    if changed and draft.current_revision is not None:
        text = derivation.text_values(draft, draft.current_revision.body)
        by = derivation.BY_TEXT if fields.source == "derived" else derivation.BY_MODEL
        draft.field_state = derivation.proposed(state, changed, text, by)
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
    stmt = select(table.c.id, table.c.field_state, *(table.c[name] for name in _REFINABLE)).where(
        table.c.id == draft_id
    )
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
        state = {k: dict(v) for k, v in (row.field_state or {}).items()}
        for name in values:
            if name in state:
                state[name]["by"] = derivation.BY_MODEL
        session.execute(table.update().where(table.c.id == draft_id).values(**values, field_state=state))
        _check_refined(session, draft_id)
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



def _check_refined(session: Session, draft_id: int) -> None:
    """Check the refined fields with the current text once this transaction commits, without
    bumping the draft's version (this runs in the background; nobody's next action should meet
    a conflict: storing a report writes the verdict without the version)."""
    draft = session.get(Draft, draft_id)  # first read in this session: the fields as just written
    revision = session.get(Revision, draft.current_revision_id) if draft and draft.current_revision_id else None
    if revision is None:
        return
    check_after_commit(session, draft, revision)


def _fields_editable(session: Session, draft_id: int, actor: Any, expected_version: int | None) -> tuple[Draft, Any]:
    """The draft and the re-read actor, if ``actor`` may change its publishing fields now."""
    draft = get_draft(session, draft_id, actor)
    check_version(session, draft, expected_version)
    own = draft.author_id == actor.id
    action = "draft.edit_own" if own and can(actor, "draft.edit_own") else "draft.edit_any"
    actor = authorize(session, actor, action)
    reason = edit_refusal(draft, actor, "fields")
    if reason is not None:
        raise PermissionDenied(reason, action=action)
    return draft, actor


def update_publishing(
    session: Session,
    draft_id: int,
    actor: Any,
    fields: Mapping[str, Any],
    expected_version: int | None,
    *,
    now: datetime | None = None,
    note: str = "",
) -> Draft:
    """Save the publishing fields given in ``fields`` (the others stay as they are).

    Refuses with PermissionDenied (see ``review.rules.edit_refusal``), VersionConflict (someone changed
    the draft since ``expected_version``) or PublishingError (``problems`` by field). Saving
    values equal to the stored ones changes nothing and records nothing. A new title takes the
    slug with it while the slug follows the title (nobody set it, never exported).
    """
    draft, actor = _fields_editable(session, draft_id, actor, expected_version)
    unstorable = storable_fields(fields, FIELD_LABELS)
    if unstorable:
        raise PublishingError(unstorable)
    values = validate_publishing(draft, fields, now=now)
    state = dict(draft.field_state or {})
    if (
        "title" in values and values["title"] != draft.title
        and values.get("slug", draft.slug) == draft.slug
        and not derivation.is_person_set(state, "slug") and not was_exported(session, draft)
    ):  # fmt: skip
        values["slug"] = make_slug(values["title"])
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
    content = [n for n in derivation.CONTENT_FIELDS if n in changes]
    if content and draft.current_revision is not None:
        text = derivation.text_values(draft, draft.current_revision.body)
        draft.field_state = derivation.person_set(state, {n: changes[n][1] for n in content}, text, draft.title)
    record(
        session,
        actor,
        PUBLISHING_UPDATED,
        draft_id=draft.id,
        comment=note,
        data={"changed": sorted(changes), "values": {k: _short(v[1]) for k, v in changes.items()}},
    )
    if content:
        _after_content_change(session, draft, actor, content)
    session.flush()  # a stale version here is mapped to VersionConflict by db.session_scope
    return draft


def _after_content_change(session: Session, draft: Draft, actor: Any, changed: list[str]) -> None:
    """What ships changed: check it again (once this transaction commits, outside it), and send
    an approved draft back to review."""
    if draft.current_revision is not None:
        check_after_commit(session, draft, draft.current_revision)
    spec = TRANSITIONS["reopen"]
    if DraftStatus(draft.status) in spec.sources:
        source = draft.status
        draft.status = spec.target.value
        names = ", ".join(n.replace("_", " ") for n in changed)
        record(
            session, actor, REOPENED, draft_id=draft.id, from_status=source, to_status=spec.target,
            comment=f"Changed after approval: {names}. The draft needs approving again.",
            data={"changed": changed},
        )  # fmt: skip


def confirm_fields(
    session: Session, draft_id: int, actor: Any, names: list[str], expected_version: int | None
) -> Draft:
    """A person confirms that fields marked "may be out of date" stay as they are."""
    draft, actor = _fields_editable(session, draft_id, actor, expected_version)
    stale = [n for n in names if n in derivation.stale_fields(draft.field_state or {})]
    if not stale or draft.current_revision is None:
        return draft
    text = derivation.text_values(draft, draft.current_revision.body)
    draft.field_state = derivation.confirmed(draft.field_state or {}, stale, text, draft.title)
    draft.updated_at = utcnow()
    record(session, actor, PUBLISHING_UPDATED, draft_id=draft.id, data={"changed": [], "confirmed": stale})
    session.flush()
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


def stale_fields(draft: Draft) -> list[str]:
    """The fields marked "may be out of date" (set by hand; the text they came from changed)."""
    return derivation.stale_fields(draft.field_state or {})
