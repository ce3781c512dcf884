"""`python -m studio export …`: export approved drafts to a file a CMS imports.

    python -m studio export --preset wordpress --out posts.csv --as dana
    python -m studio export --preset json --out posts.json --since 2025-06-01 --include-exported

Exports every approved draft (plus exported ones with ``--include-exported``) approved on or after
``--since`` (and on or before ``--until``), in one transaction: an ExportBatch is recorded, the
drafts move to ``exported``, the audit trail records it. The file is written next to ``--out``
first and moved into place only once the database has committed, so a refusal or a failure leaves
neither a file nor a status change. Prints one line: rows, file, batch, sha256.

Exit status: 0 done; 1 refused (nothing approved, a draft without a title, no permission…);
2 usage (a bad date).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from studio.cli_support import EXIT_OK, EXIT_USAGE, CliError, actor_for, add_as, open_engine
from studio.db import session_scope
from studio.errors import PermissionDenied
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
    p.add_argument("--preset", required=True, choices=PRESET_CHOICES)
    p.add_argument("--out", required=True, metavar="FILE", help="where to write the file (replaced if it exists)")
    p.add_argument("--since", default=None, metavar="DATE", help="only drafts approved on or after DATE (YYYY-MM-DD)")
    p.add_argument("--until", default=None, metavar="DATE", help="only drafts approved on or before DATE (YYYY-MM-DD)")
    p.add_argument("--type", dest="content_type", default=None, help="only this content type (blog, news, story)")
    p.add_argument("--include-exported", action="store_true", help="export already exported drafts again too")
    p.add_argument("--mode", choices=("cms", "spreadsheet"), default="cms")
    p.add_argument("--bom", action="store_true", default=None, help="start a CSV with a UTF-8 byte-order mark")
    add_as(p, help="the account that exports (an editor or admin)")
    p.set_defaults(func=cmd_export)


def _date(value: str | None, flag: str) -> date | datetime | None:
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CliError(f"{flag}: {value!r} is not a date; use YYYY-MM-DD.", EXIT_USAGE) from exc


def cmd_export(args: argparse.Namespace) -> int:
    since = _date(args.since, "--since")
    until = _date(args.until, "--until")
    out = Path(args.out)
    if out.is_dir():
        raise CliError(f"--out {out} is a directory; give a file name.", EXIT_USAGE)
    if not out.parent.exists():
        raise CliError(f"--out: the folder {out.parent} does not exist.", EXIT_USAGE)

    engine = open_engine()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            with session_scope(engine) as session:
                actor = actor_for(session, args.as_user)
                candidates = exportable(
                    session, actor, since=since, until=until, content_type=args.content_type,
                    include_exported=args.include_exported,
                )  # fmt: skip
                if not candidates:
                    raise ExportError(_nothing_message(args))
                batch, file = run_export(
                    session, actor, {c.id: c.version for c in candidates}, args.preset,
                    mode=args.mode, bom=args.bom, include_exported=args.include_exported,
                )  # fmt: skip
                with tmp.open("wb") as written:
                    file.write_to(written)
                batch_id = batch.id
        except PermissionDenied as exc:
            hint = "" if args.as_user else " Use --as NAME with an editor's or admin's account."
            raise CliError(f"{exc}{hint}") from exc
        except ExportError as exc:
            raise CliError(str(exc)) from exc
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    print(
        f"Exported {file.row_count} row(s) ({args.preset}, {args.mode}) to {out} "
        f"— batch {batch_id}, sha256 {file.sha256}"
    )
    return EXIT_OK


def _nothing_message(args: argparse.Namespace) -> str:
    what = "approved or exported" if args.include_exported else "approved"
    where = []
    if args.content_type:
        where.append(f"of type {args.content_type}")
    if args.since:
        where.append(f"since {args.since}")
    if args.until:
        where.append(f"until {args.until}")
    scope = (" " + " ".join(where)) if where else ""
    return f"Nothing to export: no {what} drafts{scope}. No file was written."
