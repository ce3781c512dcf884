"""Accounts, password hashing, roles and what each role may do.

The one permissions table is `_PERMISSION_TABLE` below; `can`/`require`/`authorize` read it and
nothing else decides who may do what. Services take the actor and call
`authorize(session, actor, action)` (which re-reads the actor from the database, so a person
disabled or demoted a minute ago cannot keep acting with the `User` object their browser tab
still holds) or, for a fresh object, `require(user, action)`.

Names are stored lower-case (so uniqueness is case-insensitive with a plain unique index) and
looked up case-insensitively; the name as typed becomes the display name unless one is given.

Every sign-in, failed sign-in, lockout, sign-out and account change is an audit event
(`studio.audit`). Passwords and hashes never go into audit data.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio import audit
from studio.models import User, utcnow

if TYPE_CHECKING:  # pragma: no cover
    from studio.config import Settings

# --------------------------------------------------------------------------------------------
# Policy constants

#: Consecutive failed sign-ins that lock an account.
MAX_FAILED_SIGN_INS = 5
#: How long a locked account stays locked.
LOCKOUT_MINUTES = 15
#: Delay after the 2nd consecutive failure; doubles with each further failure, up to the max.
FAILURE_DELAY_BASE_SECONDS = 0.5
FAILURE_DELAY_MAX_SECONDS = 4.0

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 64
DISPLAY_NAME_MAX_LENGTH = 120

#: The reserved account the CLI acts as without `--as` (see `cli_account`).
CLI_ACCOUNT_NAME = "cli"
# Not an argon2 hash: verification always fails, so nobody can sign in with it.
_UNUSABLE_HASH = "!unusable"

#: The password hasher. Tests may swap in a cheaper `PasswordHasher(...)`; hashes made with
#: other parameters are upgraded at the next successful sign-in.
password_hasher = PasswordHasher()

# --------------------------------------------------------------------------------------------
# Roles and the permissions table

MARKETER = "marketer"
EDITOR = "editor"
ADMIN = "admin"
ROLES: tuple[str, ...] = (MARKETER, EDITOR, ADMIN)
_ROLE_PLURALS = {MARKETER: "marketers", EDITOR: "editors", ADMIN: "admins"}

# action: (roles allowed, what it is — for "Only editors can approve drafts.")
_PERMISSION_TABLE: dict[str, tuple[frozenset[str], str]] = {
    "draft.create":           (frozenset({MARKETER}), "create drafts"),
    "draft.edit_own":         (frozenset({MARKETER}), "edit their own drafts"),
    "draft.edit_any":         (frozenset({EDITOR}), "edit other people's drafts"),
    "draft.submit":           (frozenset({MARKETER}), "submit drafts for review"),
    "draft.view_all":         (frozenset({EDITOR, ADMIN}), "see everyone's drafts"),
    "review.approve":         (frozenset({EDITOR}), "approve drafts"),
    "review.reject":          (frozenset({EDITOR}), "reject drafts"),
    "review.request_changes": (frozenset({EDITOR}), "request changes to drafts"),
    "review.override_block":  (frozenset({EDITOR}), "override a blocking check"),
    "review.comment":         (frozenset({EDITOR}), "comment on drafts in review"),
    "export.run":             (frozenset({EDITOR, ADMIN}), "export content"),
    "users.manage":           (frozenset({ADMIN}), "manage people"),
    "audit.view":             (frozenset({ADMIN}), "view the audit trail"),
    "settings.manage":        (frozenset({ADMIN}), "change settings"),
}  # fmt: skip

#: action -> roles allowed (read-only view of the table above).
PERMISSIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {action: roles for action, (roles, _) in _PERMISSION_TABLE.items()}
)
ACTIONS: tuple[str, ...] = tuple(_PERMISSION_TABLE)

# Audit actions written by this module.
SIGN_IN = "auth.sign_in"
SIGN_IN_FAILED = "auth.sign_in_failed"
ACCOUNT_LOCKED = "auth.locked"
SIGN_OUT = "auth.sign_out"
USER_CREATED = "user.created"
USER_DISABLED = "user.disabled"
USER_ENABLED = "user.enabled"
USER_ROLES_CHANGED = "user.roles_changed"
USER_PASSWORD_RESET = "user.password_reset"

# --------------------------------------------------------------------------------------------
# Exceptions


class AuthError(Exception):
    """Base of everything this module raises on purpose; str(e) is fit to show the person."""


class PermissionDenied(AuthError):
    def __init__(self, message: str, *, action: str | None = None) -> None:
        super().__init__(message)
        self.action = action


class InvalidCredentials(AuthError):
    """Wrong name, wrong password or disabled account: one message for all three."""

    MESSAGE = "That name and password don't match an active account."

    def __init__(self, *, delay_seconds: float = 0.0) -> None:
        super().__init__(self.MESSAGE)
        #: How long `authenticate` slowed this failure down (already slept unless sleep was
        #: replaced).
        self.delay_seconds = delay_seconds


class AccountLocked(AuthError):
    def __init__(self, until: datetime, now: datetime) -> None:
        self.until = until
        self.retry_after = max(until - now, timedelta(0))
        minutes = max(1, math.ceil(self.retry_after.total_seconds() / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"Too many failed sign-ins. Try again in {minutes} {unit}.")


class ValidationError(AuthError):
    """A bad name, password, display name or role list; `field` names which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class UserNotFound(AuthError):
    def __init__(self, name: str) -> None:
        super().__init__(f"There is no one named {name!r}.")
        self.name = name


# --------------------------------------------------------------------------------------------
# Permissions


def can(user: User | None, action: str) -> bool:
    """May `user` do `action`? Unknown actions raise ValueError (a typo must not pass quietly)."""
    roles = _roles_for(action)
    if user is None or user.disabled:
        return False
    return bool(user.roles & roles)


def require(user: User | None, action: str) -> None:
    """Raise PermissionDenied, saying who can, unless `user` may do `action`."""
    if can(user, action):
        return
    if user is None:
        raise PermissionDenied("Please sign in first.", action=action)
    if user.disabled:
        raise PermissionDenied("Your account is disabled.", action=action)
    raise PermissionDenied(
        f"Only {_who(PERMISSIONS[action])} can {_PERMISSION_TABLE[action][1]}.", action=action
    )


def authorize(session: Session, actor: User | None, action: str) -> User:
    """`require` against the actor as the database has it now; returns that fresh User.

    Use at the top of every service: `editor = authorize(session, editor, "review.approve")`.
    """
    _roles_for(action)
    if actor is None:
        raise PermissionDenied("Please sign in first.", action=action)
    fresh = session.get(User, actor.id, populate_existing=True) if actor.id is not None else None
    if fresh is None:
        raise PermissionDenied("Your account no longer exists.", action=action)
    require(fresh, action)
    return fresh


def describe(action: str) -> str:
    """What `action` is, in words ("approve drafts")."""
    _roles_for(action)
    return _PERMISSION_TABLE[action][1]


def _roles_for(action: str) -> frozenset[str]:
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}; known: {', '.join(ACTIONS)}") from None


def _who(roles: Iterable[str]) -> str:
    words = [_ROLE_PLURALS[r] for r in ROLES if r in roles]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


# --------------------------------------------------------------------------------------------
# Passwords and validation


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_dummy: tuple[PasswordHasher, str] | None = None
_dummy_lock = threading.Lock()


def _dummy_hash() -> str:
    """A hash to verify against for unknown names, so they cost the same time as known ones."""
    global _dummy
    with _dummy_lock:
        if _dummy is None or _dummy[0] is not password_hasher:
            _dummy = (password_hasher, password_hasher.hash("not a password: timing only"))
        return _dummy[1]


_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def validate_name(name: str) -> str:
    """The stored (lower-case) form of a valid name, or ValidationError(field="name")."""
    cleaned = (name or "").strip()
    if not (NAME_MIN_LENGTH <= len(cleaned) <= NAME_MAX_LENGTH) or not _NAME_RE.fullmatch(cleaned):
        raise ValidationError(
            "name",
            f"Name must be {NAME_MIN_LENGTH}–{NAME_MAX_LENGTH} characters: letters, digits, "
            "'.', '_' or '-', starting with a letter or digit.",
        )
    return cleaned.lower()


def validate_password(password: str, *, name: str | None = None) -> None:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationError(
            "password", f"Password must be at least {PASSWORD_MIN_LENGTH} characters long."
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationError(
            "password", f"Password must be at most {PASSWORD_MAX_LENGTH} characters long."
        )
    if not password.strip():
        raise ValidationError("password", "Password must not be only spaces.")
    if name and password.strip().lower() == name.strip().lower():
        raise ValidationError("password", "Password must not be the same as the name.")


def validate_roles(roles: Iterable[str] | str) -> frozenset[str]:
    """A non-empty set of known roles; accepts an iterable or a comma-separated string."""
    if isinstance(roles, str):
        roles = roles.split(",")
    cleaned = {str(r).strip().lower() for r in roles if str(r).strip()}
    unknown = sorted(cleaned - set(ROLES))
    if unknown:
        raise ValidationError(
            "roles", f"Unknown role {', '.join(unknown)}: choose from {', '.join(ROLES)}."
        )
    if not cleaned:
        raise ValidationError("roles", "Choose at least one role.")
    return frozenset(cleaned)


def _display_name(display_name: str, typed_name: str) -> str:
    cleaned = " ".join((display_name or "").split())
    if len(cleaned) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(
            "display_name",
            f"Display name must be at most {DISPLAY_NAME_MAX_LENGTH} characters long.",
        )
    return cleaned or typed_name.strip()


def _roles_csv(roles: frozenset[str]) -> str:
    return ",".join(r for r in ROLES if r in roles)


# --------------------------------------------------------------------------------------------
# Looking people up


def get_user(session: Session, name: str) -> User | None:
    """The user with this name (any case), or None. Not guarded: for services and sign-in."""
    key = (name or "").strip().lower()
    if not key:
        return None
    return session.scalars(select(User).where(func.lower(User.name) == key)).first()


def get_active_user(session: Session, user_id: int | None) -> User | None:
    """The signed-in person as the database has them now, or None if gone or disabled.

    The app's sign-in gate calls this on every rerun so a disabled person is signed out.
    """
    if user_id is None:
        return None
    user = session.get(User, user_id, populate_existing=True)
    return user if user is not None and not user.disabled else None


def list_users(session: Session, actor: User | None) -> list[User]:
    authorize(session, actor, "users.manage")
    return list(session.scalars(select(User).order_by(User.name)))


def _target(session: Session, name: str) -> User:
    user = get_user(session, name)
    if user is None:
        raise UserNotFound(name)
    return user


# --------------------------------------------------------------------------------------------
# First admin and account management


def needs_first_admin(session: Session) -> bool:
    """True while there are no accounts (the command-line account aside): the app then shows
    only "create the first admin"."""
    stmt = select(User.id).where(User.name != CLI_ACCOUNT_NAME).limit(1)
    return session.scalar(stmt) is None


def cli_account(session: Session) -> User:
    """The account `python -m studio` acts as when no `--as NAME` is given.

    A reserved account named "cli" with the marketer role, created (and audited) on first use.
    It has no usable password, so nobody can sign in as it; it does not count as a person for
    `needs_first_admin`. Admins see it in the people list and may change its roles or disable
    it (then the CLI must be told `--as NAME`).
    """
    user = get_user(session, CLI_ACCOUNT_NAME)
    if user is None:
        user = User(
            name=CLI_ACCOUNT_NAME,
            display_name="Command line",
            password_hash=_UNUSABLE_HASH,
            roles_csv=_roles_csv(frozenset({MARKETER})),
            disabled=False,
            failed_logins=0,
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            None,
            USER_CREATED,
            comment=f"Command-line account {CLI_ACCOUNT_NAME} created",
            data={"user": user.name, "user_id": user.id, "roles": [MARKETER], "cli_account": True},
        )
    elif user.disabled:
        raise PermissionDenied(
            f"The command-line account '{CLI_ACCOUNT_NAME}' is disabled; act as someone with --as NAME."
        )
    return user


def create_first_admin(
    session: Session, name: str, password: str, display_name: str = ""
) -> User:
    """Create the first account (admin, editor and marketer). Refused once anyone exists."""
    if not needs_first_admin(session):
        raise PermissionDenied("The first admin already exists. Sign in instead.")
    user = _new_user(session, name, password, ROLES, display_name)
    audit.record(
        session,
        user,
        USER_CREATED,
        comment=f"First admin {user.name} created",
        data={"user": user.name, "user_id": user.id, "roles": list(ROLES), "first_admin": True},
    )
    return user


def add_user(
    session: Session,
    actor: User | None,
    name: str,
    password: str,
    roles: Iterable[str] | str,
    display_name: str = "",
) -> User:
    actor = authorize(session, actor, "users.manage")
    user = _new_user(session, name, password, roles, display_name)
    audit.record(
        session,
        actor,
        USER_CREATED,
        comment=f"Added {user.name} ({', '.join(sorted(user.roles))})",
        data={"user": user.name, "user_id": user.id, "roles": _ordered(user.roles)},
    )
    return user


def _new_user(
    session: Session, name: str, password: str, roles: Iterable[str] | str, display_name: str
) -> User:
    key = validate_name(name)
    validate_password(password, name=key)
    role_set = validate_roles(roles)
    shown = _display_name(display_name, name)
    if key == CLI_ACCOUNT_NAME:
        raise ValidationError("name", f"The name {key!r} is reserved for the command line.")
    if get_user(session, key) is not None:
        raise ValidationError("name", f"The name {key!r} is already taken.")
    user = User(
        name=key,
        display_name=shown,
        password_hash=hash_password(password),
        roles_csv=_roles_csv(role_set),
        disabled=False,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def disable_user(session: Session, actor: User | None, name: str) -> User:
    """Disable an account: no sign-in, no actions. Drafts and history stay."""
    _lock_active_admins(session)
    actor = authorize(session, actor, "users.manage")
    user = _target(session, name)
    if user.id == actor.id:
        raise PermissionDenied("You can't disable your own account.")
    if user.disabled:
        return user
    _protect_last_admin(session, actor, user, "disable")
    user.disabled = True
    audit.record(
        session, actor, USER_DISABLED, comment=f"Disabled {user.name}",
        data={"user": user.name, "user_id": user.id},
    )  # fmt: skip
    return user


def enable_user(session: Session, actor: User | None, name: str) -> User:
    """Re-enable an account; this also clears any sign-in lockout."""
    actor = authorize(session, actor, "users.manage")
    user = _target(session, name)
    if not user.disabled:
        return user
    user.disabled = False
    user.failed_logins = 0
    user.locked_until = None
    audit.record(
        session, actor, USER_ENABLED, comment=f"Re-enabled {user.name}",
        data={"user": user.name, "user_id": user.id},
    )  # fmt: skip
    return user


def set_roles(
    session: Session, actor: User | None, name: str, roles: Iterable[str] | str
) -> User:
    """Replace a person's roles. The last active admin keeps the admin role (even if it is you:
    you may step down only once someone else is an admin)."""
    _lock_active_admins(session)
    actor = authorize(session, actor, "users.manage")
    user = _target(session, name)
    new = validate_roles(roles)
    old = user.roles
    if new == old:
        return user
    if ADMIN in old and ADMIN not in new:
        _protect_last_admin(session, actor, user, "remove the admin role from")
    user.roles_csv = _roles_csv(new)
    audit.record(
        session,
        actor,
        USER_ROLES_CHANGED,
        comment=f"Roles of {user.name}: {', '.join(_ordered(old))} → {', '.join(_ordered(new))}",
        data={"user": user.name, "user_id": user.id, "from": _ordered(old), "to": _ordered(new)},
    )
    return user


def reset_password(session: Session, actor: User | None, name: str, new_password: str) -> User:
    """Set a new password for someone (and clear their lockout)."""
    actor = authorize(session, actor, "users.manage")
    user = _target(session, name)
    if user.name == CLI_ACCOUNT_NAME:
        raise PermissionDenied("The command-line account has no password: nobody signs in as it.")
    validate_password(new_password, name=user.name)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(
        session, actor, USER_PASSWORD_RESET, comment=f"Reset the password of {user.name}",
        data={"user": user.name, "user_id": user.id},
    )  # fmt: skip
    return user


def _ordered(roles: Iterable[str]) -> list[str]:
    return [r for r in ROLES if r in set(roles)]


def _active_admins(session: Session) -> list[User]:
    # roles_csv is a short canonical list; filter in Python to avoid LIKE-matching pitfalls.
    users = session.scalars(select(User).where(User.disabled.is_(False)))
    return [u for u in users if ADMIN in u.roles]


def _lock_active_admins(session: Session) -> None:
    """On PostgreSQL, lock the active admins' rows so two admins can't demote each other at
    once (SQLite already serialises writers: the engine begins IMMEDIATE)."""
    if session.get_bind().dialect.name == "sqlite":
        return
    session.scalars(
        select(User)
        .where(User.disabled.is_(False))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def _protect_last_admin(session: Session, actor: User, user: User, verb: str) -> None:
    if user.disabled or ADMIN not in user.roles:
        return
    others = [u for u in _active_admins(session) if u.id != user.id]
    if others:
        return
    if user.id == actor.id:
        raise PermissionDenied(
            f"You can't {verb} yourself: you are the last active admin. "
            "Make someone else an admin first."
        )
    raise PermissionDenied(
        f"You can't {verb} {user.name}: they are the last active admin. "
        "Make someone else an admin first."
    )


# --------------------------------------------------------------------------------------------
# Signing in


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
    typed = name if isinstance(name, str) else ""
    password = password if isinstance(password, str) else ""
    key = typed.strip().lower()
    claimed = key[: audit.ACTOR_NAME_MAX_LEN]

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
        ok = verify_password(stored, password)
    else:  # unknown name, the CLI account or a corrupt hash: spend the same time, then fail
        verify_password(_dummy_hash(), password)
        ok = False

    if user is not None and ok and not user.disabled:
        rehashed = password_hasher.check_needs_rehash(user.password_hash)
        if rehashed:
            user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        audit.record(session, user, SIGN_IN, data={"rehashed": True} if rehashed else None, at=now)
        return user

    reason = "unknown_name" if user is None else ("disabled" if user.disabled else "wrong_password")
    state.failed_logins = (state.failed_logins or 0) + 1
    _fail_event(session, claimed, user, reason, state.failed_logins, now)
    if state.failed_logins >= MAX_FAILED_SIGN_INS:
        state.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
        audit.record(
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
    audit.record(
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
    audit.record(session, user, SIGN_OUT, data={"expired": True} if expired else None)


def session_expired(last_seen: datetime | None, settings: Settings, now: datetime | None = None) -> bool:
    """True once `settings.studio_session_timeout_minutes` have passed since `last_seen`."""
    if last_seen is None:
        return True
    now = _aware(now) if now is not None else utcnow()
    timeout = timedelta(minutes=settings.studio_session_timeout_minutes)
    return now - _aware(last_seen) >= timeout


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
