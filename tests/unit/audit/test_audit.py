"""The audit trail (studio/audit.py) over a temporary SQLite file."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy.exc
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, update

pass
from studio.accounts import passwords, signin
from studio.accounts import service as accounts
from studio.audit import download as audit_download
from studio.audit import guards as audit_guards
from studio.audit import service as audit
from studio.audit.guards import AuditTrailIsAppendOnly
from studio.db import make_engine, session_scope
from studio.errors import PermissionDenied
from studio.models import AuditEvent, Base, Draft

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
PW = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    monkeypatch.setattr(passwords, "password_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    signin.reset_unknown_name_attempts()


@pytest.fixture()
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'studio.db'}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture()
def world(engine):
    """An admin, an editor, a marketer and two drafts."""
    with session_scope(engine) as s:
        admin = accounts.create_first_admin(s, "root", "admin-password-1")
        editor = accounts.add_user(s, admin, "ed", PW, ["editor"])
        marketer = accounts.add_user(s, admin, "mia", PW, ["marketer"])
        d1 = Draft(author_id=marketer.id, content_type="blog", topic="One")
        d2 = Draft(author_id=marketer.id, content_type="news", topic="Two")
        s.add_all([d1, d2])
        s.flush()
        return {"admin": admin, "editor": editor, "marketer": marketer, "d1": d1.id, "d2": d2.id}


def all_events(engine):
    with session_scope(engine) as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


# --------------------------------------------------------------------------------------------
# record


def test_record_writes_every_field(engine, world):
    with session_scope(engine) as s:
        ev = audit.record(
            s,
            world["editor"],
            "review.approve",
            draft_id=world["d1"],
            from_status="in_review",
            to_status="approved",
            comment="Looks good",
            data={"version": 3},
            at=T0,
        )
        assert ev.id is not None
    [stored] = [e for e in all_events(engine) if e.action == "review.approve"]
    assert (stored.actor_id, stored.actor_name) == (world["editor"].id, "ed")
    assert (stored.draft_id, stored.from_status, stored.to_status) == (world["d1"], "in_review", "approved")
    assert (stored.comment, stored.data, stored.created_at) == ("Looks good", {"version": 3}, T0)


def test_record_defaults(engine, world):
    before = datetime.now(timezone.utc)
    with session_scope(engine) as s:
        audit.record(s, None, "system.migrated", comment=None)
        audit.record(s, None, "auth.sign_in_failed", actor_name="x" * 200)
    system, typed = all_events(engine)[-2:]
    assert (system.actor_id, system.actor_name, system.comment, system.data) == (None, "system", "", {})
    assert system.created_at >= before
    assert typed.actor_name == "x" * 64  # fits the column on every database


@pytest.mark.parametrize("action", ["", "   ", "x" * 41])
def test_record_refuses_bad_actions(engine, world, action):
    with session_scope(engine) as s, pytest.raises(ValueError):
        audit.record(s, None, action)


def test_record_refuses_overlong_status(engine, world):
    with session_scope(engine) as s, pytest.raises(ValueError, match="Status"):
        audit.record(s, None, "x", to_status="s" * 25)


def test_record_redacts_secrets_and_makes_data_json(engine, world):
    with session_scope(engine) as s:
        audit.record(
            s,
            None,
            "test.data",
            data={
                "password": "hunter2-hunter2",
                "new_password": "x",
                "nested": {"api_key": "sk-123", "ok": [1, "$argon2id$v=19$m=1,t=1,p=1$abc$def"]},
                "when": T0,
                "roles": {"editor", "admin"},
                "tuple": (1, 2),
                "other": object.__new__(type("Thing", (), {"__str__": lambda self: "thing"})),
            },
        )
    data = all_events(engine)[-1].data
    assert data == {
        "password": "[redacted]",
        "new_password": "[redacted]",
        "nested": {"api_key": "[redacted]", "ok": [1, "[redacted]"]},
        "when": "2025-03-01T09:00:00+00:00",
        "roles": ["admin", "editor"],
        "tuple": [1, 2],
        "other": "thing",
    }


def test_record_flushes_a_new_actor_first(engine):
    with session_scope(engine) as s:
        from studio.models import User

        u = User(name="fresh", password_hash="x", roles_csv="marketer")
        s.add(u)
        ev = audit.record(s, u, "test.fresh")
        assert ev.actor_id == u.id is not None


# --------------------------------------------------------------------------------------------
# Append-only


def test_there_is_no_update_or_delete_function():
    public = [n for n in dir(audit) if not n.startswith("_")]
    assert not [n for n in public if n.split("_")[0] in {"update", "delete", "remove", "edit", "purge"}]


def test_orm_refuses_changes_and_deletes(engine, world):
    with session_scope(engine) as s:
        audit.record(s, None, "test.keep", comment="original")
    with pytest.raises(AuditTrailIsAppendOnly), session_scope(engine) as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "test.keep")).one()
        ev.comment = "rewritten"
    with pytest.raises(AuditTrailIsAppendOnly), session_scope(engine) as s:
        s.delete(s.scalars(select(AuditEvent).where(AuditEvent.action == "test.keep")).one())
    with pytest.raises(AuditTrailIsAppendOnly), session_scope(engine) as s:
        s.execute(update(AuditEvent).values(comment="bulk"))
    with pytest.raises(AuditTrailIsAppendOnly), session_scope(engine) as s:
        s.execute(delete(AuditEvent))
    [kept] = [e for e in all_events(engine) if e.action == "test.keep"]
    assert kept.comment == "original"


def test_database_triggers_refuse_raw_sql(engine, world):
    with engine.begin() as conn:
        for sql in audit_guards.append_only_ddl("sqlite"):
            conn.exec_driver_sql(sql)
    for sql in ("UPDATE audit_events SET comment = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    with session_scope(engine) as s:  # inserting still works
        audit.record(s, None, "test.after_triggers")
    assert all_events(engine)[-1].action == "test.after_triggers"
    assert audit_guards.append_only_ddl("postgresql") and audit_guards.append_only_ddl("mysql") == []


# --------------------------------------------------------------------------------------------
# timeline


def test_timeline_is_one_drafts_history_oldest_first(engine, world):
    d1, d2 = world["d1"], world["d2"]
    with session_scope(engine) as s:
        audit.record(s, world["editor"], "review.approve", draft_id=d1, at=T0 + timedelta(hours=2))
        audit.record(s, world["marketer"], "draft.create", draft_id=d1, at=T0)
        audit.record(s, world["marketer"], "draft.create", draft_id=d2, at=T0)
        audit.record(s, world["marketer"], "draft.submit", draft_id=d1, at=T0 + timedelta(hours=1))
        audit.record(s, world["editor"], "review.comment", draft_id=d1, at=T0 + timedelta(hours=2))
    with session_scope(engine) as s:
        line = audit.timeline(s, d1)
        assert [e.action for e in line] == [
            "draft.create", "draft.submit", "review.approve", "review.comment"
        ]  # fmt: skip
        assert [e.action for e in audit.timeline(s, d2)] == ["draft.create"]
        assert audit.timeline(s, 999) == []


# --------------------------------------------------------------------------------------------
# query / count


@pytest.fixture()
def history(engine, world):
    """Ten events an hour apart, alternating actors and drafts."""
    with session_scope(engine) as s:
        for i in range(10):
            actor = world["editor"] if i % 2 else world["marketer"]
            audit.record(
                s,
                actor,
                "review.comment" if i % 2 else "draft.edit",
                draft_id=world["d1"] if i < 5 else world["d2"],
                comment=f"event {i}",
                at=T0 + timedelta(hours=i),
            )
    return world


@pytest.mark.parametrize("who", ["editor", "marketer", None])
def test_query_needs_audit_view(engine, history, who):
    actor = history[who] if who else None
    with session_scope(engine) as s:
        with pytest.raises(PermissionDenied):
            audit.query(s, actor)
        with pytest.raises(PermissionDenied):
            audit.count(s, actor)


def _comments(events):
    return [e.comment for e in events]


def test_query_filters(engine, history):
    admin = history["admin"]
    with session_scope(engine) as s:
        newest = audit.query(s, admin, draft_id=history["d1"])
        assert _comments(newest) == [f"event {i}" for i in (4, 3, 2, 1, 0)]
        assert _comments(audit.query(s, admin, action="review.comment", draft_id=history["d2"])) == [
            "event 9", "event 7", "event 5"
        ]  # fmt: skip
        assert len(audit.query(s, admin, action=["review.comment", "draft.edit"])) == 10
        assert len(audit.query(s, admin, actor_name=" ED ")) == 5
        window = audit.query(s, admin, since=T0 + timedelta(hours=3), until=T0 + timedelta(hours=6))
        assert _comments(window) == ["event 5", "event 4", "event 3"]  # since inclusive, until not
        naive_since = (T0 + timedelta(hours=8)).replace(tzinfo=None)
        naive = audit.query(s, admin, since=naive_since, action="draft.edit")
        assert _comments(naive) == ["event 8"]
        assert audit.count(s, admin, draft_id=history["d1"]) == 5
        assert audit.count(s, admin, actor_name="mia", since=T0 + timedelta(hours=5)) == 2


def test_query_pages(engine, history):
    admin = history["admin"]
    with session_scope(engine) as s:
        total = audit.count(s, admin)
        assert total == len(audit.query(s, admin, limit=None))
        pages = [audit.query(s, admin, limit=4, offset=o) for o in range(0, total, 4)]
        flat = [e.id for page in pages for e in page]
        assert flat == [e.id for e in audit.query(s, admin, limit=None)]
        assert len(set(flat)) == total
        with pytest.raises(ValueError):
            audit.query(s, admin, offset=-1)
        with pytest.raises(ValueError):
            audit.query(s, admin, limit=-1)


# --------------------------------------------------------------------------------------------
# to_csv


def _parse(payload: bytes) -> list[dict[str, str]]:
    assert payload.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(payload.decode("utf-8-sig"), newline="")))


def test_to_csv_columns_and_values(engine, history):
    with session_scope(engine) as s:
        rows = _parse(audit_download.to_csv(audit.query(s, history["admin"], draft_id=history["d2"], limit=2)))
    assert list(rows[0]) == list(audit_download.CSV_COLUMNS)
    assert rows[0]["comment"] == "event 9" and rows[0]["actor"] == "ed"
    assert rows[0]["time"] == "2025-03-01T18:00:00+00:00"
    assert rows[0]["draft_id"] == str(history["d2"])
    assert json.loads(rows[0]["data"]) == {}
    assert audit_download.to_csv([]).decode("utf-8-sig").strip() == ",".join(audit_download.CSV_COLUMNS)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_to_csv_neutralises_formulas(engine, world, start):
    payload = f"{start}HYPERLINK(\"http://evil\",\"x\")"
    with session_scope(engine) as s:
        audit.record(s, None, "test.csv", comment=payload, actor_name=payload, data={"k": payload})
        [row] = _parse(audit_download.to_csv([all_events_in(s)[-1]]))
    assert row["comment"] == "'" + payload
    assert row["actor"] == "'" + payload
    assert json.loads(row["data"]) == {"k": payload}  # the JSON cell starts with "{": harmless


def all_events_in(s):
    return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_failed_sign_in_with_a_formula_name_is_neutralised_in_csv(engine, world):
    with pytest.raises(signin.InvalidCredentials), session_scope(engine) as s:
        signin.authenticate(s, "=cmd|'/c calc'!A1", "whatever-password", sleep=lambda _: None)
    with session_scope(engine) as s:
        [row] = _parse(audit_download.to_csv(audit.query(s, world["admin"], action=signin.SIGN_IN_FAILED)))
    assert row["actor"].startswith("'=")


def test_to_csv_keeps_plain_text_and_unicode():
    comment = 'Ça va, "oui"\nnon'
    ev = AuditEvent(id=7, created_at=T0, actor_name="José", action="x", comment=comment)
    [row] = _parse(audit_download.to_csv([ev]))
    assert (row["actor"], row["comment"], row["actor_id"], row["draft_id"]) == ("José", comment, "", "")


@given(st.text())
def test_to_csv_round_trips_any_comment(comment):
    ev = AuditEvent(id=1, created_at=T0, actor_name="a", action="x", comment=comment, data={})
    [row] = _parse(audit_download.to_csv([ev]))
    # The download is opened in spreadsheets: a formula hidden behind leading spaces or written
    # with fullwidth characters counts too.
    triggers = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
    dangerous = comment.lstrip()[:1] in triggers or comment[:1] in ("\t", "\r")
    assert row["comment"] == ("'" + comment if dangerous and comment else comment)
