"""``python -m studio claims DRAFT_ID``: the claim ledger of a draft's current revision."""

from __future__ import annotations

import argparse
import json
from typing import Any

from studio.claims.service import ledger
from studio.cli_support import EXIT_OK, actor_for, add_as, open_engine
from studio.db import session_scope


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("claims", help="list a draft's claims and the passages that support them")
    p.add_argument("draft_id", type=int)
    add_as(p)
    p.add_argument("--json", action="store_true", help="print one JSON list of claims")
    p.set_defaults(func=cmd_claims)


def cmd_claims(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        rows = ledger(session, args.draft_id, actor_for(session, args.as_user))
    if args.json:
        print(json.dumps([c.as_dict() for c in rows], ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("No claims: nothing in this draft states a figure, date, quotation, study or superlative.")
    for c in rows:
        where = f" ← {c.label} {c.source_title}" if c.label else ""
        print(f"#{c.id:<5} {c.support_label:<17} {c.kind_label:<26} {c.text}{where}")
    return EXIT_OK
