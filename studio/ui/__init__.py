"""The only part of studio/ that imports streamlit: shared widgets and session glue for pages.

Pages get plain data: the signed-in `Person`, and whatever the services they `call` return.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from studio.accounts import session_cookie
from studio.accounts.schemas import Person
from studio.accounts.service import get_active_user
from studio.accounts.signin import session_expired
from studio.accounts.signin import sign_out as record_sign_out
from studio.config import Settings, get_settings
from studio.db import get_engine, migrate, session_scope
from studio.errors import user_message
from studio.review.rules import DraftStatus
from studio.ui import safe

USER_KEY = "studio_user_id"
SEEN_KEY = "studio_last_seen"
SIGNED_IN_KEY = "studio_signed_in_at"
_COOKIE_WRITTEN = "_studio_cookie_written"
_COOKIE_CLEAR = "_studio_cookie_clear"
# How stale the cookie's "last active" may get before it is written again.
COOKIE_REFRESH_SECONDS = 60


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    eng = get_engine(url)
    migrate(eng)
    return eng


def engine() -> Engine:
    """One engine per database URL per process, migrated once; sessions are never cached."""
    return _engine_for(get_settings().studio_database_url)


def settings() -> Settings:
    return get_settings()


@contextmanager
def db() -> Iterator[Session]:
    with session_scope(engine()) as session:
        yield session


def current_user() -> Person | None:
    """The signed-in person (as plain data), or None; signs out after the configured inactivity."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        user_id = _from_cookie()
    if user_id is None:
        return None
    last_seen = st.session_state.get(SEEN_KEY)
    now = datetime.now(timezone.utc)
    if last_seen is not None and session_expired(last_seen, settings(), now=now):
        sign_out(_person(user_id), expired=True,
                 reason="You were signed out after a period of inactivity. Sign in again to continue.")
        return None
    person = _person(user_id)
    if person is None:
        sign_out(reason="Your account is no longer active.")
        return None
    st.session_state[SEEN_KEY] = now
    return person


def _from_cookie() -> int | None:
    """A reload (a new Streamlit session) of a person signed in a moment ago: their signed
    cookie, if it still holds (see studio/accounts/session_cookie.py)."""
    value = st.context.cookies.get(session_cookie.COOKIE_NAME)
    if not value or st.session_state.get(_COOKIE_CLEAR):
        return None
    with db() as session:
        user = session_cookie.restore(session, value, settings())
        person = Person.of(user) if user is not None else None
    if person is None:
        st.session_state[_COOKIE_CLEAR] = True
        return None
    found = session_cookie.read(value, settings())
    st.session_state[USER_KEY] = person.id
    st.session_state[SEEN_KEY] = found.last_active if found else datetime.now(timezone.utc)
    st.session_state[SIGNED_IN_KEY] = found.signed_in if found else datetime.now(timezone.utc)
    return person.id


def keep_session_cookie() -> None:
    """Write the signed cookie for the signed-in person (on sign-in, then at most once a
    minute as they act), or remove it after a sign-out. The router calls this on every run."""
    user_id = st.session_state.get(USER_KEY)
    now = datetime.now(timezone.utc)
    if user_id is None:
        if st.session_state.pop(_COOKIE_CLEAR, False):
            _set_cookie("", max_age=0)
        return
    written = st.session_state.get(_COOKIE_WRITTEN)
    if written is not None and (now - written).total_seconds() < COOKIE_REFRESH_SECONDS:
        return
    signed_in = st.session_state.get(SIGNED_IN_KEY) or now
    value = session_cookie.make(user_id, signed_in, st.session_state.get(SEEN_KEY) or now, settings())
    _set_cookie(value, max_age=settings().studio_session_timeout_minutes * 60)
    st.session_state[_COOKIE_WRITTEN] = now


def _set_cookie(value: str, *, max_age: int) -> None:
    # The value is ours (digits, dots and base64url): nothing from a person reaches this script.
    assert all(c.isalnum() or c in ".-_" for c in value)
    st.html(
        "<script>document.cookie = '" + session_cookie.COOKIE_NAME + "=" + value + "; Path=/; Max-Age="
        + str(int(max_age)) + "; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def _person(user_id: int) -> Person | None:
    with db() as session:
        user = get_active_user(session, user_id)
        return Person.of(user) if user is not None else None


def sign_in_as(user: Person) -> None:
    now = datetime.now(timezone.utc)
    st.session_state[USER_KEY] = user.id
    st.session_state[SEEN_KEY] = now
    st.session_state[SIGNED_IN_KEY] = now
    st.session_state.pop(_COOKIE_WRITTEN, None)
    st.session_state.pop(_COOKIE_CLEAR, None)
    st.session_state.pop("signed_out_reason", None)


def sign_out(user: Person | None = None, *, expired: bool = False, reason: str | None = None) -> None:
    if user is not None:
        with db() as session:
            record_sign_out(session, user, expired=expired)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[_COOKIE_CLEAR] = True
    if reason:
        st.session_state["signed_out_reason"] = reason


def require_user() -> Person:
    user = current_user()
    if user is None:
        st.warning("Please sign in.")
        st.stop()
    return user


def call(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run one service in its own short session and return its result (plain data)."""
    with db() as session:
        return fn(session, *args, **kwargs)


class Refused:
    """What `attempt` returns when a service refused: falsy, and the message was shown."""

    def __bool__(self) -> bool:
        return False


REFUSED = Refused()


def attempt(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run one service in its own session; a refusal or bad input is shown, not raised.

    Returns the service's result, or REFUSED. Anything that is not a message for the person
    (a bug) propagates.
    """
    try:
        return call(fn, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - filtered just below
        message = user_message(exc)
        if message is None:
            raise
        safe.message("error", message)
        return REFUSED


def flash(message: str, kind: str = "success") -> None:
    """A message that survives the rerun that follows a button press."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop("_flash", []):
        safe.message(kind, message)


def friendly_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    delta = datetime.now(timezone.utc) - value
    seconds = delta.total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return value.strftime("%Y-%m-%d %H:%M")


STATUS_COLOURS = {
    DraftStatus.DRAFT: "gray",
    DraftStatus.IN_REVIEW: "blue",
    DraftStatus.CHANGES_REQUESTED: "orange",
    DraftStatus.APPROVED: "green",
    DraftStatus.REJECTED: "red",
    DraftStatus.EXPORTED: "violet",
}


def status_badge(status: str, incomplete: bool = False) -> str:
    """Streamlit Markdown for a coloured status label."""
    state = DraftStatus(status)
    badge = f":{STATUS_COLOURS[state]}-badge[{state.label}]"
    if incomplete:
        badge += " :orange-badge[Incomplete]"
    return badge


def md_escape(text: str) -> str:
    """Text shown inside Streamlit Markdown (titles, names) stays text: see `safe.inline`."""
    return safe.inline(text)


def pause(seconds: float) -> None:
    time.sleep(seconds)


def budget_notice(user: Person) -> None:
    """The person's budget warnings (soft budget nearly used or passed, hard budget used up)."""
    from studio.usage.service import budget_status

    status = call(budget_status, user)
    for warning in status.warnings:  # names a person (their label) and amounts in dollars: never Markdown
        safe.message("warning", warning, icon=":material/payments:")
