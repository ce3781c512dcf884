"""People: looking them up, the first admin, the command-line account, and account changes.

Names are stored lower-case (so uniqueness is case-insensitive with a plain unique index) and
looked up case-insensitively; the name as typed becomes the display name unless one is given.
Every account change is an audit event; passwords and hashes never go into audit data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio.accounts.passwords import (
    ValidationError,
    display_name_or,
    hash_password,
    roles_csv,
    validate_email,
    validate_name,
    validate_password,
    validate_roles,
)
from studio.accounts.permissions import ADMIN, MARKETER, ROLES, authorize
from studio.accounts.schemas import Person, PersonRow
from studio.audit.service import record
from studio.errors import NotFound, PermissionDenied
from studio.models import User

#: The reserved account the CLI acts as without `--as` (see `cli_account`).
CLI_ACCOUNT_NAME = "cli"
# Not an argon2 hash: verification always fails, so nobody can sign in with it.
UNUSABLE_HASH = "!unusable"

# Audit actions written by this module.
USER_CREATED = "user.created"
USER_DISABLED = "user.disabled"
USER_ENABLED = "user.enabled"
USER_ROLES_CHANGED = "user.roles_changed"
USER_PASSWORD_RESET = "user.password_reset"
USER_EMAIL_CHANGED = "user.email_changed"


class UserNotFound(NotFound):
    def __init__(self, name: str) -> None:
        super().__init__(f"There is no one named {name!r}.")
        self.name = name


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



def list_users(session: Session, actor: Any) -> list[User]:
    authorize(session, actor, "users.manage")
    return list(session.scalars(select(User).order_by(User.name)))


def people(session: Session, actor: Any) -> list[PersonRow]:
    """Everyone, for the People page."""
    return [PersonRow.of(u) for u in list_users(session, actor)]


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


def team_size(session: Session, actor: Any) -> int:
    """How many people have accounts (the command-line account aside)."""
    authorize(session, actor, "users.manage")
    return int(session.scalar(select(func.count(User.id)).where(User.name != CLI_ACCOUNT_NAME)) or 0)


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
            password_hash=UNUSABLE_HASH,
            roles_csv=roles_csv(frozenset({MARKETER})),
            disabled=False,
            failed_logins=0,
        )
        session.add(user)
        session.flush()
        record(
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
    record(
        session,
        user,
        USER_CREATED,
        comment=f"First admin {user.name} created",
        data={"user": user.name, "user_id": user.id, "roles": list(ROLES), "first_admin": True},
    )
    return user


def first_admin(session: Session, name: str, password: str, display_name: str = "") -> Person:
    """`create_first_admin`, returning the person as plain data (for the setup page)."""
    return Person.of(create_first_admin(session, name, password, display_name))


def add_user(
    session: Session,
    actor: Any,
    name: str,
    password: str,
    roles: Iterable[str] | str,
    display_name: str = "",
    email: str | None = None,
) -> User:
    actor = authorize(session, actor, "users.manage")
    address = validate_email(email)
    user = _new_user(session, name, password, roles, display_name)
    user.email = address
    record(
        session,
        actor,
        USER_CREATED,
        comment=f"Added {user.name} ({', '.join(sorted(user.roles))})",
        data={"user": user.name, "user_id": user.id, "roles": _ordered(user.roles), "email": address},
    )
    return user


def add_person(
    session: Session, actor: Any, name: str, password: str, roles: Iterable[str] | str,
    display_name: str = "", email: str | None = None,
) -> PersonRow:
    """`add_user`, handing back plain data (for the People page)."""
    return PersonRow.of(add_user(session, actor, name, password, roles, display_name, email))


def set_email(session: Session, actor: Any, name: str, email: str | None) -> User:
    """Set (or, with an empty value, remove) someone's e-mail address."""
    actor = authorize(session, actor, "users.manage")
    user = _target(session, name)
    address = validate_email(email)
    if address == user.email:
        return user
    before = user.email
    user.email = address
    record(
        session, actor, USER_EMAIL_CHANGED,
        comment=f"E-mail of {user.name}: {before or 'none'} → {address or 'none'}",
        data={"user": user.name, "user_id": user.id, "from": before, "to": address},
    )  # fmt: skip
    return user


def _new_user(
    session: Session, name: str, password: str, roles: Iterable[str] | str, display_name: str
) -> User:
    key = validate_name(name)
    validate_password(password, name=key)
    role_set = validate_roles(roles)
    shown = display_name_or(display_name, name)
    if key == CLI_ACCOUNT_NAME:
        raise ValidationError("name", f"The name {key!r} is reserved for the command line.")
    if get_user(session, key) is not None:
        raise ValidationError("name", f"The name {key!r} is already taken.")
    user = User(
        name=key,
        display_name=shown,
        password_hash=hash_password(password),
        roles_csv=roles_csv(role_set),
        disabled=False,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def disable_user(session: Session, actor: Any, name: str) -> User:
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
    record(
        session, actor, USER_DISABLED, comment=f"Disabled {user.name}",
        data={"user": user.name, "user_id": user.id},
    )  # fmt: skip
    return user


def enable_user(session: Session, actor: Any, name: str) -> User:
    """Re-enable an account; this also clears any sign-in lockout."""
    actor = authorize(session, actor, "users.manage")
    user = _target(session, name)
    if not user.disabled:
        return user
    user.disabled = False
    user.failed_logins = 0
    user.locked_until = None
    record(
        session, actor, USER_ENABLED, comment=f"Re-enabled {user.name}",
        data={"user": user.name, "user_id": user.id},
    )  # fmt: skip
    return user


def set_roles(
    session: Session, actor: Any, name: str, roles: Iterable[str] | str
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
    user.roles_csv = roles_csv(new)
    record(
        session,
        actor,
        USER_ROLES_CHANGED,
        comment=f"Roles of {user.name}: {', '.join(_ordered(old))} → {', '.join(_ordered(new))}",
        data={"user": user.name, "user_id": user.id, "from": _ordered(old), "to": _ordered(new)},
    )
    return user


def reset_password(session: Session, actor: Any, name: str, new_password: str) -> User:
    """Set a new password for someone (and clear their lockout)."""
    actor = authorize(session, actor, "users.manage")
    user = _target(session, name)
    if user.name == CLI_ACCOUNT_NAME:
        raise PermissionDenied("The command-line account has no password: nobody signs in as it.")
    validate_password(new_password, name=user.name)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    record(
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

