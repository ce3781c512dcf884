"""Signing in and out: slowed failures, lockouts, and the inactivity timeout.

Every sign-in, failed sign-in, lockout and sign-out is an audit event. Unknown names are slowed and
locked exactly like real ones, so neither the delay nor the lockout tells an attacker whether a
name exists; the message never says whether the name or the password was wrong.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio.accounts import passwords
from studio.accounts.passwords import NAME_MAX_LENGTH
from studio.accounts.schemas import Person
from studio.audit.service import ACTOR_NAME_MAX_LEN, record
from studio.config import Settings
from studio.content import storable_text
from studio.errors import StudioError
from studio.models import User, utcnow

#: Consecutive failed sign-ins that lock an account.
MAX_FAILED_SIGN_INS = 5
#: How long a locked account stays locked.
LOCKOUT_MINUTES = 15
#: Delay after the 2nd consecutive failure; doubles with each further failure, up to the max.
FAILURE_DELAY_BASE_SECONDS = 0.5
FAILURE_DELAY_MAX_SECONDS = 4.0

SIGN_IN = "auth.sign_in"
SIGN_IN_FAILED = "auth.sign_in_failed"
ACCOUNT_LOCKED = "auth.locked"
SIGN_OUT = "auth.sign_out"


class InvalidCredentials(StudioError):
    """Wrong name, wrong password or disabled account: one message for all three."""

    MESSAGE = "That name and password don't match an active account."

    def __init__(self, *, delay_seconds: float = 0.0) -> None:
        super().__init__(self.MESSAGE)
        #: How long `authenticate` slowed this failure down (already slept unless sleep was
        #: replaced).
        self.delay_seconds = delay_seconds


class AccountLocked(StudioError):
    def __init__(self, until: datetime, now: datetime) -> None:
        self.until = until
        self.retry_after = max(until - now, timedelta(0))
        minutes = max(1, math.ceil(self.retry_after.total_seconds() / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"Too many failed sign-ins. Try again in {minutes} {unit}.")




@dataclass
class _Attempts:
    """Failed-sign-in state for a name with no account (mirrors User's two columns)."""

    failed_logins: int = 0
    locked_until: datetime | None = None


class _UnknownNames:
    """Process-local, bounded memory of failures against names that have no account.

    Unknown names are slowed and locked exactly like real ones, so neither the delay nor the
    lockout tells an attacker whether a name exists.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[str, _Attempts] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> _Attempts:
        with self._lock:
            entry = self._entries.pop(key, None) or _Attempts()
            self._entries[key] = entry
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
            return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_unknown_names = _UnknownNames()


def reset_unknown_name_attempts() -> None:
    """Forget failures against unknown names (tests; or an admin after an attack)."""
    _unknown_names.clear()


def failure_delay(consecutive_failures: int) -> float:
    """Seconds to slow the n-th consecutive failure: 0, 0.5, 1, 2, 4, 4, …"""
    if consecutive_failures < 2:
        return 0.0
    return min(
        FAILURE_DELAY_BASE_SECONDS * 2 ** (consecutive_failures - 2), FAILURE_DELAY_MAX_SECONDS
    )


def authenticate(
    session: Session,
    name: str,
    password: str,
    *,
    now: datetime | None = None,
    sleep: Callable[[float], object] = time.sleep,
) -> User:
    """Check a name and password; return the User on success.

    Failure raises InvalidCredentials (one message for unknown name, wrong password and
    disabled account) or AccountLocked (after MAX_FAILED_SIGN_INS consecutive failures, for
    LOCKOUT_MINUTES). Failures are recorded and COMMITTED before raising (the caller's session
    scope rolls back on the exception, and the record must survive it); then the growing delay
    is slept with `sleep` — outside any transaction — and is also on the exception as
    `delay_seconds`. Success changes the user (last sign-in, rehash if the hasher's parameters
    changed) and records an event; the caller's scope commits those.
    """
    now = _aware(now) if now is not None else utcnow()
    # Whatever was typed is looked up and recorded as text every database can keep (a NUL or
    # bytes that are not UTF-8 match no account anyway).
    typed = storable_text(name.replace("\x00", "\ufffd")) if isinstance(name, str) else ""
    password = password if isinstance(password, str) else ""
    key = typed.strip().lower()
    claimed = key[: ACTOR_NAME_MAX_LEN]

    user = _user_for_sign_in(session, key)
    state: User | _Attempts = user if user is not None else _unknown_names.get(claimed)

    if state.locked_until is not None and _aware(state.locked_until) <= now:
        state.locked_until = None  # the lock has run out: start counting afresh
        state.failed_logins = 0
    if state.locked_until is not None:
        until = _aware(state.locked_until)
        _fail_event(session, claimed, user, "locked", state.failed_logins, now)
        session.commit()
        raise AccountLocked(until, now)

    stored = user.password_hash if user is not None else ""
    if stored.startswith("$argon2"):
        ok = passwords.verify_password(stored, password)
    else:  # unknown name, the CLI account or a corrupt hash: spend the same time, then fail
        passwords.verify_password(passwords.dummy_hash(), password)
        ok = False

    if user is not None and ok and not user.disabled:
        rehashed = passwords.password_hasher.check_needs_rehash(user.password_hash)
        if rehashed:
            user.password_hash = passwords.hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        record(session, user, SIGN_IN, data={"rehashed": True} if rehashed else None, at=now)
        return user

    reason = "unknown_name" if user is None else ("disabled" if user.disabled else "wrong_password")
    state.failed_logins = (state.failed_logins or 0) + 1
    _fail_event(session, claimed, user, reason, state.failed_logins, now)
    if state.failed_logins >= MAX_FAILED_SIGN_INS:
        state.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
        record(
            session,
            None,
            ACCOUNT_LOCKED,
            actor_name=claimed,
            comment=f"Locked for {LOCKOUT_MINUTES} minutes after {state.failed_logins} failures",
            data={
                "user_id": user.id if user is not None else None,
                "failures": state.failed_logins,
                "until": state.locked_until,
            },
            at=now,
        )
        session.commit()
        raise AccountLocked(state.locked_until, now)
    session.commit()
    delay = failure_delay(state.failed_logins)
    if delay:
        sleep(delay)
    raise InvalidCredentials(delay_seconds=delay)


def _user_for_sign_in(session: Session, key: str) -> User | None:
    if not key or len(key) > NAME_MAX_LENGTH:
        return None
    stmt = select(User).where(func.lower(User.name) == key)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()  # concurrent failures must not lose a count
    return session.scalars(stmt.execution_options(populate_existing=True)).first()


def _fail_event(
    session: Session, claimed: str, user: User | None, reason: str, failures: int, now: datetime
) -> None:
    record(
        session,
        None,
        SIGN_IN_FAILED,
        actor_name=claimed,
        data={
            "reason": reason,
            "user_id": user.id if user is not None else None,
            "failures": failures,
        },
        at=now,
    )


def sign_out(session: Session, user: User | None, *, expired: bool = False) -> None:
    """Record a sign-out (or an inactivity expiry). The app clears its own session state."""
    if user is None:
        return
    record(session, user, SIGN_OUT, data={"expired": True} if expired else None)


def session_expired(last_seen: datetime | None, settings: Settings, now: datetime | None = None) -> bool:
    """True once `settings.studio_session_timeout_minutes` have passed since `last_seen`."""
    if last_seen is None:
        return True
    now = _aware(now) if now is not None else utcnow()
    timeout = timedelta(minutes=settings.studio_session_timeout_minutes)
    return now - _aware(last_seen) >= timeout


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def sign_in(session: Session, name: str, password: str, *, sleep: Callable[[float], object] = time.sleep) -> Person:
    """`authenticate`, returning the person as plain data (for the sign-in page)."""
    return Person.of(authenticate(session, name, password, sleep=sleep))
