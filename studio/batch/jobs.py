"""One row written: the job each batch row becomes on the queue.

The row's brief goes through the same writer as the New draft page (`DraftRun`), into the draft
the row owns, so it is saved, checked and recorded like any other draft. The job itself does not
retry inside the call (the SDK's retries are off): a failure ends the attempt, frees the row's
slots, and the queue brings the row back after the provider's Retry-After or a backoff, so a
rate-limited provider never holds a slot while it waits.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from huey.exceptions import RetryTask

from studio.batch import ledger
from studio.batch.estimate import brief_of
from studio.batch.rules import RowState, is_transient, retry_after_seconds, retry_delay
from studio.config import get_settings
from studio.db import get_engine, session_scope
from studio.drafting.writer import DraftRun
from studio.errors import StudioError
from studio.models import User, utcnow
from studio.review.service import transition
from studio.usage import context as usage
from studio.usage.sink import flush as flush_usage
from studio.usage.tokens import expected_tokens_for_words

log = logging.getLogger(__name__)

# How often the text so far is saved on the attempt while it streams.
PARTIAL_SAVE_S = 1.0
# How long a job waits for a busy slot before it hands the row back to the queue's schedule.
SLOT_WAIT_S = 2.0
SLOT_POLL_S = 0.1
FIELDS_WAIT_S = 120.0
STOPPED = "The worker was stopped while writing this row; it is written again from the start."
CANCELLED = "Cancelled while it was being written; the text so far is kept on the draft."


@dataclass
class RowControl:
    """What the worker's heartbeat tells a running row."""

    cancelled: threading.Event = field(default_factory=threading.Event)
    lost: threading.Event = field(default_factory=threading.Event)


class Running:
    """The rows this process is writing (the worker's heartbeat renews their leases)."""

    def __init__(self) -> None:
        self._rows: dict[int, RowControl] = {}
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self.worker_id = ""

    def add(self, row_id: int) -> RowControl:
        with self._lock:
            control = self._rows[row_id] = RowControl()
            return control

    def remove(self, row_id: int) -> None:
        with self._lock:
            self._rows.pop(row_id, None)

    def snapshot(self) -> dict[int, RowControl]:
        with self._lock:
            return dict(self._rows)


RUNNING = Running()


def run_row(row_id: int) -> None:
    """The queue's job for one row (see module doc). Raises RetryTask to come back later."""
    settings = get_settings()
    engine = get_engine()
    worker = RUNNING.worker_id or "in-process"
    if RUNNING.stopping.is_set():
        raise RetryTask(delay=0)
    deadline = time.monotonic() + SLOT_WAIT_S
    while True:
        got = ledger.claim(engine, row_id, worker, settings)
        if not isinstance(got, ledger.Wait):
            break
        if got.seconds > 0.5 or time.monotonic() >= deadline:
            raise RetryTask(delay=max(got.seconds, 1.0))
        time.sleep(max(got.seconds, SLOT_POLL_S))
    if got is None:
        return
    control = RUNNING.add(row_id)
    try:
        _write(engine, settings, got, worker, control)
    finally:
        RUNNING.remove(row_id)


def _write(engine: Any, settings: Any, claim: ledger.Claim, worker: str, control: RowControl) -> None:
    brief = brief_of(claim.brief)
    if not claim.already_written:
        outcome, error, text = _generate(engine, settings, claim, brief, worker, control)
        if control.lost.is_set():
            return  # another worker holds the row now
        if outcome is None or outcome.error is not None:
            _after_failure(engine, settings, claim, worker, control, outcome, error, text)
            return
    note = None
    if claim.auto_submit:
        # Written and checked (the save runs the checks); submitted next, in its own step.
        if not claim.already_written and not ledger.mark_checked(engine, claim, worker):
            return
        note = _submit(engine, claim)
    ledger.end_row(engine, claim, worker, RowState.DONE, error=note, attempt_outcome="done")


def _generate(engine: Any, settings: Any, claim: ledger.Claim, brief: Any, worker: str, control: RowControl):  # type: ignore[no-untyped-def]
    # No retries inside the call: the queue retries, after Retry-After, without holding a slot.
    row_settings = settings.model_copy(update={"studio_max_retries": 0})
    parts: list[str] = []
    error: BaseException | None = None
    run = None
    owner = _Owner(claim.owner_id)
    with usage.acting(claim.owner_id, batch_id=claim.batch_id), \
            usage.feature("batch", expected_output_tokens=expected_tokens_for_words(brief.target_words)), \
            usage.observe() as observed:  # fmt: skip
        try:
            run = DraftRun(brief, owner, engine=engine, settings=row_settings, provider=claim.provider,
                           model=claim.model, draft_id=claim.draft_id)  # fmt: skip
            stream = run.stream()
            saved_at = time.monotonic()
            try:
                for piece in stream:
                    parts.append(piece)
                    if control.cancelled.is_set() or control.lost.is_set() or RUNNING.stopping.is_set():
                        break
                    if claim.attempt_id is not None and time.monotonic() - saved_at >= PARTIAL_SAVE_S:
                        if not ledger.save_partial(engine, claim.attempt_id, "".join(parts)):
                            control.lost.set()
                            break
                        saved_at = time.monotonic()
            finally:
                stream.close()  # an early stop saves what arrived, marked incomplete
            if run.outcome is not None and run.outcome.error is None:
                run.wait_for_fields(FIELDS_WAIT_S)
        except Exception as exc:  # noqa: BLE001 - the row fails or retries; the worker goes on
            error = exc
            log.warning("row %s: %s", claim.row_id, type(exc).__name__)
        error = error or observed.last_error
    if claim.budgeted:
        flush_usage()  # the next row's budget check, in any worker, sees this row's cost
    return (run.outcome if run is not None else None), error, "".join(parts)


class _Owner:
    """The batch's owner as DraftRun's actor (services re-read the account by id)."""

    def __init__(self, user_id: int) -> None:
        self.id = user_id


def _after_failure(engine: Any, settings: Any, claim: ledger.Claim, worker: str, control: RowControl,
                   outcome: Any, error: BaseException | None, text: str) -> None:  # fmt: skip
    message = (outcome.error if outcome is not None else None) or (str(error) if isinstance(error, StudioError) else None) \
        or f"Unexpected failure ({type(error).__name__ if error else 'unknown'})."
    partial = outcome.text if outcome is not None and outcome.text else text
    if control.cancelled.is_set():
        ledger.end_row(engine, claim, worker, RowState.CANCELLED, error=CANCELLED, attempt_outcome="cancelled", partial=partial)
        return
    if RUNNING.stopping.is_set():
        ledger.end_row(engine, claim, worker, RowState.QUEUED, error=None, attempt_outcome="interrupted", partial=partial)
        raise RetryTask(delay=0)
    attempts = _attempts(engine, claim.row_id)
    if is_transient(error) and attempts < settings.studio_batch_max_attempts:
        delay = retry_delay(error, attempts)
        asked = retry_after_seconds(error)
        if ledger.end_row(engine, claim, worker, RowState.QUEUED, error=f"Trying again in {delay:.0f} s: {message}",
                          attempt_outcome="retrying", partial=partial, not_before=utcnow() + timedelta(seconds=delay),
                          retry_after=asked, cool_down=asked):  # fmt: skip
            raise RetryTask(delay=delay)
        return
    if attempts >= settings.studio_batch_max_attempts and is_transient(error):
        message = f"{message} (gave up after {attempts} attempts)"
    ledger.end_row(engine, claim, worker, RowState.FAILED, error=message, attempt_outcome="failed", partial=partial)


def _attempts(engine: Any, row_id: int) -> int:
    from studio.models import BatchRow

    with session_scope(engine) as session:
        row = session.get(BatchRow, row_id)
        return row.attempts if row is not None else 0


def _submit(engine: Any, claim: ledger.Claim) -> str | None:
    """Submit the draft for review (the batch's option); a refusal is noted on the row."""
    from studio.models import Draft

    try:
        with session_scope(engine) as session:
            draft = session.get(Draft, claim.draft_id)
            if draft is None or draft.status != "draft":
                return None  # already submitted by an earlier attempt
            owner = session.get(User, claim.owner_id)
            transition(session, claim.draft_id, owner, "submit", expected_version=None)
        return None
    except StudioError as exc:
        return f"Written, but not submitted for review: {exc}"
