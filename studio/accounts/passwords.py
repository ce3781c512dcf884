"""Passwords (argon2) and the rules for names, passwords, roles and display names."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from studio.accounts.permissions import ROLES
from studio.errors import InputError
from studio.validation import problem as text_problem

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 64
DISPLAY_NAME_MAX_LENGTH = 120

#: The password hasher. Tests may swap in a cheaper `PasswordHasher(...)`; hashes made with
#: other parameters are upgraded at the next successful sign-in.
password_hasher = PasswordHasher()


class ValidationError(InputError):
    """A bad name, password, display name or role list; `field` names which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {field: message})
        self.field = field


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


_dummy: tuple[PasswordHasher, str] | None = None
_dummy_lock = threading.Lock()


def dummy_hash() -> str:
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
    found = text_problem(password, "The password")
    if found is not None:
        raise ValidationError("password", found)
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


EMAIL_MAX_CHARS = 254
# Deliberately plain: one @, a dot in the domain, no spaces. The mail server is the real test.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def validate_email(email: str | None) -> str | None:
    """An optional e-mail address, trimmed; None when left empty."""
    value = (email or "").strip()
    if not value:
        return None
    if len(value) > EMAIL_MAX_CHARS or not _EMAIL.fullmatch(value):
        raise ValidationError("email", f"“{value[:60]}” is not an e-mail address; write it as name@example.com.")
    return value


def display_name_or(display_name: str, typed_name: str) -> str:
    found = text_problem(display_name, "The display name")
    if found is not None:
        raise ValidationError("display_name", found)
    cleaned = " ".join((display_name or "").split())
    if len(cleaned) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(
            "display_name",
            f"Display name must be at most {DISPLAY_NAME_MAX_LENGTH} characters long.",
        )
    return cleaned or typed_name.strip()


def roles_csv(roles: frozenset[str]) -> str:
    return ",".join(r for r in ROLES if r in roles)

