"""`python -m studio feedback export …`: editor feedback as training data (JSONL).

    python -m studio feedback export --format sft --out sft.jsonl --as ada
    python -m studio feedback export --format dpo --out dpo.jsonl --since 2025-06-01 --type blog \\
        --redact-pii --min-edit-distance 10% --provenance dpo.provenance.jsonl --as ada
    python -m studio feedback export --format sft --out - --as ada > sft.jsonl

Admins only. ``--out`` (and ``--provenance``) follow the export's rules
(`studio/export/output.py`): never the studio's database, a folder, a device or a FIFO; an
existing file only with ``--force``; written whole before the audit row commits. ``--out -``
writes to standard output (the summary then goes to stderr).

Exit status: 0 written; 1 refused (nothing qualifies, not an admin); 2 usage (a bad date, a bad
edit size, an ``--out`` that must not be written).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from studio.cli_support import EXIT_OK, EXIT_USAGE, CliError, actor_for, add_as, open_engine, parse_date
from studio.db import session_scope
from studio.drafting.brief import CONTENT_TYPES, VOICES
from studio.errors import InputError, PermissionDenied
from studio.export import output
from studio.feedback import rules
from studio.feedback.service import FeedbackError, Filters, export_feedback
from studio.voices.service import voice_key, voice_options


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("feedback", help="editor feedback as training data (admins)")
    sub = p.add_subparsers(dest="feedback_command", required=True)
    e = sub.add_parser(
        "export",
        help="export supervised (sft) or preference (dpo) pairs as JSONL",
        description=(
            "Write what editors approved as training data: 'sft' = OpenAI fine-tuning chat format "
            "(system, user = the brief, assistant = the approved text); 'dpo' = TRL's preference "
            "format (prompt, chosen = the approved text, rejected = the model's first text where "
            "editors changed it materially, or a rejected draft of the same brief). See docs/feedback.md."
        ),
    )
    e.add_argument("--format", dest="fmt", required=True, choices=tuple(rules.FORMATS))
    e.add_argument("--out", required=True, metavar="FILE",
                   help="the JSONL file to write (a new one unless --force), or - for standard output")
    e.add_argument("--force", action="store_true", help="replace --out / --provenance if they exist")
    e.add_argument("--provenance", default=None, metavar="FILE",
                   help="also write one JSON line per row: draft id, revisions, model, prompt, edit size")
    e.add_argument("--since", default=None, metavar="DATE", help="only drafts approved on or after DATE (YYYY-MM-DD)")
    e.add_argument("--until", default=None, metavar="DATE", help="only drafts approved on or before DATE (YYYY-MM-DD)")
    e.add_argument("--type", dest="content_type", default=None, choices=tuple(CONTENT_TYPES),
                   help="only this content type")
    e.add_argument("--voice", default=None, metavar="NAME",
                   help=f"only drafts in this voice: a brand voice's name, or a preset tone ({', '.join(VOICES)})")
    e.add_argument("--model", default=None, metavar="NAME", help="only text written by this model")
    e.add_argument("--min-edit-distance", default=rules.DEFAULT_MIN_EDIT, metavar="N|P%",
                   help=("dpo: the least editing that makes a pair: words changed (25) or a share "
                         "of the text (10%%); default %(default)s"))
    e.add_argument("--redact-pii", action="store_true",
                   help="replace personal data the PII check finds (e-mail, phone, card, IP, SSN) by [EMAIL] etc.")
    add_as(e, help="the admin account that exports")
    e.set_defaults(func=cmd_export)


def _target(flag: str, value: str, force: bool, engine: Any) -> output.Target:
    try:
        return output.choose_target(value, replace=force, database_url=engine.url.render_as_string(hide_password=False))
    except output.OutputRefused as exc:
        raise CliError(f"{flag}: {exc}", EXIT_USAGE) from exc


def cmd_export(args: argparse.Namespace) -> int:
    filters = Filters(
        content_type=args.content_type, model=(args.model or "").strip() or None,
        since=parse_date(args.since, "--since"), until=parse_date(args.until, "--until"),
    )  # fmt: skip
    try:
        min_edit = rules.MinEdit.parse(args.min_edit_distance)
    except rules.MinEditError as exc:
        raise CliError(f"--min-edit-distance: {exc}", EXIT_USAGE) from exc
    engine = open_engine()
    target = _target("--out", args.out, args.force, engine)
    side = _target("--provenance", args.provenance, args.force, engine) if args.provenance else None
    if side is not None and side.stdout:
        raise CliError("--provenance: give a file name; standard output is for --out only.", EXIT_USAGE)
    if side is not None and not target.stdout and side.path == target.path:
        raise CliError("--provenance: give another file than --out.", EXIT_USAGE)
    for t in (target, side):
        if t is not None:
            output.remove_leftovers(t)

    placed: list[Path] = []
    try:
        with session_scope(engine) as session:
            actor = actor_for(session, args.as_user)
            if args.voice:
                filters = _with_voice(session, filters, args.voice)
            result = export_feedback(
                session, actor, args.fmt, filters=filters, min_edit=min_edit, redact_pii=args.redact_pii,
                destination="standard output" if target.stdout else str(target.path),
            )  # fmt: skip
            # Whole and on disk before the audit row commits (see studio/export/output.py).
            if not target.stdout:
                placed.append(output.place(target, result.file))
            if side is not None:
                placed.append(output.place(side, result.provenance_file))
    except PermissionDenied as exc:
        hint = "" if args.as_user else " Use --as NAME with an admin's account."
        raise CliError(f"{exc}{hint}") from exc
    except FeedbackError as exc:
        raise CliError(str(exc)) from exc
    except BaseException:
        for path in placed:  # the export was not recorded: its files must not stay
            output.remove(path)
        raise
    if target.stdout:
        output.to_stdout(result.file)
    print(_summary(args, result, target, side), file=sys.stderr if target.stdout else sys.stdout)
    return EXIT_OK


def _with_voice(session: Any, filters: Filters, name: str) -> Filters:
    try:
        key = voice_key(session, name)
    except InputError as exc:
        raise CliError(f"--voice: {exc}", EXIT_USAGE) from exc
    return replace(filters, voice=key, voice_label=voice_options(session)[key].rsplit(" (", 1)[0])


def _summary(args: argparse.Namespace, result: Any, target: output.Target, side: output.Target | None) -> str:
    line = (
        f"Wrote {len(result.rows)} {rules.FORMATS[args.fmt]} from {result.considered} approved draft(s) "
        f"to {target.path or 'standard output'}"
    )
    if side is not None:
        line += f", provenance to {side.path}"
    line += f" — sha256 {result.file.sha256}."
    if result.redacted:
        line += " Personal data replaced: " + _kinds(result.redacted) + "."
    elif result.unredacted:
        line += " The rows hold personal data (" + _kinds(result.unredacted) + "); add --redact-pii to replace it."
    return line


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
