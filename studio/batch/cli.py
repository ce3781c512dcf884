"""``python -m studio batch submit|status|wait|cancel|retry``, ``worker`` and ``serve``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from studio.batch import service
from studio.batch.sheet import FIELDS, read_table, suggest_mapping, validate
from studio.cli_support import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, CliError, actor_for, add_as, open_engine
from studio.db import session_scope
from studio.usage.policy import money

WAIT_POLL_S = 0.5


def register(subparsers: Any) -> None:
    batch = subparsers.add_parser("batch", help="write drafts from a spreadsheet of briefs, one queue job per row")
    sub = batch.add_subparsers(dest="batch_command", required=True)
    p = sub.add_parser("submit", help="validate a CSV/XLSX of briefs and queue its rows")
    p.add_argument("file", metavar="FILE", help="a .csv or .xlsx file (python -m studio batch template writes one)")
    p.add_argument("--concurrency", type=int, default=4, help="rows of this batch written at once (default 4)")
    p.add_argument("--auto-submit", action="store_true", help="submit each draft for review once it is written")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help=f"which column holds a brief field ({', '.join(FIELDS)}); by default from the headers")
    add_as(p, help="the account the drafts belong to")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("status", help="counts per state and every row")
    p.add_argument("batch_id", type=int, metavar="BATCH_ID")
    add_as(p, help="read as this account (default: the batch's owner)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("wait", help="wait until every row is done or failed (exit 0), or the timeout (exit 1)")
    p.add_argument("batch_id", type=int, metavar="BATCH_ID")
    p.add_argument("--timeout", type=float, default=None, metavar="S")
    add_as(p, help="read as this account (default: the batch's owner)")
    p.set_defaults(func=cmd_wait)

    p = sub.add_parser("cancel", help="stop a batch: queued rows are cancelled, rows being written stop")
    p.add_argument("batch_id", type=int, metavar="BATCH_ID")
    add_as(p)
    p.set_defaults(func=cmd_cancel)

    p = sub.add_parser("retry", help="queue a batch's failed and cancelled rows again")
    p.add_argument("batch_id", type=int, metavar="BATCH_ID")
    add_as(p)
    p.set_defaults(func=cmd_retry)

    p = sub.add_parser("template", help="write the template spreadsheet (CSV or XLSX by the file name)")
    p.add_argument("out", metavar="FILE")
    p.set_defaults(func=cmd_template)

    p = subparsers.add_parser("worker", help="run batch jobs from the queue until stopped (Ctrl-C)")
    p.add_argument("--concurrency", type=int, default=None, help="jobs at once (default STUDIO_WORKER_CONCURRENCY, 4)")
    p.add_argument("--processes", type=int, default=None,
                   help="share the jobs among this many worker processes (default STUDIO_WORKER_PROCESSES, 1)")
    p.set_defaults(func=cmd_worker)

    p = subparsers.add_parser("serve", help="the app with its embedded worker (what make run starts)")
    p.add_argument("streamlit_args", nargs=argparse.REMAINDER, help="after --, passed to streamlit run: python -m studio serve -- --server.port 8502")
    p.set_defaults(func=cmd_serve)


def _mapping(columns: list[str], pairs: list[str]) -> dict[str, str | None]:
    mapping = suggest_mapping(columns)
    for pair in pairs:
        field, sep, column = pair.partition("=")
        field = field.strip()
        if not sep or field not in FIELDS:
            raise CliError(f"--map: expected FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}; got '{pair}'.", EXIT_USAGE)
        if column.strip() and column.strip() not in columns:
            raise CliError(f"--map: the file has no column '{column.strip()}' (it has: {', '.join(columns)}).", EXIT_USAGE)
        mapping[field] = column.strip() or None
    return mapping


def cmd_submit(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"FILE: {args.file} is not a file.", EXIT_USAGE)
    if not 1 <= args.concurrency <= service.MAX_CONCURRENCY:
        raise CliError(f"--concurrency: must be 1–{service.MAX_CONCURRENCY}.", EXIT_USAGE)
    table = read_table(path.read_bytes(), path.name)
    checked = validate(table, _mapping(table.columns, args.map))
    engine = open_engine()
    rejected = [r.as_dict() for r in checked.rejected]
    if not checked.good:
        out = {"batch_id": None, "rows": 0, "rejected": rejected, "estimated_cost": None}
        if args.json:
            print(json.dumps(out))
        for r in rejected:
            print(f"row {r['row']}: {r['reason']}", file=sys.stderr)
        raise CliError("No valid rows: nothing was queued.", EXIT_REFUSED)
    with session_scope(engine) as session:
        actor = actor_for(session, args.as_user)
        done = service.submit(session, actor, checked.good, filename=path.name, concurrency=args.concurrency,
                              auto_submit=args.auto_submit, rejected=checked.rejected)  # fmt: skip
    service.start(engine, done.batch_id)
    if args.json:
        print(json.dumps(done.as_dict()))
    else:
        print(f"Batch {done.batch_id}: {done.rows} row(s) queued, {len(rejected)} rejected; estimated cost {money(done.estimated_cost)} ({done.estimate_note})")
        for r in rejected:
            print(f"  row {r['row']}: {r['reason']}")
        if done.budget_warning:
            print(f"Warning: {done.budget_warning}", file=sys.stderr)
        print(f"Follow it with: python -m studio batch wait {done.batch_id}")
    return EXIT_OK


def _reader(session: Any, args: argparse.Namespace) -> Any:
    """``--as NAME``, or else the batch's owner."""
    return actor_for(session, args.as_user) if args.as_user else service.owner_of(session, args.batch_id)


def cmd_status(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        actor = _reader(session, args)
        v = service.view(session, actor, args.batch_id)
    if args.json:
        print(json.dumps(v.as_dict()))
        return EXIT_OK
    counts = ", ".join(f"{n} {s}" for s, n in v.counts.items() if n)
    print(f"Batch {v.id} ({v.status_label}, {v.filename or 'no file name'}): {counts}; cost so far {money(v.cost_so_far)}")
    for r in v.rows:
        where = f"draft #{r.draft_id}" if r.draft_id else ""
        print(f"  row {r.number:>4}  {r.state_label:<9} {where:<12} {r.error or ''}")
    return EXIT_OK


def cmd_wait(args: argparse.Namespace) -> int:
    engine = open_engine()
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    last = None
    while True:
        with session_scope(engine) as session:
            ended, v = service.wait_state(session, _reader(session, args), args.batch_id)
        line = f"{v.ended}/{v.total} rows ended ({v.counts['done']} done, {v.counts['failed']} failed)"
        if line != last:
            print(line, file=sys.stderr, flush=True)
            last = line
        if ended:
            return EXIT_OK
        if deadline is not None and time.monotonic() >= deadline:
            raise CliError(f"Batch {args.batch_id} still has {v.total - v.ended} row(s) open after {args.timeout:g} s.", EXIT_REFUSED)
        time.sleep(WAIT_POLL_S)


def cmd_cancel(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        n = service.cancel(session, actor_for(session, args.as_user), args.batch_id)
    print(f"Batch {args.batch_id} cancelled: {n} queued row(s) will not start; rows being written stop.")
    return EXIT_OK


def cmd_retry(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        ids = service.retry_failed(session, actor_for(session, args.as_user), args.batch_id)
    from studio.batch import queue

    queue.send(engine, ids)
    print(f"Batch {args.batch_id}: {len(ids)} row(s) queued again.")
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from studio.batch.sheet import template_csv, template_xlsx

    out = Path(args.out)
    if out.exists():
        raise CliError(f"FILE: {out} exists; choose a new name.", EXIT_USAGE)
    out.write_bytes(template_xlsx() if out.suffix.lower() == ".xlsx" else template_csv())
    print(f"Wrote {out}.")
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    import logging

    from studio.batch.worker import run_pool

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.concurrency is not None and not 1 <= args.concurrency <= 64:
        raise CliError("--concurrency: must be 1–64.", EXIT_USAGE)
    if args.processes is not None and not 1 <= args.processes <= 64:
        raise CliError("--processes: must be 1–64.", EXIT_USAGE)
    return run_pool(args.concurrency, args.processes)


def cmd_serve(args: argparse.Namespace) -> int:
    from studio.batch.serve import serve

    extra = [a for a in args.streamlit_args if a != "--"]
    return serve(extra)
