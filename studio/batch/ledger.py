"""The database side of a row's life: claim, heartbeat, partial text, outcome, recovery.

Every change is a conditional update inside a short transaction, so two workers that got the
same job (a job re-sent after its worker was presumed gone) cannot both write the row: the
second finds it no longer queued and does nothing. The row keeps its draft across attempts:
a retry writes into the same draft, so a row never makes two drafts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update

from studio.batch import slots
from studio.batch.estimate import brief_of, row_cost
from studio.batch.rules import ACTIVE, ENDED, RowState
from studio.db import session_scope
from studio.drafting.providers import ProviderConfigError, resolve_provider
from studio.drafting.service import create_draft
from studio.models import Batch, BatchAttempt, BatchRow, Draft, Revision, User, utcnow
from studio.usage import policy
from studio.usage.service import budget_lines

LOST = "The worker writing this row stopped before it finished; the row is written again from the start."


@dataclass
class Claim:
    row_id: int
    batch_id: int
    attempt_id: int | None
    draft_id: int
    owner_id: int
    brief: dict[str, Any]
    provider: str
    model: str
    auto_submit: bool
    holders: list[str] = field(default_factory=list)
    provider_slot: str = ""
    # The draft was already written by an attempt whose worker stopped before marking the row.
    already_written: bool = False
    # A hard budget applies: the row's usage is written before the next row is claimed.
    budgeted: bool = False


@dataclass
class Wait:
    seconds: float


def provider_slot_name(provider: str, base_url: str | None) -> str:
    from studio.usage.recorder import endpoint_of

    return f"provider:{provider}@{endpoint_of(base_url) if provider != 'demo' else 'local'}"


def holder(worker: str, row_id: int) -> str:
    return f"{worker}#row{row_id}"


def _fail(row: BatchRow, reason: str, now: datetime) -> None:
    row.state = RowState.FAILED.value
    row.error = reason
    row.finished_at = now
    row.worker = None
    row.lease_until = None


def claim(engine: Engine, row_id: int, worker: str, settings: Any) -> Claim | Wait | None:
    """Take a queued row for ``worker``: None when there is nothing to do (taken, ended,
    cancelled, refused by a budget), Wait when its slots are busy or it is not due yet."""
    now = utcnow()
    lease = settings.studio_batch_lease_seconds
    with session_scope(engine) as session:
        row = session.scalar(select(BatchRow).where(BatchRow.id == row_id).with_for_update())
        if row is None or row.state != RowState.QUEUED.value:
            return None
        batch = session.get(Batch, row.batch_id)
        assert batch is not None
        if batch.status == "cancelled":
            row.state, row.finished_at = RowState.CANCELLED.value, now
            finish_batch_if_done(session, batch.id, now)
            return None
        if row.not_before is not None and row.not_before > now + timedelta(seconds=0.05):
            return Wait((row.not_before - now).total_seconds())
        owner = session.get(User, batch.owner_id)
        if owner is None or owner.disabled:
            _fail(row, "Not started: the account that started this batch is disabled.", now)
            finish_batch_if_done(session, batch.id, now)
            return None
        try:
            choice = resolve_provider(settings, batch.provider or None, batch.model or None)
        except ProviderConfigError as exc:
            _fail(row, f"Not started: {exc}", now)
            finish_batch_if_done(session, batch.id, now)
            return None
        brief = brief_of(row.brief)
        lines = [line for line in budget_lines(session, owner.id) if line.hard]
        if lines and (row.draft_id is None or not _written(session, row.draft_id)):
            cost = row_cost(brief, choice.provider, choice.model, choice.base_url, session) or 0.0
            refusal = policy.refusal(lines, cost)
            if refusal:
                _fail(row, refusal.replace("Not sent:", "Not started:", 1), now)
                finish_batch_if_done(session, batch.id, now)
                return None
        provider = provider_slot_name(choice.provider, choice.base_url)
        wait = slots.cooldown_left(session, provider, now)
        if wait > 0:
            return Wait(wait)
        mine = holder(worker, row.id)
        if not slots.try_acquire(session, f"batch:{batch.id}", batch.concurrency, mine, lease, now):
            return Wait(0.0)
        if not slots.try_acquire(session, provider, settings.studio_provider_concurrency, mine, lease, now):
            slots.release(session, mine)
            return Wait(0.0)
        row.worker, row.lease_until = worker, now + timedelta(seconds=lease)
        row.started_at = row.started_at or now
        row.error = None
        written = row.draft_id is not None and _written(session, row.draft_id)
        attempt_id = None
        if written:
            row.state = RowState.CHECKED.value
        else:
            row.state = RowState.WRITING.value
            row.attempts += 1
            if row.draft_id is None:
                draft = create_draft(session, brief, owner)
                draft.publish_date = row.publish_date
                row.draft_id = draft.id
            number = (session.scalar(select(func.count(BatchAttempt.id)).where(BatchAttempt.row_id == row.id)) or 0) + 1
            attempt = BatchAttempt(row_id=row.id, number=number, worker=worker, started_at=now)
            session.add(attempt)
            session.flush()
            attempt_id = attempt.id
        return Claim(row.id, batch.id, attempt_id, row.draft_id, owner.id, dict(row.brief), choice.provider,
                     choice.model, batch.auto_submit, [mine], provider, already_written=written,
                     budgeted=bool(lines))  # fmt: skip


def _written(session: Any, draft_id: int) -> bool:
    """The draft holds a complete generated text (an earlier attempt finished writing it)."""
    draft = session.get(Draft, draft_id)
    if draft is None or draft.incomplete or draft.current_revision_id is None:
        return False
    revision = session.get(Revision, draft.current_revision_id)
    return revision is not None and revision.reason in ("generated", "critic_pass")


def save_partial(engine: Engine, attempt_id: int, text: str) -> bool:
    """Keep the text so far on the attempt; False when the attempt is no longer running (its row
    was given to another worker), so the writer stops."""
    with session_scope(engine) as session:
        return bool(session.execute(update(BatchAttempt).where(BatchAttempt.id == attempt_id,
                                                               BatchAttempt.outcome == "running")
                                    .values(partial_text=text)).rowcount)  # fmt: skip


def still_mine(engine: Engine, row_id: int, worker: str) -> tuple[bool, bool]:
    """(the row is still this worker's, its batch was cancelled)."""
    with session_scope(engine) as session:
        found = session.execute(
            select(BatchRow.worker, BatchRow.state, Batch.status).join(Batch, Batch.id == BatchRow.batch_id)
            .where(BatchRow.id == row_id)
        ).first()  # fmt: skip
    if found is None:
        return False, False
    return found[0] == worker and found[1] in {s.value for s in ACTIVE}, found[2] == "cancelled"


def mark_checked(engine: Engine, claim: Claim, worker: str) -> bool:
    with session_scope(engine) as session:
        done = session.execute(
            update(BatchRow).where(BatchRow.id == claim.row_id, BatchRow.worker == worker,
                                   BatchRow.state == RowState.WRITING.value)
            .values(state=RowState.CHECKED.value, updated_at=utcnow())
        ).rowcount  # fmt: skip
        if claim.attempt_id is not None:
            session.execute(update(BatchAttempt).where(BatchAttempt.id == claim.attempt_id)
                            .values(outcome="done", ended_at=utcnow(), partial_text=""))  # fmt: skip
        return bool(done)


def end_row(engine: Engine, claim: Claim, worker: str, state: RowState, *, error: str | None = None,
            attempt_outcome: str | None = None, partial: str = "", not_before: datetime | None = None,
            retry_after: float | None = None, cool_down: float | None = None) -> bool:  # fmt: skip
    """Move the row out of this worker's hands (to done, failed, cancelled, or queued again),
    free its slots and record how the attempt ended. False when the row was no longer ours."""
    now = utcnow()
    with session_scope(engine) as session:
        row = session.scalar(select(BatchRow).where(BatchRow.id == claim.row_id).with_for_update())
        if row is None or row.worker != worker or row.state not in {s.value for s in ACTIVE}:
            for h in claim.holders:
                slots.release(session, h)
            return False
        row.state = state.value
        row.error = error
        row.worker = None
        row.lease_until = None
        row.not_before = not_before
        if state in ENDED:
            row.finished_at = now
        for h in claim.holders:
            slots.release(session, h)
        if cool_down:
            slots.cool_down(session, claim.provider_slot, cool_down, now)
        if claim.attempt_id is not None and attempt_outcome is not None:
            done = attempt_outcome == "done"
            session.execute(update(BatchAttempt).where(BatchAttempt.id == claim.attempt_id,
                                                       BatchAttempt.outcome == "running").values(
                outcome=attempt_outcome, ended_at=now, error=None if done else error, partial_text=partial,
                retry_after_s=retry_after))  # fmt: skip
        finish_batch_if_done(session, row.batch_id, now)
        return True


def finish_batch_if_done(session: Any, batch_id: int, now: datetime) -> None:
    open_rows = session.scalar(
        select(func.count(BatchRow.id)).where(BatchRow.batch_id == batch_id,
                                              BatchRow.state.not_in([s.value for s in ENDED]))
    )  # fmt: skip
    if not open_rows:
        batch = session.get(Batch, batch_id)
        if batch is not None and batch.status == "running":
            batch.status = "finished"
            batch.finished_at = now


def heartbeat(engine: Engine, worker: str, row_ids: list[int], lease_s: float) -> None:
    """Extend the leases of the rows (and their slots) this worker is writing."""
    if not row_ids:
        return
    until = utcnow() + timedelta(seconds=lease_s)
    with session_scope(engine) as session:
        session.execute(update(BatchRow).where(BatchRow.id.in_(row_ids), BatchRow.worker == worker)
                        .values(lease_until=until))  # fmt: skip
        slots.renew(session, [holder(worker, r) for r in row_ids], until)


def reclaim(engine: Engine, row_id: int, worker: str, reason: str = LOST) -> bool:
    """A row whose worker stopped: its attempt is recorded as lost (with the text it had), the
    row is queued again. Does not count against the row's attempts."""
    now = utcnow()
    with session_scope(engine) as session:
        row = session.scalar(select(BatchRow).where(BatchRow.id == row_id).with_for_update())
        if row is None or row.worker != worker or row.state not in {s.value for s in ACTIVE}:
            return False
        if row.state == RowState.WRITING.value:
            row.attempts = max(row.attempts - 1, 0)
            attempt = session.scalar(select(BatchAttempt).where(BatchAttempt.row_id == row.id)
                                     .order_by(BatchAttempt.number.desc()).limit(1))  # fmt: skip
            if attempt is not None and attempt.outcome == "running":
                attempt.outcome, attempt.ended_at, attempt.error = "lost", now, reason
        row.state = RowState.QUEUED.value
        row.worker = None
        row.lease_until = None
        row.not_before = None
        slots.release(session, holder(worker, row.id))
        return True
