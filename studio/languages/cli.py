"""``python -m studio localise DRAFT_ID --to LANG``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from studio.cli_support import EXIT_OK, actor_for, add_as, open_engine
from studio.db import session_scope
from studio.languages.catalog import LANGUAGES_BY_CODE, language_name
from studio.languages.localise import localise


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("localise", help="localise an approved draft into a linked draft in another language")
    p.add_argument("draft_id", type=int)
    p.add_argument("--to", required=True, choices=sorted(LANGUAGES_BY_CODE), metavar="LANG",
                   help=f"one of {', '.join(LANGUAGES_BY_CODE)}")
    p.add_argument("--provider", choices=["openai", "auto"], default=None)
    p.add_argument("--model", default=None)
    add_as(p, help="the marketer the new draft belongs to")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_localise)


def cmd_localise(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        actor = actor_for(session, args.as_user)
    result = localise(args.draft_id, actor, args.to, engine=engine, provider=args.provider, model=args.model)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        detected = language_name(result.language_detected) if result.language_detected else "unknown"
        print(f"Draft {result.draft_id}: {language_name(result.language)} version of draft {result.source_draft_id} "
              f"(reads as {detected}, {result.language_confidence:.2f}; checks: {result.verdict or '—'}).")  # fmt: skip
    return EXIT_OK
