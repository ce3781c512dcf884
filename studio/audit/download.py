"""The audit trail as a CSV download."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import timezone
from typing import Any

from sqlalchemy.orm import Session

from studio.audit.service import query
from studio.content import neutralise
from studio.models import AuditEvent

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
            e.created_at.astimezone(timezone.utc).isoformat() if e.created_at else "",
            e.actor_id if e.actor_id is not None else "",
            e.actor_name or "",
            e.action,
            e.draft_id if e.draft_id is not None else "",
            e.from_status or "",
            e.to_status or "",
            e.comment or "",
            json.dumps(e.data or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        ]
        writer.writerow([neutralise(cell, "spreadsheet") if isinstance(cell, str) else cell for cell in row])
    return out.getvalue().encode("utf-8-sig")




def audit_csv(session: Session, actor: Any, **filters: Any) -> bytes:
    """Every event matching ``filters`` (as `service.query` takes them) as the CSV download."""
    return to_csv(query(session, actor, limit=None, **filters))
