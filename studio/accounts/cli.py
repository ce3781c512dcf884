"""``python -m studio users add|disable|set-email``."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from studio.accounts.passwords import validate_email
from studio.accounts.permissions import ROLES
from studio.accounts.service import add_user, create_first_admin, disable_user, needs_first_admin, set_email
from studio.cli_support import EXIT_OK, EXIT_USAGE, CliError, actor_for, add_as, open_engine
from studio.db import session_scope


def register(subparsers: Any) -> None:
    users = subparsers.add_parser("users", help="manage people").add_subparsers(dest="users_command", required=True)
    p = users.add_parser("add", help="add a person (the first one becomes the admin)")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, choices=list(ROLES), help="repeat for several roles")
    p.add_argument("--display-name", default=None)
    p.add_argument("--email", default=None, help="optional; exports name the author by it, the inbox mails it")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add_as(p, help="the admin doing this")
    p.set_defaults(func=cmd_users_add)
    p = users.add_parser("disable", help="stop someone signing in (their drafts and history stay)")
    p.add_argument("name")
    add_as(p, required=True, help="the admin doing this")
    p.set_defaults(func=cmd_users_disable)
    p = users.add_parser("set-email", help="set someone's e-mail address (empty: remove it)")
    p.add_argument("name")
    p.add_argument("email")
    add_as(p, required=True, help="the admin doing this")
    p.set_defaults(func=cmd_users_set_email)


def cmd_users_add(args: argparse.Namespace) -> int:
    password = _read_password(args)
    with session_scope(open_engine()) as session:
        if needs_first_admin(session) and args.as_user is None:
            user = create_first_admin(session, args.name, password)
            user.email = validate_email(args.email)
            print(f"Created {user.name} as the first admin (roles: {', '.join(sorted(user.roles))}).")
            return EXIT_OK
        if args.as_user is None:
            raise CliError("Adding people needs an admin: pass --as ADMIN_NAME.")
        actor = actor_for(session, args.as_user)
        user = add_user(session, actor, args.name, password, args.role, display_name=args.display_name or "",
                        email=args.email)
        print(f"Added {user.name} (roles: {', '.join(sorted(user.roles))}).")
    return EXIT_OK


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.buffer.readline()
        try:
            return line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise CliError("The password on standard input is not valid UTF-8; nothing was saved.", EXIT_USAGE) from None
    if not sys.stdin.isatty():
        raise CliError("No terminal to ask for a password: use --password-stdin.", EXIT_USAGE)
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CliError("The passwords differ.")
    return first


def cmd_users_disable(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        disable_user(session, actor_for(session, args.as_user), args.name)
    print(f"Disabled {args.name}; their drafts and history stay.")
    return EXIT_OK


def cmd_users_set_email(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        user = set_email(session, actor_for(session, args.as_user), args.name, args.email)
        address = user.email
    print(f"E-mail of {args.name}: {address or 'none'}.")
    return EXIT_OK
