"""The audit trail is append-only: the ORM refuses to change or delete an event, and
`append_only_ddl` gives the database triggers that refuse it below the ORM too."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from studio.models import AuditEvent


class AuditTrailIsAppendOnly(RuntimeError):
    """Raised when anything tries to change or delete a recorded audit event."""



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

