"""`python -m studio …`: the same services the app uses, for scripts, cron and CI.

One parser; each package registers its own subcommands (``<package>/cli.py``). A refused action
exits 1 with the reason on stderr, bad input exits 2 naming the flag.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from studio.accounts import cli as accounts_cli
from studio.batch import cli as batch_cli
from studio.checks import cli as checks_cli
from studio.claims import cli as claims_cli
from studio.cli_support import EXIT_OK, EXIT_REFUSED, CliError, open_engine
from studio.config import get_settings
from studio.critic import cli as critic_cli
from studio.db import current_revision
from studio.drafting import cli as drafting_cli
from studio.errors import user_message
from studio.export import cli as export_cli
from studio.feedback import cli as feedback_cli
from studio.images import cli as images_cli
from studio.inbox import cli as inbox_cli
from studio.inbox.mail import wait_for_delivery
from studio.languages import cli as languages_cli
from studio.precision import cli as precision_cli
from studio.prompts import cli as prompts_cli
from studio.review import cli as review_cli
from studio.sources import cli as sources_cli
from studio.voices import cli as voices_cli
from studio.usage import cli as usage_cli
from studio.workspace import cli as workspace_cli
from studio.writing import cli as writing_cli

# Each package's register(subparsers), in the order `--help` lists them.
REGISTRARS = (drafting_cli.register, writing_cli.register, batch_cli.register, accounts_cli.register,
              review_cli.register, checks_cli.register, export_cli.register, inbox_cli.register,
              workspace_cli.register, voices_cli.register, sources_cli.register, claims_cli.register,
              languages_cli.register, usage_cli.register, feedback_cli.register, precision_cli.register,
              critic_cli.register,
              prompts_cli.register, images_cli.register)


def cmd_init_db(args: argparse.Namespace) -> int:
    engine = open_engine()
    print(f"Database ready at {engine.url.render_as_string(hide_password=True)} (schema {current_revision(engine)}).")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m studio", description="Content Studio command line.")
    sub: Any = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init-db", help="create or migrate the database")
    p.set_defaults(func=cmd_init_db)
    for register in REGISTRARS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Text that came in as bytes that are not UTF-8 is echoed escaped, never a crash on output.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    get_settings()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("\nInterrupted; nothing more was done.", file=sys.stderr)
        return 130
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except Exception as exc:  # noqa: BLE001 - services raise StudioError with a clear message
        message = user_message(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        wait_for_delivery()  # the inbox's e-mails go after the commit, in the background
