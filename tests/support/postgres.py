"""A fresh PostgreSQL database per test, on the server named by STUDIO_TEST_POSTGRES_URL.

    STUDIO_TEST_POSTGRES_URL=postgresql+psycopg://studio:studio@127.0.0.1:55432/postgres

The URL names a server and a maintenance database the role may connect to; the role needs
CREATEDB. `fresh_database()` creates a database with a unique name through an autocommit
connection, yields its URL, and drops it afterwards (WITH (FORCE), so connections a test left
open never keep it alive). `.ci/run` starts such a server on 127.0.0.1:55432.

The variable is read once, when this module is imported: the tests' autouse fixture removes
every STUDIO_* variable from the environment before each test.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ENV_VAR = "STUDIO_TEST_POSTGRES_URL"

#: Captured at import, before any fixture scrubs STUDIO_* from the environment.
SERVER_URL: str | None = os.environ.get(ENV_VAR) or None

#: Every database this module creates starts with this, so a leftover is easy to spot.
PREFIX = "studio_test_"

_SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresUnavailable(RuntimeError):
    """The server in STUDIO_TEST_POSTGRES_URL cannot be reached or used."""


def server_url() -> str | None:
    return SERVER_URL


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def skip_reason() -> str:
    return (
        f"PostgreSQL tests need a server: set {ENV_VAR}, e.g. "
        "postgresql+psycopg://studio:studio@127.0.0.1:55432/postgres (.ci/run starts one)"
    )


def _admin_engine(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def database_url(server: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server).set(database=name).render_as_string(hide_password=False)


def create_database(server: str | None = None, name: str | None = None) -> tuple[str, str]:
    """Create an empty database; return (name, url)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    server = server or SERVER_URL
    if not server:
        raise PostgresUnavailable(skip_reason())
    name = name or f"{PREFIX}{os.getpid()}_{uuid.uuid4().hex[:10]}"
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")
    engine = _admin_engine(server)
    try:
        with engine.connect() as conn:
            # UTF8 whatever the cluster's default: the studio stores any unicode text.
            conn.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    except OperationalError as exc:
        raise PostgresUnavailable(f"cannot create a database on {_safe(server)}: {exc.orig}") from exc
    finally:
        engine.dispose()
    return name, database_url(server, name)


def drop_database(name: str, server: str | None = None, *, wait_s: float = 10.0) -> None:
    """Drop a test database, ending any connections a test left (or a killed process left).

    FORCE cannot end a backend of another role (an autovacuum worker, say) for a role that is
    not a superuser, so a refusal is retried for a few seconds; a database that still cannot be
    dropped is left with a warning (the cluster is a throwaway one) rather than failing a test.
    """
    import time
    import warnings

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    server = server or SERVER_URL
    if not server or not _SAFE_NAME.match(name):
        return
    engine = _admin_engine(server)
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            except DBAPIError as exc:
                if time.monotonic() > deadline:
                    warnings.warn(f"could not drop test database {name}: {exc.orig}", stacklevel=2)
                    return
                time.sleep(0.2)
    finally:
        engine.dispose()


@contextmanager
def fresh_database(server: str | None = None) -> Iterator[str]:
    """A new empty database for the duration of the block; yields its SQLAlchemy URL."""
    name, url = create_database(server)
    try:
        yield url
    finally:
        from studio.db import dispose_engines

        dispose_engines()  # close the studio's pooled connections to it first
        drop_database(name, server)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
