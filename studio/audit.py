"""The audit trail: one append-only row per thing that happened.

Every workflow transition, edit, override, comment, sign-in (and failed sign-in), account change
and export is recorded here with `record`. Nothing in the studio updates or deletes an
`AuditEvent`: there is no function for it, the ORM refuses it (see the guards at the bottom), and
`append_only_ddl` gives the database triggers that refuse it below the ORM too.

Reading: `timeline` is a draft's history (oldest first, shown to anyone who may see the draft);
`query`/`count` are the admin audit page's filtered view, guarded by the `audit.view` permission;
`to_csv` is that page's download.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, event, func, select
from sqlalchemy.orm import ORMExecuteState, Session

from studio.models import AuditEvent, User, utcnow

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

#: The CSV download's columns, in order.
CSV_COLUMNS = (
    "id",
    "time",
    "actor_id",
    "actor",
    "action",
    "draft_id",
    "from_status",
    "to_status",
    "comment",
    "data",
)

REDACTED = "[redacted]"
# Keys whose values never go into the audit trail, whoever passes them.
_SECRET_KEY = re.compile(r"pass(word|wd|phrase)|secret|api_?key|password_hash|credential", re.IGNORECASE)
# Cells a spreadsheet would read as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class AuditTrailIsAppendOnly(RuntimeError):
    """Raised when anything tries to change or delete a recorded audit event."""


# --------------------------------------------------------------------------------------------
# Writing


def record(
    session: Session,
    actor: User | None,
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


# --------------------------------------------------------------------------------------------
# Reading


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
    actor: User | None,
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
    actor: User | None,
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


def _guard(session: Session, actor: User | None) -> None:
    from studio.auth import authorize  # auth imports this module; import late

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


# --------------------------------------------------------------------------------------------
# CSV download


def to_csv(events: Iterable[AuditEvent]) -> bytes:
    """The events as CSV bytes (UTF-8 with a byte-order mark, so spreadsheets read accents).

    Text cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) are
    prefixed with a single quote. Times are ISO 8601 UTC; `data` is compact JSON.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in events:
        row: list[Any] = [
            e.id,
            _aware(e.created_at).astimezone(timezone.utc).isoformat() if e.created_at else "",
            e.actor_id if e.actor_id is not None else "",
            e.actor_name or "",
            e.action,
            e.draft_id if e.draft_id is not None else "",
            e.from_status or "",
            e.to_status or "",
            e.comment or "",
            json.dumps(e.data or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        ]
        writer.writerow([_neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def _neutralise(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


# --------------------------------------------------------------------------------------------
# Append-only guards


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly(f"Audit event {target.id} cannot be changed.")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly(f"Audit event {target.id} cannot be deleted.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if any(m.class_ is AuditEvent for m in state.all_mappers) or (
        getattr(table, "name", None) == AuditEvent.__tablename__
    ):
        raise AuditTrailIsAppendOnly("Audit events cannot be updated or deleted.")


def append_only_ddl(dialect_name: str) -> list[str]:
    """Statements that make the database itself refuse UPDATE/DELETE on audit_events.

    For a migration: `for sql in append_only_ddl(op.get_bind().dialect.name): op.execute(sql)`.
    """
    if dialect_name == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS audit_events_no_{verb.lower()} "
            f"BEFORE {verb} ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            for verb in ("UPDATE", "DELETE")
        ]
    if dialect_name == "postgresql":
        return [
            (
                "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql"
            ),
            "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
            (
                "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
                "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
            ),
            "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
            (
                "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
            ),
        ]
    return []
