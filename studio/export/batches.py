"""Earlier exports: listed, and their stored files handed out again after a checksum check."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize
from studio.db import session_scope
from studio.export.files import gunzip
from studio.export.picker import EXPORT_PERMISSION
from studio.export.rows import ExportError
from studio.models import ExportBatch, ExportItem, User


def stored_file(content: bytes | None, encoding: str | None, size: int | None = None) -> bytes | None:
    """An ExportBatch's file as it was handed out, from what the database holds."""
    if content is None:
        return None
    if encoding == "gzip":
        return gunzip(content, size)
    if encoding is None:
        return bytes(content)
    raise ExportError(f"An export file is stored as {encoding!r}, which this version cannot read.")


# --------------------------------------------------------------------------------------------
# Earlier exports


@dataclass(frozen=True)
class BatchSummary:
    id: int
    created_at: datetime
    actor: str
    preset: str
    row_count: int
    checksum: str
    filename: str
    size: int | None
    draft_ids: list[int]


def past_exports(session: Session, actor: User, *, limit: int = 50) -> list[BatchSummary]:
    """Earlier exports, newest first."""
    authorize(session, actor, EXPORT_PERMISSION)
    stmt = (
        select(ExportBatch, User, func.coalesce(ExportBatch.size, func.length(ExportBatch.content)))
        .join(User, User.id == ExportBatch.actor_id, isouter=True)
        .order_by(ExportBatch.created_at.desc(), ExportBatch.id.desc())
        .limit(limit)
    )
    found = session.execute(stmt).all()
    items: dict[int, list[int]] = {b.id: [] for b, _u, _n in found}
    if items:
        for batch_id, draft_id in session.execute(
            select(ExportItem.batch_id, ExportItem.draft_id)
            .where(ExportItem.batch_id.in_(list(items)))
            .order_by(ExportItem.id)
        ):
            items[batch_id].append(draft_id)
    return [
        BatchSummary(
            id=b.id,
            created_at=b.created_at,
            actor=u.label if u is not None else "",
            preset=b.preset,
            row_count=b.row_count,
            checksum=b.checksum,
            filename=b.filename,
            size=n,
            draft_ids=items[b.id],
        )
        for b, u, n in found
    ]


def _mimetype(filename: str) -> str:
    return "application/json" if filename.lower().endswith(".json") else "text/csv; charset=utf-8"


def download_batch(session: Session, actor: User, batch_id: int) -> tuple[str, bytes, str]:
    """``(filename, bytes, mimetype)`` of an earlier export, after checking its SHA-256."""
    authorize(session, actor, EXPORT_PERMISSION)
    batch = session.get(ExportBatch, batch_id)
    if batch is None:
        raise ExportError(f"Export {batch_id} does not exist.")
    try:
        content = stored_file(batch.content, batch.content_encoding, batch.size)
    except (OSError, EOFError, zlib.error):  # a damaged gzip stream
        content = b""
    if content is None:
        raise ExportError(f"Export {batch_id} was recorded without its file; export the drafts again.")
    if hashlib.sha256(content).hexdigest() != batch.checksum:
        raise ExportError(
            f"Export {batch_id}'s stored file does not match its checksum; it was not handed out. "
            "Export the drafts again."
        )
    return batch.filename, content, _mimetype(batch.filename)


def batch_reader(engine: Engine, actor: User, batch_id: int) -> Callable[[], bytes]:
    """What a download button calls when it is clicked: the earlier export's file, read and
    checked (:func:`download_batch`) in a session of its own, so the page holds no file."""

    def read() -> bytes:
        with session_scope(engine) as session:
            return download_batch(session, actor, batch_id)[1]

    return read
