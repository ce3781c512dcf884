"""What every package's CLI commands share: exit codes, the refusal exception, the database and
the acting account. `studio/cli.py` builds the one parser; each package's ``cli.py`` registers
its subcommands and uses these."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from studio.accounts.service import cli_account, get_user
from studio.db import get_engine, migrate

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A refusal or bad input: printed as one line on stderr, exit status 1 (2 for usage)."""

    def __init__(self, message: str, code: int = EXIT_REFUSED):
        super().__init__(message)
        self.code = code


def open_engine() -> Engine:
    """The configured database, migrated to the newest schema when it is behind."""
    engine = get_engine()
    migrate(engine)
    return engine


def actor_for(session: Session, name: str | None) -> Any:
    """The account named by ``--as`` (or the built-in command-line account without it)."""
    if not name:
        return cli_account(session)
    user = get_user(session, name)
    if user is None:
        raise CliError(f"No account named '{name}'. Add one with: python -m studio users add {name} --role marketer")
    return user


def add_as(parser: argparse.ArgumentParser, *, required: bool = False, help: str = "the account that acts") -> None:
    parser.add_argument("--as", dest="as_user", required=required, default=None, metavar="NAME", help=help)
