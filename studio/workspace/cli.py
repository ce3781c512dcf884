"""``python -m studio workspace show|set|reset``: the workspace settings admins change."""

from __future__ import annotations

import argparse
from typing import Any

from studio.cli_support import EXIT_OK, actor_for, add_as, open_engine
from studio.db import session_scope
from studio.workspace.rules import SETTINGS
from studio.workspace.service import reset_setting, set_setting, workspace_settings


def register(subparsers: Any) -> None:
    ws = subparsers.add_parser("workspace", help="workspace settings (banned terms, allowed phrases, site time zone)")
    sub = ws.add_subparsers(dest="workspace_command", required=True)
    p = sub.add_parser("show", help="every workspace setting, its value and where it comes from")
    add_as(p)
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("set", help="change a setting (admins); lists take one value per argument")
    p.add_argument("key", choices=list(SETTINGS))
    p.add_argument("values", nargs="*", metavar="VALUE", help="e.g. Globex Initech, or Europe/Berlin")
    add_as(p, required=True, help="the admin doing this")
    p.set_defaults(func=cmd_set)
    p = sub.add_parser("reset", help="back to the environment's value (admins)")
    p.add_argument("key", choices=list(SETTINGS))
    add_as(p, required=True, help="the admin doing this")
    p.set_defaults(func=cmd_reset)


def cmd_show(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        for v in workspace_settings(session, actor_for(session, args.as_user)):
            source = "set in the studio" if v.from_database else f"from {v.env}"
            print(f"{v.key}: {v.shown} ({source})")
    return EXIT_OK


def cmd_set(args: argparse.Namespace) -> int:
    spec = SETTINGS[args.key]
    raw: Any = "\n".join(args.values) if spec.kind == "lines" else " ".join(args.values)
    with session_scope(open_engine()) as session:
        view = set_setting(session, actor_for(session, args.as_user), args.key, raw)
        shown = view.shown
    print(f"{spec.label}: {shown}.")
    return EXIT_OK


def cmd_reset(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        view = reset_setting(session, actor_for(session, args.as_user), args.key)
        shown, env = view.shown, view.env
    print(f"{SETTINGS[args.key].label}: {shown} (from {env}).")
    return EXIT_OK
