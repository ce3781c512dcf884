"""Batches as people use them: estimate, submit, follow, cancel, retry.

Each service takes a session and the actor and checks the permission itself. Submitting writes
the batch and its rows; the jobs go on the queue once that is committed (`start`), so a worker
never looks for a row that is not there yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize, can
from studio.audit.service import record
from studio.batch.estimate import row_cost
from studio.batch.rules import ENDED, RowState
from studio.batch.schemas import BatchView, Estimate, RowView, Submitted
from studio.batch.sheet import Rejected, RowBrief
from studio.config import Settings, get_settings
from studio.drafting.providers import resolve_provider
from studio.errors import InputError, NotFound, PermissionDenied
from studio.models import Batch, BatchAttempt, BatchRow, UsageRecord, User, utcnow
from studio.usage.policy import money
from studio.usage.service import remaining

MAX_CONCURRENCY = 32


class BatchNotFound(NotFound):
    pass


def estimate(session: Session, actor: Any, rows: Sequence[RowBrief], settings: Settings | None = None) -> Estimate:
    """The cost of writing these rows with the configured model, and the actor's budget."""
    actor = authorize(session, actor, "batch.run")
    settings = settings or get_settings()
    choice = resolve_provider(settings)
    costs = [row_cost(r.brief, choice.provider, choice.model, choice.base_url, session) for r in rows]
    if choice.is_demo:
        note = "The demo writer costs nothing."
    elif any(c is None for c in costs):
        note = f"{choice.model} has no price in the price table; an admin can add one."
    elif all(c == 0 for c in costs):
        note = f"{choice.label}: a local server, free."
    else:
        note = f"{choice.model}: the prompt counted, each reply estimated from its target length, plus the publishing-fields call."
    total = None if any(c is None for c in costs) else round(sum(costs), 6)  # type: ignore[arg-type]
    left = remaining(session, actor.id)
    warning = None
    if left is not None and total is not None and total > left:
        warning = (f"The estimate ({money(total)}) is more than the {money(left)} left in the budget: rows stop "
                   "starting when it is reached.")  # fmt: skip
    return Estimate(total, note, left, warning)


def submit(
    session: Session, actor: Any, rows: Sequence[RowBrief], *, filename: str = "", concurrency: int = 4,
    auto_submit: bool = False, rejected: Sequence[Rejected] = (), settings: Settings | None = None,
) -> Submitted:  # fmt: skip
    actor = authorize(session, actor, "batch.run")
    settings = settings or get_settings()
    if not rows:
        raise InputError("No valid rows to write: fix the rows named above, or choose other columns.")
    if not 1 <= int(concurrency) <= MAX_CONCURRENCY:
        raise InputError(f"Rows at once must be 1–{MAX_CONCURRENCY}.")
    choice = resolve_provider(settings)
    guess = estimate(session, actor, rows, settings)
    batch = Batch(owner_id=actor.id, filename=(filename or "")[:200], concurrency=int(concurrency),
                  auto_submit=bool(auto_submit), provider=choice.provider, model=choice.model,
                  estimated_cost=guess.cost)  # fmt: skip
    session.add(batch)
    session.flush()
    for r in rows:
        session.add(BatchRow(batch_id=batch.id, number=r.line, brief=r.brief.as_dict(), publish_date=r.publish_date,
                             state=RowState.QUEUED.value))  # fmt: skip
    session.flush()
    record(session, actor, "batch.submitted",
           data={"batch": batch.id, "rows": len(rows), "rejected": len(rejected), "model": choice.model,
                 "estimated_cost": guess.cost})  # fmt: skip
    return Submitted(batch.id, len(rows), [r.as_dict() for r in rejected], guess.cost, guess.note, guess.budget_warning)


def queued_rows(session: Session, batch_id: int) -> list[int]:
    return list(session.scalars(select(BatchRow.id).where(BatchRow.batch_id == batch_id,
                                                          BatchRow.state == RowState.QUEUED.value)
                                .order_by(BatchRow.number)))  # fmt: skip


def start(engine: Any, batch_id: int, settings: Settings | None = None) -> int:
    """Put the batch's queued rows on the queue (after the batch is committed)."""
    from studio.batch import queue
    from studio.db import session_scope

    with session_scope(engine) as session:
        ids = queued_rows(session, batch_id)
    return queue.send(engine, ids, settings)


def _load(session: Session, actor: Any, batch_id: int) -> tuple[Batch, User]:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise BatchNotFound(f"Batch {batch_id} does not exist.")
    fresh = session.get(User, actor.id)
    if fresh is None or fresh.disabled:
        raise PermissionDenied("Please sign in first.")
    if batch.owner_id != fresh.id and not can(fresh, "batch.view_all"):
        raise PermissionDenied("You can only see your own batches.")
    return batch, fresh


def owner_of(session: Session, batch_id: int) -> User:
    """The person who submitted the batch (the CLI reads a batch as its owner without --as:
    whoever runs it has the database already)."""
    batch = session.get(Batch, batch_id)
    owner = session.get(User, batch.owner_id) if batch is not None else None
    if owner is None:
        raise BatchNotFound(f"Batch {batch_id} does not exist.")
    return owner


def view(session: Session, actor: Any, batch_id: int, *, with_rows: bool = True) -> BatchView:
    batch, _ = _load(session, actor, batch_id)
    return _view(session, batch, with_rows)


def _view(session: Session, batch: Batch, with_rows: bool) -> BatchView:
    counts = {s.value: 0 for s in RowState}
    for state, n in session.execute(select(BatchRow.state, func.count()).where(BatchRow.batch_id == batch.id)
                                    .group_by(BatchRow.state)):  # fmt: skip
        counts[state] = int(n)
    cost = float(session.scalar(select(func.coalesce(func.sum(UsageRecord.cost), 0.0)).where(UsageRecord.batch_id == batch.id)) or 0)
    owner = session.get(User, batch.owner_id)
    rows: list[RowView] = []
    if with_rows:
        partial = dict(session.execute(
            select(BatchAttempt.row_id, func.max(func.length(BatchAttempt.partial_text)))
            .join(BatchRow, BatchRow.id == BatchAttempt.row_id).where(BatchRow.batch_id == batch.id)
            .group_by(BatchAttempt.row_id)
        ).all())  # fmt: skip
        for r in session.scalars(select(BatchRow).where(BatchRow.batch_id == batch.id).order_by(BatchRow.number)):
            rows.append(RowView(r.number, r.state, str(r.brief.get("topic", "")), r.draft_id, r.error, r.attempts,
                                r.publish_date, int(partial.get(r.id) or 0)))  # fmt: skip
    return BatchView(batch.id, owner.label if owner else "", batch.filename, batch.status, batch.created_at,
                     batch.finished_at, batch.concurrency, batch.auto_submit, batch.model, batch.estimated_cost,
                     cost, counts, rows)  # fmt: skip


def list_batches(session: Session, actor: Any, *, limit: int = 50) -> list[BatchView]:
    fresh = session.get(User, actor.id)
    if fresh is None or fresh.disabled:
        raise PermissionDenied("Please sign in first.")
    stmt = select(Batch).order_by(Batch.created_at.desc(), Batch.id.desc()).limit(limit)
    if not can(fresh, "batch.view_all"):
        stmt = stmt.where(Batch.owner_id == fresh.id)
    return [_view(session, b, False) for b in session.scalars(stmt)]


def cancel(session: Session, actor: Any, batch_id: int) -> int:
    """Stop the batch: queued rows are cancelled, rows being written stop at their next chunk
    (their text so far stays on the draft, marked incomplete). Returns the rows cancelled now."""
    batch, fresh = _load(session, actor, batch_id)
    if batch.owner_id != fresh.id:
        authorize(session, fresh, "batch.view_all")
    if batch.status != "running":
        raise InputError(f"Batch {batch_id} is {batch.status}; there is nothing to cancel.")
    now = utcnow()
    batch.status = "cancelled"
    batch.finished_at = now
    n = session.execute(update(BatchRow).where(BatchRow.batch_id == batch_id, BatchRow.state == RowState.QUEUED.value)
                        .values(state=RowState.CANCELLED.value, finished_at=now, error="Cancelled before it started."))  # fmt: skip
    record(session, fresh, "batch.cancelled", data={"batch": batch_id})
    return int(n.rowcount or 0)


def retry_failed(session: Session, actor: Any, batch_id: int) -> list[int]:
    """Queue the failed (and cancelled) rows again; returns their ids (then `start`)."""
    batch, fresh = _load(session, actor, batch_id)
    authorize(session, fresh, "batch.run")
    if batch.owner_id != fresh.id:
        raise PermissionDenied("Only the person who started a batch can run its rows again.")
    again = [RowState.FAILED.value, RowState.CANCELLED.value]
    rows = list(session.scalars(select(BatchRow).where(BatchRow.batch_id == batch_id, BatchRow.state.in_(again))))
    if not rows:
        raise InputError("No failed or cancelled rows to retry.")
    for r in rows:
        r.state, r.error, r.attempts, r.not_before, r.finished_at = RowState.QUEUED.value, None, 0, None, None
    batch.status, batch.finished_at = "running", None
    record(session, fresh, "batch.retried", data={"batch": batch_id, "rows": len(rows)})
    return [r.id for r in rows]


def wait_state(session: Session, actor: Any, batch_id: int) -> tuple[bool, BatchView]:
    """(every row has ended, the batch)."""
    v = view(session, actor, batch_id, with_rows=False)
    open_rows = sum(n for s, n in v.counts.items() if RowState(s) not in ENDED)
    return open_rows == 0, v


def workers_alive(session: Session, actor: Any) -> int:
    """Workers seen in the last minute (the page says so when none is running)."""
    from datetime import timedelta

    from studio.models import QueueWorker

    since = utcnow() - timedelta(seconds=max(get_settings().studio_batch_lease_seconds * 2, 60))
    return int(session.scalar(select(func.count(QueueWorker.id)).where(QueueWorker.stopped_at.is_(None),
                                                                        QueueWorker.seen_at >= since)) or 0)  # fmt: skip
