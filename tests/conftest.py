"""Shared fixtures: every test gets its own settings and, when it asks, its own database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from studio.config import reload_settings
from tests.support import postgres as pg

_ENV_PREFIXES = ("STUDIO_", "OPENAI_")


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test sees the developer's keys, secrets file or database."""
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STUDIO_SECRETS_FILE", str(tmp_path_factory.mktemp("secrets") / "absent.toml"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("STUDIO_DEMO_WORDS_PER_SECOND", "0")  # the demo writer streams at once in tests
    reload_settings()
    yield
    from studio.batch.queue import forget_queues
    from studio.db import dispose_engines
    from studio.usage.service import forget_prices, forget_readers
    from studio.usage.sink import flush

    flush(10.0)  # usage records still being written go to this test's database, not the next one's
    forget_queues()
    forget_prices()
    forget_readers()
    dispose_engines()
    reload_settings()


DB_BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=DB_BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    """Which database a test runs on: every test that uses `db_url`/`engine` runs on both.

    PostgreSQL runs when STUDIO_TEST_POSTGRES_URL names a server (.ci/run starts one); without
    it those cases are skipped, except under CI=true, where a missing server fails the run.
    """
    backend = request.param
    if backend == "postgresql":
        if "sqlite_only" in request.fixturenames:
            pytest.skip("SQLite-specific test (PRAGMA, FTS5)")
        if not pg.server_url():
            if pg.in_ci():
                pytest.fail(f"CI=true but no PostgreSQL server. {pg.skip_reason()}", pytrace=False)
            pytest.skip(pg.skip_reason())
    return backend


@pytest.fixture
def sqlite_only() -> None:
    """Use as `@pytest.mark.usefixtures("sqlite_only")` to keep a test to SQLite (PRAGMA checks
    and the like): `db_backend` skips its PostgreSQL case."""


@pytest.fixture
def db_url(db_backend: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database: a SQLite file in tmp_path, or a new PostgreSQL database (dropped after)."""
    with ExitStack() as stack:
        if db_backend == "postgresql":
            try:
                url = stack.enter_context(pg.fresh_database())
            except pg.PostgresUnavailable as exc:
                if pg.in_ci():
                    pytest.fail(str(exc), pytrace=False)
                pytest.skip(str(exc))
        else:
            url = f"sqlite:///{tmp_path / 'studio.db'}"
        monkeypatch.setenv("STUDIO_DATABASE_URL", url)
        reload_settings()
        yield url


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    from studio.db import get_engine, migrate

    eng = get_engine(db_url)
    migrate(eng)
    return eng


@dataclass
class People:
    admin: object
    marketer: object
    editor: object
    marketer2: object


PASSWORD = "correct horse battery"


@pytest.fixture
def people(engine) -> People:  # type: ignore[no-untyped-def]
    from studio.accounts.service import add_user, create_first_admin
    from studio.db import session_scope

    with session_scope(engine) as s:
        admin = create_first_admin(s, "ada", PASSWORD, display_name="Ada Admin")
        marketer = add_user(s, admin, "mara", PASSWORD, ["marketer"], display_name="Mara Marketer")
        editor = add_user(s, admin, "dana", PASSWORD, ["editor"], display_name="Dana Editor")
        marketer2 = add_user(s, admin, "milo", PASSWORD, ["marketer"], display_name="Milo Marketer")
    return People(admin, marketer, editor, marketer2)
