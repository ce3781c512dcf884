"""A signed cookie that keeps a person signed in across a page reload, under the same
inactivity timeout as the open page.

Streamlit starts a new session on every reload (F5), so the app's own session state is gone. The
cookie says who signed in, when, and when they were last active, with an HMAC-SHA256 signature:
``<user id>.<signed in>.<last active>.<signature>`` (times in whole seconds since the epoch).
`restore` accepts it only if the signature holds, the last activity is within
``STUDIO_SESSION_TIMEOUT_MINUTES``, the account is active, and the person has not signed out
(anywhere), been disabled or had their password reset since signing in.

The key: ``STUDIO_SESSION_SECRET`` (environment or ``.streamlit/secrets.toml``), or, when it is
not set, a random key made by each server process at start, so a reload keeps the session and a
server restart ends it. Neither is ever written to the database, the logs or the page; the
cookie holds no secret, only the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.accounts.service import USER_DISABLED, USER_PASSWORD_RESET, get_active_user
from studio.accounts.signin import SIGN_OUT
from studio.config import Settings
from studio.models import AuditEvent, User

COOKIE_NAME = "studio_session"
_PROCESS_KEY = secrets.token_bytes(32)


def _key(settings: Settings) -> bytes:
    secret = settings.studio_session_secret
    if secret is not None and secret.get_secret_value():
        return hashlib.sha256(b"studio-session-cookie\0" + secret.get_secret_value().encode("utf-8")).digest()
    return _PROCESS_KEY


def _sign(payload: str, settings: Settings) -> str:
    digest = hmac.new(_key(settings), payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def make(user_id: int, signed_in: datetime, last_active: datetime, settings: Settings) -> str:
    payload = f"{int(user_id)}.{int(signed_in.timestamp())}.{int(last_active.timestamp())}"
    return f"{payload}.{_sign(payload, settings)}"


@dataclass(frozen=True)
class CookieSession:
    user_id: int
    signed_in: datetime
    last_active: datetime


def read(value: str | None, settings: Settings) -> CookieSession | None:
    """The cookie's contents if its signature holds, else None (tampered, foreign, garbage)."""
    if not value or len(value) > 200:
        return None
    parts = value.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _sign(payload, settings)):
        return None
    try:
        user_id, signed, seen = (int(p) for p in parts[:3])
        return CookieSession(
            user_id, datetime.fromtimestamp(signed, timezone.utc), datetime.fromtimestamp(seen, timezone.utc)
        )
    except (OverflowError, OSError, ValueError):
        return None


def restore(session: Session, value: str | None, settings: Settings, *, now: datetime | None = None) -> User | None:
    """The person the cookie signs in, or None (see the module's doc for every condition)."""
    found = read(value, settings)
    if found is None:
        return None
    now = now or datetime.now(timezone.utc)
    if now - found.last_active >= timedelta(minutes=settings.studio_session_timeout_minutes):
        return None
    if found.last_active > now + timedelta(minutes=5):  # from the future: not ours
        return None
    user = get_active_user(session, found.user_id)
    if user is None:
        return None
    ended = session.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.data).where(
            AuditEvent.created_at >= found.signed_in,
            AuditEvent.action.in_([SIGN_OUT, USER_PASSWORD_RESET, USER_DISABLED]),
        )
    ).all()
    for action, actor_id, data in ended:
        if action == SIGN_OUT and actor_id == user.id:
            return None
        if action != SIGN_OUT and isinstance(data, dict) and data.get("user_id") == user.id:
            return None
    return user
