"""``python -m studio review submit|approve|reject|request-changes|withdraw|claim|assign|unassign``."""

from __future__ import annotations

import argparse
from typing import Any

from studio.checks.policy import ACKNOWLEDGEMENTS
from studio.cli_support import EXIT_OK, CliError, actor_for, add_as, bounded_int, open_engine
from studio.db import session_scope
from studio.models import User
from studio.review.assignment import assign, claim, unassign
from studio.review.rules import status_label
from studio.review.service import transition

TRANSITION_ACTIONS = ["submit", "approve", "reject", "request-changes", "withdraw"]
REVIEWER_ACTIONS = ["claim", "assign", "unassign"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("review", help="move a draft through the workflow")
    p.add_argument("review_action", choices=TRANSITION_ACTIONS + REVIEWER_ACTIONS)
    p.add_argument("draft_id", type=bounded_int(what="a draft number"))
    add_as(p, required=True)
    p.add_argument("--comment", default="")
    p.add_argument("--expected-version", type=bounded_int(what="a version number"), default=None,
                   help="refuse if the draft changed since you saw this version")
    p.add_argument("--override-reason", default="", help="approve a draft the checks blocked, saying why")
    p.add_argument("--manual-review", action="store_true",
                   help="confirm you reviewed it manually (needed when the checks could not run)")
    p.add_argument("--to", dest="to_user", default=None, metavar="NAME", help="assign: the editor who reviews it")
    p.add_argument("--ack-claim", type=int, action="append", default=[], metavar="CLAIM_ID",
                   help="acknowledge a claim its sources do not fully support (repeat for each; "
                        "the ids: python -m studio claims DRAFT_ID)")
    p.add_argument("--acknowledge", action="extend", nargs="+", default=[], metavar="CATEGORY",
                   help=f"approve with warnings: tick each warned category ({', '.join(ACKNOWLEDGEMENTS)})")
    p.set_defaults(func=cmd_review)


def cmd_review(args: argparse.Namespace) -> int:
    if args.review_action in REVIEWER_ACTIONS:
        return _reviewer(args)
    action = args.review_action.replace("-", "_")
    with session_scope(open_engine()) as session:
        actor = actor_for(session, args.as_user)
        draft = transition(
            session, args.draft_id, actor, action,
            expected_version=args.expected_version,
            comment=args.comment or "",
            override_reason=args.override_reason or "",
            manual_review_confirmed=args.manual_review,
            acknowledged_claims=args.ack_claim,
            acknowledged=args.acknowledge,
        )  # fmt: skip
        status, version, verdict = draft.status, draft.version, draft.check_verdict
    print(f"Draft {args.draft_id}: {status_label(status).lower()} (version {version}, checks: {verdict or '—'}).")
    return EXIT_OK


def _reviewer(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        actor = actor_for(session, args.as_user)
        if args.review_action == "claim":
            draft = claim(session, args.draft_id, actor, args.expected_version)
        elif args.review_action == "unassign":
            draft = unassign(session, args.draft_id, actor, args.expected_version)
        else:
            if not args.to_user:
                raise CliError("assign needs --to NAME: the editor who reviews the draft.", 2)
            reviewer = actor_for(session, args.to_user)
            draft = assign(session, args.draft_id, actor, reviewer.id, args.expected_version)
        holder = session.get(User, draft.assignee_id) if draft.assignee_id is not None else None
        who = holder.name if holder is not None else "nobody"
    print(f"Draft {args.draft_id}: reviewer {who}.")
    return EXIT_OK
