"""``python -m studio inbox list|send-mail``."""

from __future__ import annotations

import argparse
from typing import Any

from studio.cli_support import EXIT_OK, EXIT_REFUSED, actor_for, add_as, open_engine
from studio.config import get_settings
from studio.db import session_scope
from studio.inbox.mail import deliver_pending, mail_configured
from studio.inbox.service import inbox


def register(subparsers: Any) -> None:
    box = subparsers.add_parser("inbox", help="a person's inbox, and its e-mail")
    sub = box.add_subparsers(dest="inbox_command", required=True)
    p = sub.add_parser("list", help="the newest entries of someone's inbox")
    add_as(p, required=True, help="whose inbox")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("send-mail", help="send the e-mails waiting (with --retry also the failed ones)")
    p.add_argument("--retry", action="store_true", help="also the ones that failed or were cut off")
    p.set_defaults(func=cmd_send_mail)


def cmd_list(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        box = inbox(session, actor_for(session, args.as_user), limit=args.limit)
    print(f"{box.unread} new, {box.total} in all.")
    for item in box.items:
        mark = " " if item.read else "*"
        print(f"{mark} {item.created_at:%Y-%m-%d %H:%M} [{item.label}] {item.message}")
    return EXIT_OK


def cmd_send_mail(args: argparse.Namespace) -> int:
    if not mail_configured(get_settings()):
        print("error: no SMTP settings (set STUDIO_SMTP_HOST and friends): nothing was sent.")
        return EXIT_REFUSED
    sent, failed = deliver_pending(open_engine(), retry_failed=args.retry)
    print(f"{sent} e-mail(s) sent, {failed} failed.")
    return EXIT_REFUSED if failed else EXIT_OK
