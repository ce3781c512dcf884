"""Alembic environment: uses the connection studio.db.migrate hands over, or the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from studio.models import Base

config = context.config
target_metadata = Base.metadata


def _include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    # The FTS5 index and its shadow tables are made by hand in 0002; autogenerate must not drop them.
    return not (type_ == "table" and name and name.startswith("draft_search_fts"))


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from studio.config import get_settings

        url = get_settings().studio_database_url
    from studio.db import make_engine

    engine = make_engine(url) if url else create_engine(url)
    with engine.begin() as conn:
        _run(conn)
