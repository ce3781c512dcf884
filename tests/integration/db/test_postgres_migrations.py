"""Alembic on an empty database, down and up again, and an older database brought to head.

Runs on SQLite and on PostgreSQL (STUDIO_TEST_POSTGRES_URL); the full-text-search tests check
that PostgreSQL uses its own text search (to_tsvector/to_tsquery over the GIN index), not LIKE.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, event, inspect, select, text
from sqlalchemy.exc import DBAPIError

from studio.accounts.service import add_user, create_first_admin
from studio.db import alembic_config, current_revision, get_engine, migrate, session_scope
from studio.drafting.brief import Brief
from studio.drafting.service import add_revision, create_draft
from studio.models import AuditEvent, Base, Draft, DraftSearch, Revision, User
from studio.review.queue import QueueFilter, queue
from studio.search import matching_ids
from tests.conftest import PASSWORD

APP_TABLES = set(Base.metadata.tables)


def _alembic(engine, *args):  # type: ignore[no-untyped-def]
    """Run one alembic command on the engine inside one transaction (as studio.db.migrate does)."""
    fn, target = args
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        fn(cfg, target)


def head() -> str:
    from alembic.config import Config

    from studio.db import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return set(inspect(engine).get_table_names())


def test_migrations_apply_on_an_empty_database_and_go_down_and_up_again(db_url, db_backend):
    engine = get_engine(db_url)
    assert tables(engine) == set()
    migrate(engine)
    assert current_revision(engine) == head()
    assert APP_TABLES <= tables(engine)
    if db_backend == "postgresql":
        with engine.connect() as conn:
            indexes = set(conn.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'draft_search'")))
            triggers = set(conn.scalars(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal"
            )))
        assert "ix_draft_search_tsv" in indexes
        assert {"audit_events_no_change", "audit_events_no_truncate"} <= triggers
    else:
        assert "draft_search_fts" in tables(engine)

    _alembic(engine, command.downgrade, "base")
    assert current_revision(engine) is None
    assert tables(engine) - {"alembic_version"} == set()

    migrate(engine)  # and up again, over the leftovers of the way down
    assert current_revision(engine) == head()
    assert APP_TABLES <= tables(engine)
    # The schema works after the round trip: people, a draft, search, the append-only trail.
    with session_scope(engine) as s:
        admin = create_first_admin(s, "ada", PASSWORD)
        draft = create_draft(s, Brief.create(content_type="blog", topic="Round trip"), admin)
        add_revision(s, draft, "# Round trip\n\nMigrations went down and up.\n", admin, "edited")
        draft_id = draft.id
    with session_scope(engine) as s:
        assert s.scalars(select(Draft.id).where(matching_ids(s, "migrat"))).all() == [draft_id]
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events"))


def test_postgresql_search_uses_its_own_text_search_and_finds_prefixes(engine, db_backend, people):
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL's text search (SQLite's FTS5 is covered by the review tests)")
    bodies = {
        "Garden planning": "Seeds, soil and sunshine for a small urban garden.",
        "Cycling to work": "Commuting by bicycle: routes, clothes and showers.",
        "Winter soups": "Warming recipes with lentils and seasonal vegetables.",
    }
    ids = {}
    with session_scope(engine) as s:
        for title, body in bodies.items():
            draft = create_draft(s, Brief.create(content_type="blog", topic=title), people.marketer)
            add_revision(s, draft, f"# {title}\n\n{body}\n", people.marketer, "edited")
            ids[title] = draft.id

    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with session_scope(engine) as s:
            def found(terms: str) -> list[int]:
                return sorted(s.scalars(select(Draft.id).where(matching_ids(s, terms))))

            assert found("garden") == [ids["Garden planning"]]
            assert found("gard") == [ids["Garden planning"]]  # a prefix of a word
            assert found("Sunsh") == [ids["Garden planning"]]  # case-insensitive, in the body
            assert found("commut bicy") == [ids["Cycling to work"]]  # every word must match
            assert found("lentil garden") == []
            assert found("s") == sorted(ids.values())  # 's' prefixes a word in every draft
            assert matching_ids(s, "!!! ' & | :* ()") is None  # no words: no condition at all
            assert found("garden's & (soil) | !seeds:*") == [ids["Garden planning"]]  # not tsquery syntax
            assert found("_ garden") == [ids["Garden planning"]]  # "_" has no lexeme: ignored, no error
            page = queue(s, people.editor, QueueFilter(statuses=("draft",), search="soup"))
            assert [r.id for r in page.rows] == [ids["Winter soups"]]
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    searches = [st for st in statements if "to_tsquery" in st]
    assert searches and all("to_tsvector" in st for st in searches)
    assert not any(" LIKE " in st.upper() for st in statements)

    # The query matches the GIN expression index, also as a prepared statement's generic plan
    # (psycopg prepares a statement after a few runs). Seq scans are off: three rows favour one.
    with session_scope(engine) as s:
        compiled = select(Draft.id).where(matching_ids(s, "gard")).compile(engine)
    names = list(compiled.params)
    sql = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", str(compiled))
    args = ", ".join("'" + str(compiled.params[n]).replace("'", "''") + "'" for n in names)
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        conn.exec_driver_sql(f"PREPARE studio_search AS {sql}")
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN EXECUTE studio_search({args})"))
        assert sorted(r[0] for r in conn.exec_driver_sql(f"EXECUTE studio_search({args})")) == [ids["Garden planning"]]
    assert "ix_draft_search_tsv" in plan, plan


def _insert_at_0001(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows as a 0001-era studio wrote them (reflected tables: the models are newer)."""
    now = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
    meta = MetaData()
    with engine.begin() as conn:
        users, drafts, revisions, audit = (
            Table(name, meta, autoload_with=conn) for name in ("users", "drafts", "revisions", "audit_events")
        )
        user_id = conn.execute(users.insert().values(
            name="olga", display_name="Olga Older", password_hash="$argon2id$v=19$x", roles_csv="admin,editor,marketer",
            disabled=False, failed_logins=0, created_at=now, updated_at=now,
        ).returning(users.c.id)).scalar_one()
        draft_ids = []
        for n, (title, body) in enumerate([
            ("Harbour lights", "# Harbour lights\n\nLighthouses along the northern coastline.\n"),
            ("Orchard notes", "# Orchard notes\n\nPruning apple trees in late winter.\n"),
        ]):
            draft_id = conn.execute(drafts.insert().values(
                author_id=user_id, content_type="blog", topic=title, audience="", keywords=["kw"],
                tone="professional", formality=3, temperature=0.7, target_words=600, language="en",
                status="draft", incomplete=False, version=2, title=title, slug="", excerpt="",
                meta_description="", tags=[], categories=[], publish_status="draft",
                created_at=now, updated_at=now,
            ).returning(drafts.c.id)).scalar_one()
            rev_id = conn.execute(revisions.insert().values(
                draft_id=draft_id, number=1, body=body, author_id=user_id, reason="generated", note="",
                created_at=now,
            ).returning(revisions.c.id)).scalar_one()
            conn.execute(drafts.update().where(drafts.c.id == draft_id).values(current_revision_id=rev_id))
            conn.execute(audit.insert().values(
                created_at=now, actor_id=user_id, actor_name="olga", action="draft.created", draft_id=draft_id,
                comment="", data={"n": n},
            ))
            draft_ids.append(draft_id)
        # One draft with no text yet.
        empty_id = conn.execute(drafts.insert().values(
            author_id=user_id, content_type="news", topic="Empty one", audience="", keywords=[],
            tone="professional", formality=3, temperature=0.7, target_words=300, language="en",
            status="draft", incomplete=True, version=1, title="", slug="", excerpt="",
            meta_description="", tags=[], categories=[], publish_status="draft",
            created_at=now, updated_at=now,
        ).returning(drafts.c.id)).scalar_one()
    return {"user": user_id, "harbour": draft_ids[0], "orchard": draft_ids[1], "empty": empty_id}


def test_an_older_database_with_data_upgrades_to_head_and_backfills_search(db_url, db_backend):
    engine = get_engine(db_url)
    _alembic(engine, command.upgrade, "0001")
    assert current_revision(engine) == "0001"
    assert "draft_search" not in tables(engine)
    ids = _insert_at_0001(engine)

    migrate(engine)  # what the app and `python -m studio init-db` do at start
    assert current_revision(engine) == head()

    with session_scope(engine) as s:
        olga = s.get(User, ids["user"])
        assert olga.name == "olga" and olga.display_name == "Olga Older"
        harbour = s.get(Draft, ids["harbour"])
        assert harbour.version == 2 and harbour.keywords == ["kw"] and harbour.check_verdict is None
        assert harbour.created_at == datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
        assert harbour.current_revision.body.startswith("# Harbour lights")
        assert s.scalar(select(Revision.number).where(Revision.draft_id == ids["orchard"])) == 1
        assert len(s.scalars(select(AuditEvent)).all()) == 2
        rows = {r.draft_id: (r.title, r.body) for r in s.scalars(select(DraftSearch))}
        assert set(rows) == {ids["harbour"], ids["orchard"], ids["empty"]}  # back-filled, every draft
        assert rows[ids["orchard"]] == ("Orchard notes", "# Orchard notes\n\nPruning apple trees in late winter.\n")
        assert rows[ids["empty"]] == ("", "")

        def found(terms: str) -> list[int]:
            return sorted(s.scalars(select(Draft.id).where(matching_ids(s, terms))))

        assert found("lighthouse") == [ids["harbour"]]  # prefix of "Lighthouses", from the body
        assert found("orch") == [ids["orchard"]]
        assert found("prun appl") == [ids["orchard"]]

    # The migrated database takes new work like a fresh one, and old ids stay unique.
    with session_scope(engine) as s:
        olga = s.get(User, ids["user"])
        mara = add_user(s, olga, "mara", PASSWORD, ["marketer"])
        draft = create_draft(s, Brief.create(content_type="story", topic="After the upgrade"), mara)
        add_revision(s, draft, "# After the upgrade\n\nNew text after migrating.\n", mara, "edited")
        assert draft.id not in ids.values() and mara.id != ids["user"]
    with session_scope(engine) as s:
        assert sorted(s.scalars(select(Draft.id).where(matching_ids(s, "upgrade")))) == [draft.id]
