"""`python -m studio export …`: export approved drafts to a file a CMS imports.

    python -m studio export --preset wordpress --out posts.csv --as dana
    python -m studio export --preset json --out posts.json --since 2025-06-01 --include-exported
    python -m studio export --preset wordpress --out - --as dana > posts.csv
    python -m studio export --batch 12 --out posts.csv --as dana     # an earlier export's file again

Exports every approved draft (plus exported ones with ``--include-exported``) approved on or after
``--since`` (and on or before ``--until``), in one transaction: an ExportBatch is recorded (with
the file), the drafts move to ``exported``, the audit trail records it. ``--out`` is checked
first (`output.choose_target`): never the studio's database, a device or a FIFO, and an existing
file only with ``--force``. The file is written complete, then the transaction commits; if the
commit fails the file is removed. ``--out -`` writes to standard output, after the commit.
Prints one line (on stderr with ``--out -``): rows, file, batch, sha256.

Exit status: 0 done; 1 refused (nothing approved, a draft without a title, no permission…);
2 usage (a bad date, an ``--out`` that must not be written).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from studio.cli_support import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    actor_for,
    add_as,
    bounded_int,
    open_engine,
    parse_date,
)
from studio.db import session_scope
from studio.errors import PermissionDenied
from studio.export import output
from studio.export.batches import download_batch, past_exports
from studio.export.picker import exportable
from studio.export.presets import PRESETS
from studio.export.rows import ExportError
from studio.export.service import run_export

PRESET_CHOICES = tuple(PRESETS)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "export",
        help="export approved drafts for a CMS (WordPress, HubSpot, generic CSV, JSON)",
        description=(
            "Export approved drafts as one file and mark them exported. Modes: 'cms' (default) "
            "writes the HTML body exactly as sanitised and neutralises formula-like cells "
            "elsewhere; 'spreadsheet' checks every cell and adds a byte-order mark for Excel."
        ),
    )
    p.add_argument("--preset", choices=PRESET_CHOICES, help="the CMS format (needed unless --batch)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="the file to write (a new one unless --force), or - for standard output")
    p.add_argument("--force", action="store_true", help="replace --out if it already exists (a regular file)")
    p.add_argument("--batch", type=bounded_int(1, what="an export number"), default=None, metavar="ID",
                   help="write the file of an earlier export (see the Export page) again; exports nothing")
    p.add_argument("--since", default=None, metavar="DATE", help="only drafts approved on or after DATE (YYYY-MM-DD)")
    p.add_argument("--until", default=None, metavar="DATE", help="only drafts approved on or before DATE (YYYY-MM-DD)")
    p.add_argument("--type", dest="content_type", default=None, help="only this content type (blog, news, story)")
    p.add_argument("--include-exported", action="store_true", help="export already exported drafts again too")
    p.add_argument("--mode", choices=("cms", "spreadsheet"), default="cms")
    p.add_argument("--bom", action="store_true", default=None, help="start a CSV with a UTF-8 byte-order mark")
    p.add_argument("--citations", choices=("footnotes", "remove"), default=None,
                   help="[S2] citation marks: numbered footnotes linking to the sources, or removed "
                        "(default: the preset's; JSON removes them)")
    add_as(p, help="the account that exports (an editor or admin)")
    p.set_defaults(func=cmd_export)


def _target(args: argparse.Namespace, engine: Any) -> output.Target:
    try:
        return output.choose_target(
            args.out, replace=args.force, database_url=engine.url.render_as_string(hide_password=False)
        )
    except output.OutputRefused as exc:
        raise CliError(f"--out: {exc}", EXIT_USAGE) from exc


def _said(message: str, target: output.Target) -> None:
    print(message, file=sys.stderr if target.stdout else sys.stdout)


def cmd_export(args: argparse.Namespace) -> int:
    since = parse_date(args.since, "--since")
    until = parse_date(args.until, "--until")
    if args.batch is None and not args.preset:
        raise CliError("--preset is needed (wordpress, hubspot, generic or json), unless --batch ID.", EXIT_USAGE)
    engine = open_engine()
    target = _target(args, engine)
    output.remove_leftovers(target)
    if args.batch is not None:
        return _again(args, engine, target)

    placed = None
    try:
        with session_scope(engine) as session:
            actor = actor_for(session, args.as_user)
            candidates = exportable(
                session, actor, since=since, until=until, content_type=args.content_type,
                include_exported=args.include_exported,
            )  # fmt: skip
            if not candidates:
                raise ExportError(_nothing_message(args, session, actor))
            batch, file = run_export(
                session, actor, {c.id: c.version for c in candidates}, args.preset,
                mode=args.mode, bom=args.bom, include_exported=args.include_exported,
                citations=args.citations,
            )  # fmt: skip
            if not target.stdout:
                # Whole and on disk before the commit (see studio/export/output.py).
                placed = output.place(target, file)
            batch_id = batch.id
    except PermissionDenied as exc:
        hint = "" if args.as_user else " Use --as NAME with an editor's or admin's account."
        raise CliError(f"{exc}{hint}") from exc
    except ExportError as exc:
        raise CliError(str(exc)) from exc
    except BaseException:
        if placed is not None:  # the export was not recorded: its file must not stay
            output.remove(placed)
        raise
    if target.stdout:
        output.to_stdout(file)
    _said(
        f"Exported {file.row_count} row(s) ({args.preset}, {args.mode}) to {target.path or 'standard output'} "
        f"— batch {batch_id}, sha256 {file.sha256}",
        target,
    )
    return EXIT_OK


class _Bytes:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def write_to(self, out: Any) -> None:
        out.write(self.content)


def _again(args: argparse.Namespace, engine: Any, target: output.Target) -> int:
    """``--batch ID``: an earlier export's stored file (checked against its SHA-256) again."""
    with session_scope(engine, read_only=True) as session:
        actor = actor_for(session, args.as_user)
        try:
            name, content, _mimetype = download_batch(session, actor, args.batch)
        except ExportError as exc:
            raise CliError(str(exc)) from exc
    if target.stdout:
        output.to_stdout(_Bytes(content))
    else:
        output.place(target, _Bytes(content))
    _said(f"Wrote export {args.batch} ({name}, {len(content):,} bytes) to {target.path or 'standard output'}.", target)
    return EXIT_OK


def _nothing_message(args: argparse.Namespace, session: Any, actor: Any) -> str:
    what = "approved or exported" if args.include_exported else "approved"
    where = []
    if args.content_type:
        where.append(f"of type {args.content_type}")
    if args.since:
        where.append(f"since {args.since}")
    if args.until:
        where.append(f"until {args.until}")
    scope = (" " + " ".join(where)) if where else ""
    message = f"Nothing to export: no {what} drafts{scope}. No file was written."
    last = past_exports(session, actor, limit=1)
    if last:
        b = last[0]
        message += (
            f" The last export was {b.id} ({b.created_at:%Y-%m-%d %H:%M} UTC, {b.row_count} row(s)); "
            f"write its file again with: python -m studio export --batch {b.id} --out FILE"
        )
    return message
