"""The audit trail: one append-only row per thing that happened.

Every workflow transition, edit, override, comment, sign-in (and failed sign-in), account change
and export is recorded with `record`. Nothing in the studio updates or deletes an `AuditEvent`:
there is no function for it, the ORM refuses it and the database's triggers refuse it below the
ORM too (``guards``).

Reading: `timeline` is a draft's history (oldest first, shown to anyone who may see the draft);
`query`/`count` are the admin audit page's filtered view, guarded by the `audit.view` permission.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize
from studio.audit import guards  # noqa: F401  (registers the append-only listeners)
from studio.models import AuditEvent, utcnow

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.sql.elements import ColumnElement

#: actor_name written when nobody in particular acted (a script, the system itself).
SYSTEM_ACTOR = "system"

#: Column limits of `AuditEvent` (see studio/models.py).
ACTION_MAX_LEN = 40
ACTOR_NAME_MAX_LEN = 64
STATUS_MAX_LEN = 24

#: Default and ceiling for one page of `query`.
DEFAULT_LIMIT = 100
MAX_LIMIT = 100_000

REDACTED = "[redacted]"
# Keys whose values never go into the audit trail, whoever passes them.
_SECRET_KEY = re.compile(r"pass(word|wd|phrase)|secret|api_?key|password_hash|credential", re.IGNORECASE)


def record(
    session: Session,
    actor: Any,
    action: str,
    *,
    draft_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    comment: str | None = "",
    data: Mapping[str, Any] | None = None,
    actor_name: str | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event and flush it (so it has an id). The caller's transaction commits it.

    `actor_name` defaults to the actor's name, or "system" with no actor; pass it to record a
    name that is not (or not yet) a user, e.g. the name typed into a failed sign-in.
    `data` is stored as JSON: values that look like secrets (keys such as "password", argon2
    hashes) are replaced by "[redacted]", and datetimes, sets and other objects are converted.
    `at` overrides the time (tests and services that take an injected clock).
    """
    if not isinstance(action, str) or not action.strip():
        raise ValueError("An audit event needs an action.")
    if len(action) > ACTION_MAX_LEN:
        raise ValueError(f"Audit action {action!r} is longer than {ACTION_MAX_LEN} characters.")
    if actor is not None and actor.id is None:
        session.flush()  # a user created in this transaction: give it an id first
    if actor_name is None:
        actor_name = actor.name if actor is not None else SYSTEM_ACTOR
    event_row = AuditEvent(
        created_at=_aware(at) if at is not None else utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=str(actor_name)[:ACTOR_NAME_MAX_LEN],
        action=action,
        draft_id=draft_id,
        from_status=_status(from_status),
        to_status=_status(to_status),
        comment=comment or "",
        data=_clean(dict(data)) if data else {},
    )
    session.add(event_row)
    session.flush()
    return event_row


def _status(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > STATUS_MAX_LEN:
        raise ValueError(f"Status {value!r} is longer than {STATUS_MAX_LEN} characters.")
    return value


def _clean(value: Any) -> Any:
    """JSON-safe copy of `value` with secrets redacted."""
    if isinstance(value, Mapping):
        return {
            str(k): (REDACTED if _SECRET_KEY.search(str(k)) else _clean(v)) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_clean(v) for v in value), key=str)
    if isinstance(value, str):
        return REDACTED if value.startswith("$argon2") else value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, datetime):
        return _aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value



def timeline(session: Session, draft_id: int) -> list[AuditEvent]:
    """Everything that happened to one draft, oldest first.

    Not permission-guarded here: the caller has already decided the person may see the draft.
    """
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.draft_id == draft_id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return list(session.scalars(stmt))


def query(
    session: Session,
    actor: Any,
    *,
    action: str | Iterable[str] | None = None,
    actor_name: str | None = None,
    draft_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = DEFAULT_LIMIT,
    offset: int = 0,
) -> list[AuditEvent]:
    """The admin audit page's view, newest first. Requires `audit.view`.

    `action`: one action or several (exact names). `actor_name`: case-insensitive exact name.
    `since` is inclusive, `until` exclusive. `limit=None` returns every match (capped at
    MAX_LIMIT rows, for the CSV download).
    """
    _guard(session, actor)
    if offset < 0:
        raise ValueError("offset must be zero or more.")
    if limit is None:
        limit = MAX_LIMIT
    if limit < 0:
        raise ValueError("limit must be zero or more.")
    stmt = _filtered(
        select(AuditEvent),
        action=action,
        actor_name=actor_name,
        draft_id=draft_id,
        since=since,
        until=until,
    )
    stmt = stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    stmt = stmt.limit(min(limit, MAX_LIMIT)).offset(offset)
    return list(session.scalars(stmt))


def count(
    session: Session,
    actor: Any,
    *,
    action: str | Iterable[str] | None = None,
    actor_name: str | None = None,
    draft_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """How many events `query` would match without limit/offset (for pagination)."""
    _guard(session, actor)
    stmt = _filtered(
        select(func.count(AuditEvent.id)),
        action=action,
        actor_name=actor_name,
        draft_id=draft_id,
        since=since,
        until=until,
    )
    return int(session.scalar(stmt) or 0)


def _guard(session: Session, actor: Any) -> None:
    authorize(session, actor, "audit.view")


def _filtered(
    stmt: Select[Any],
    *,
    action: str | Iterable[str] | None,
    actor_name: str | None,
    draft_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = []
    if action:
        if isinstance(action, str):
            conditions.append(AuditEvent.action == action)
        else:
            conditions.append(AuditEvent.action.in_(list(action)))
    if actor_name:
        conditions.append(func.lower(AuditEvent.actor_name) == actor_name.strip().lower())
    if draft_id is not None:
        conditions.append(AuditEvent.draft_id == draft_id)
    if since is not None:
        conditions.append(AuditEvent.created_at >= _aware(since))
    if until is not None:
        conditions.append(AuditEvent.created_at < _aware(until))
    return stmt.where(*conditions) if conditions else stmt



@dataclass(frozen=True)
class EventRow:
    """One audit event as plain data (the audit page's table)."""

    id: int
    created_at: datetime
    actor_name: str
    action: str
    draft_id: int | None
    from_status: str | None
    to_status: str | None
    comment: str


def events(session: Session, actor: Any, *, limit: int | None = DEFAULT_LIMIT, **filters: Any) -> list[EventRow]:
    """`query` as plain rows."""
    return [
        EventRow(e.id, e.created_at, e.actor_name, e.action, e.draft_id, e.from_status, e.to_status, e.comment)
        for e in query(session, actor, limit=limit, **filters)
    ]
