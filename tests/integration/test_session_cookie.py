"""The signed cookie that keeps a person signed in across a reload: it holds only while its
signature holds, within the inactivity timeout, for an active account that has not signed out,
been disabled or had its password reset since. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from studio.accounts import session_cookie
from studio.accounts.service import disable_user, reset_password
from studio.accounts.signin import sign_out
from studio.config import Settings
from studio.db import session_scope

SETTINGS = Settings(studio_session_timeout_minutes=30, _env_file=None)  # type: ignore[call-arg]


def cookie(user, *, ago: float = 0.0, settings: Settings = SETTINGS) -> str:  # type: ignore[no-untyped-def]
    now = datetime.now(timezone.utc)
    return session_cookie.make(user.id, now - timedelta(minutes=ago + 1), now - timedelta(minutes=ago), settings)


def restore(engine, value, settings: Settings = SETTINGS):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        user = session_cookie.restore(s, value, settings)
        return user.name if user is not None else None


def test_a_fresh_cookie_signs_the_person_in_again(engine, people):
    assert restore(engine, cookie(people.marketer)) == "mara"


def test_a_tampered_or_foreign_cookie_is_refused(engine, people):
    value = cookie(people.marketer)
    uid, signed, seen, sig = value.split(".")
    assert restore(engine, f"{people.admin.id}.{signed}.{seen}.{sig}") is None  # someone else's id
    assert restore(engine, f"{uid}.{signed}.{int(seen) + 3600}.{sig}") is None  # stretched activity
    assert restore(engine, value[:-2] + "AA") is None
    for junk in ("", "garbage", "1.2.3", "1.2.3.4.5", "x" * 500):
        assert restore(engine, junk) is None
    other_key = Settings(studio_session_secret="another key", _env_file=None)  # type: ignore[call-arg]
    assert restore(engine, cookie(people.marketer, settings=other_key)) is None


def test_the_same_inactivity_timeout_applies(engine, people):
    assert restore(engine, cookie(people.marketer, ago=29)) == "mara"
    assert restore(engine, cookie(people.marketer, ago=31)) is None


def test_signing_out_disabling_or_resetting_the_password_ends_every_cookie(engine, people):
    marketer, milo, dana = cookie(people.marketer), cookie(people.marketer2), cookie(people.editor)
    with session_scope(engine) as s:
        sign_out(s, s.merge(people.marketer))
        disable_user(s, people.admin, "milo")
        reset_password(s, people.admin, "dana", "a brand new password")
    assert restore(engine, marketer) is None and restore(engine, milo) is None and restore(engine, dana) is None


def test_the_key_is_the_configured_secret_and_is_never_in_the_cookie(engine, people):
    secret = "s3cret-session-key-for-tests"
    settings = Settings(studio_session_secret=secret, _env_file=None)  # type: ignore[call-arg]
    value = cookie(people.marketer, settings=settings)
    assert secret not in value and restore(engine, value, settings) == "mara"
    assert restore(engine, value) is None  # the process's own random key does not sign it
