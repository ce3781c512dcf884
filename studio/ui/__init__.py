"""The only part of studio/ that imports streamlit: shared widgets and session glue for pages.

Pages get plain data: the signed-in `Person`, and whatever the services they `call` return.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from studio.accounts.schemas import Person
from studio.accounts.service import get_active_user
from studio.accounts.signin import session_expired
from studio.accounts.signin import sign_out as record_sign_out
from studio.config import Settings, get_settings
from studio.db import get_engine, migrate, session_scope
from studio.errors import user_message
from studio.review.rules import DraftStatus

USER_KEY = "studio_user_id"
SEEN_KEY = "studio_last_seen"


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


def _person(user_id: int) -> Person | None:
    with db() as session:
        user = get_active_user(session, user_id)
        return Person.of(user) if user is not None else None


def sign_in_as(user: Person) -> None:
    st.session_state[USER_KEY] = user.id
    st.session_state[SEEN_KEY] = datetime.now(timezone.utc)
    st.session_state.pop("signed_out_reason", None)


def sign_out(user: Person | None = None, *, expired: bool = False, reason: str | None = None) -> None:
    if user is not None:
        with db() as session:
            record_sign_out(session, user, expired=expired)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
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
        st.error(message)
        return REFUSED


def flash(message: str, kind: str = "success") -> None:
    """A message that survives the rerun that follows a button press."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop("_flash", []):
        getattr(st, kind)(message)


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


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$])")


def md_escape(text: str) -> str:
    """Text shown inside Streamlit Markdown (titles, names) stays text: no links, no emphasis."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text or "").replace("\n", " ")


def pause(seconds: float) -> None:
    time.sleep(seconds)

