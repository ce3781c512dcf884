"""``python -m studio usage``, ``budgets`` and ``prices``."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from studio.cli_support import EXIT_OK, EXIT_USAGE, CliError, actor_for, add_as, open_engine
from studio.db import session_scope
from studio.usage import service
from studio.usage.policy import money


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("usage", help="model calls, tokens and cost")
    p.add_argument("--since", type=_date, default=None, metavar="DATE", help="YYYY-MM-DD (default: everything)")
    p.add_argument("--by", choices=service.GROUPINGS, default="person")
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_usage)

    budgets = subparsers.add_parser("budgets", help="monthly budgets per person and for the workspace")
    sub = budgets.add_subparsers(dest="budgets_command", required=True)
    p = sub.add_parser("set")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", metavar="NAME")
    who.add_argument("--workspace", action="store_true")
    p.add_argument("--monthly", required=True, metavar="AMOUNT", help="US dollars per calendar month (UTC)")
    p.add_argument("--hard", action="store_true", help="refuse calls that would pass it (default: only warn)")
    add_as(p, required=True, help="an admin")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_budgets_set)
    p = sub.add_parser("list")
    add_as(p, required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_budgets_list)

    prices = subparsers.add_parser("prices", help="the price table (US dollars per million tokens)")
    sub = prices.add_subparsers(dest="prices_command", required=True)
    p = sub.add_parser("list")
    add_as(p, required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_prices_list)
    p = sub.add_parser("set")
    p.add_argument("model")
    p.add_argument("--input", required=True, metavar="USD", help="per million prompt tokens")
    p.add_argument("--output", required=True, metavar="USD", help="per million completion tokens")
    p.add_argument("--any-server", action="store_true", help="also for servers other than OpenAI's")
    add_as(p, required=True, help="an admin")
    p.set_defaults(func=cmd_prices_set)
    p = sub.add_parser("reset", help="remove an admin price (the default applies again)")
    p.add_argument("model")
    add_as(p, required=True, help="an admin")
    p.set_defaults(func=cmd_prices_reset)


def cmd_usage(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        groups = service.usage_summary(session, actor_for(session, args.as_user), since=args.since, by=args.by)
    total = {
        "calls": sum(g.calls for g in groups), "prompt_tokens": sum(g.prompt_tokens for g in groups),
        "completion_tokens": sum(g.completion_tokens for g in groups),
        "estimated_calls": sum(g.estimated_calls for g in groups), "cost": round(sum(g.cost for g in groups), 6),
        "unpriced_calls": sum(g.unpriced_calls for g in groups),
    }  # fmt: skip
    if args.json:
        print(json.dumps({"since": args.since.isoformat() if args.since else None, "by": args.by,
                          "groups": [g.as_dict() for g in groups], "total": total}))  # fmt: skip
        return EXIT_OK
    print(f"{args.by:<24} {'calls':>7} {'prompt':>10} {'completion':>10} {'cost':>12}")
    for g in groups:
        est = f"  ({g.estimated_calls} estimated)" if g.estimated_calls else ""
        print(f"{g.key:<24} {g.calls:>7} {g.prompt_tokens:>10} {g.completion_tokens:>10} {money(g.cost):>12}{est}")
    print(f"{'total':<24} {total['calls']:>7} {total['prompt_tokens']:>10} {total['completion_tokens']:>10} {money(total['cost']):>12}")
    return EXIT_OK


def cmd_budgets_set(args: argparse.Namespace) -> int:
    engine = open_engine()
    try:
        float(args.monthly)
    except ValueError:
        raise CliError(f"--monthly: '{args.monthly}' is not an amount (e.g. 25 or 12.50).", EXIT_USAGE) from None
    with session_scope(engine) as session:
        row = service.set_budget(session, actor_for(session, args.as_user), person=args.person,
                                 monthly=args.monthly, hard=args.hard)  # fmt: skip
    if args.json:
        print(json.dumps({"scope": row.scope, "person": row.person, "monthly": row.monthly, "hard": row.hard,
                          "spent": round(row.spent, 6), "left": round(row.left, 6)}))  # fmt: skip
    else:
        kind = "hard" if row.hard else "soft"
        print(f"{row.owner[:1].upper() + row.owner[1:]}: {kind} monthly budget {money(row.monthly)}; "
              f"{money(row.spent)} spent this month, {money(row.left)} left.")
    return EXIT_OK


def cmd_budgets_list(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        rows = service.list_budgets(session, actor_for(session, args.as_user))
    if args.json:
        print(json.dumps([{"scope": r.scope, "person": r.person, "monthly": r.monthly, "hard": r.hard,
                           "spent": round(r.spent, 6), "left": round(r.left, 6)} for r in rows]))  # fmt: skip
    else:
        for r in rows:
            print(f"{r.owner:<30} {'hard' if r.hard else 'soft'} {money(r.monthly):>10}  spent {money(r.spent)}  left {money(r.left)}")
    return EXIT_OK


def cmd_prices_list(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        rows = service.price_table(session, actor_for(session, args.as_user))
    if args.json:
        print(json.dumps([r.__dict__ for r in rows]))
    else:
        for r in rows:
            print(f"{r.model:<28} in ${r.input_per_million:>8.3f}/M  out ${r.output_per_million:>8.3f}/M  {r.source}")
    return EXIT_OK


def cmd_prices_set(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        row = service.set_price(session, actor_for(session, args.as_user), args.model, args.input, args.output,
                                any_server=args.any_server)  # fmt: skip
    print(f"{row.model}: ${row.input_per_million}/M in, ${row.output_per_million}/M out.")
    return EXIT_OK


def cmd_prices_reset(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        service.reset_price(session, actor_for(session, args.as_user), args.model)
    print(f"{args.model}: the admin price is removed.")
    return EXIT_OK
