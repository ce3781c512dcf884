"""``python -m studio critic DRAFT_ID``: the critic pass on a draft's current text."""

from __future__ import annotations

import argparse
import json
from typing import Any

from studio.cli_support import EXIT_OK, actor_for, add_as, bounded_int, open_engine
from studio.critic.rubric import DIMENSIONS
from studio.critic.service import DEFAULT_ROUNDS, CriticPass
from studio.db import session_scope
from studio.workspace.rules import CRITIC_MAX_ROUNDS


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("critic", help="score a draft against the rubric and rewrite only the flagged passages")
    p.add_argument("draft_id", type=int)
    p.add_argument("--rounds", type=bounded_int(1, CRITIC_MAX_ROUNDS, "a number of rounds"), default=DEFAULT_ROUNDS,
                   help=f"at most this many rounds (default {DEFAULT_ROUNDS})")
    p.add_argument("--provider", choices=["demo", "openai", "auto"], default=None)
    p.add_argument("--model", default=None)
    add_as(p)
    p.add_argument("--json", action="store_true", help="print one JSON object: scores before and after, the rounds")
    p.set_defaults(func=cmd_critic)


def cmd_critic(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        actor = actor_for(session, args.as_user)
    outcome = CriticPass(args.draft_id, actor, rounds=args.rounds, engine=engine, provider=args.provider,
                         model=args.model).run()  # fmt: skip
    if args.json:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False))
        return EXIT_OK
    if outcome.notice:
        print(f"Note: {outcome.notice}")
    print(f"{'Rubric':<20} {'before':>7} {'after':>7}")
    for key, label in DIMENSIONS.items():
        b, a = outcome.before.scores.get(key), outcome.after.scores.get(key)
        print(f"{label:<20} {_fmt(b):>7} {_fmt(a):>7}")
    print(f"{'Total':<20} {outcome.before.total:>7.2f} {outcome.after.total:>7.2f}")
    print(f"{'Check findings':<20} {outcome.before.findings:>7} {outcome.after.findings:>7}")
    for r in outcome.rounds:
        state = f"kept as revision {r.revision}" if r.kept else "not kept"
        print(f"Round {r.number}: {len(r.passages)} passage(s) flagged, {r.rewritten} rewritten, {state}.")
        for p in r.passages:
            print(f"  - “{_short(p.text)}”: {'; '.join(p.notes)[:200]}")
    print(outcome.summary)
    return EXIT_OK


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
