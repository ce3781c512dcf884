"""What every package's CLI commands share: exit codes, the refusal exception, the database and
the acting account. `studio/cli.py` builds the one parser; each package's ``cli.py`` registers
its subcommands and uses these."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from studio.accounts.service import cli_account, get_user
from studio.db import get_engine, migrate
from studio.errors import PermissionDenied
from studio.usage.context import set_person

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
    """The account named by ``--as`` (or the built-in command-line account without it). The
    command's model calls are recorded for it (studio.usage)."""
    user = cli_account(session) if not name else get_user(session, name)
    if user is None:
        raise CliError(f"No account named '{name}'. Add one with: python -m studio users add {name} --role marketer")
    if user.disabled:  # refused before any work, whatever the command
        raise PermissionDenied(f"The account '{user.name}' is disabled, so it cannot act. An admin can re-enable it.")
    set_person(user.id)
    return user


#: The largest id or count the databases' integer columns hold.
MAX_ID = 2**31 - 1


def bounded_int(low: int = 1, high: int = MAX_ID, what: str = "a whole number") -> Any:
    """An argparse ``type`` for a whole number from ``low`` to ``high`` (ids, limits): anything
    else is a usage error naming the range, never an overflow deep in the database."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} from {low:,} to {high:,} is needed; got {text}")
        return value

    return parse


def add_as(parser: argparse.ArgumentParser, *, required: bool = False, help: str = "the account that acts") -> None:
    parser.add_argument("--as", dest="as_user", required=required, default=None, metavar="NAME", help=help)


def parse_date(value: str | None, flag: str) -> date | datetime | None:
    """A --since/--until value: a day (YYYY-MM-DD) or an ISO time; a bad one is a usage error."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CliError(f"{flag}: {value!r} is not a date; use YYYY-MM-DD.", EXIT_USAGE) from exc
