"""``python -m studio generate`` and ``drafts list|show|edit``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Any

from studio.checks.cli import decode_input
from studio.checks.policy import VERDICT_LABELS
from studio.checks.report import FIELD_LABELS
from studio.cli_support import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    actor_for,
    add_as,
    bounded_int,
    open_engine,
)
from studio.config import get_settings
from studio.db import session_scope
from studio.drafting.brief import CONTENT_TYPES, DEFAULT_TEMPERATURE, LANGUAGES, Brief, BriefError
from studio.drafting.detail import draft_detail
from studio.drafting.providers import ProviderConfigError
from studio.drafting.service import edit_text, list_drafts
from studio.drafting.writer import DraftRun, GenerationOutcome
from studio.interrupts import exit_status, signals_as_interrupt
from studio.publishing.derivation import CONTENT_FIELDS
from studio.publishing.fields import EDITABLE_FIELDS
from studio.publishing.service import update_publishing
from studio.review.rules import STATUSES
from studio.writing import cli as writing_cli
from studio.voices.service import find_voice

_FLAGS = {"content_type": "type", "target_words": "words", "tone": "tone", "source_ids": "source",
          "voice_id": "voice"}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("generate", help="write a draft from a brief and save it")
    p.add_argument("--type", required=True, help=f"content type: {', '.join(CONTENT_TYPES)}")
    p.add_argument("--topic", required=True)
    p.add_argument("--audience", default="")
    p.add_argument("--keywords", default="", help="comma-separated")
    p.add_argument("--tone", default="professional", help="voice, e.g. professional, friendly, witty")
    p.add_argument("--formality", default=3, help="1 (very formal) to 5 (playful)")
    p.add_argument("--temperature", default=DEFAULT_TEMPERATURE, help="0.0 to 2.0")
    p.add_argument("--words", default=600, help="target length in words")
    p.add_argument("--language", default="en", help=f"one of {', '.join(LANGUAGES)}")
    p.add_argument("--voice", default=None, metavar="NAME",
                   help="a brand voice by name or id (default: the workspace's default voice; 'none' for none)")
    p.add_argument("--source", type=int, action="append", default=[], metavar="ID",
                   help="ground the piece in this knowledge source (repeat for more)")
    p.add_argument("--search-sources", action="store_true", help="ground the piece in every knowledge source")
    p.add_argument("--critic-rounds", default=None, metavar="N",
                   help="after writing, a critic pass of at most N rounds (0: none; default: the workspace's setting)")
    p.add_argument("--provider", choices=["demo", "openai", "auto"], default=None)
    p.add_argument("--model", default=None)
    p.add_argument("--seed", type=bounded_int(0, 2**63 - 1, "a seed"), default=None, help="make the demo writer (and seed-aware models) repeatable")
    p.add_argument("--long", action="store_true",
                   help="write in sections, outline first (automatic from --words 1200, see STUDIO_LONGFORM_MIN_WORDS)")
    p.add_argument("--one-pass", action="store_true", help="write in one pass even when --words is long")
    p.add_argument("--variants", default=None, metavar="T1,T2[,T3,T4]",
                   help="write 2-4 variants concurrently at these temperatures, e.g. 0.3,0.9,1.3")
    p.add_argument("--keep", type=bounded_int(1, 4, "a variant number"), default=None, metavar="N", help="with --variants: keep variant N (default 1)")
    add_as(p, help="the account the draft belongs to")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the text")
    p.set_defaults(func=cmd_generate)

    drafts = subparsers.add_parser("drafts", help="list, show and edit drafts").add_subparsers(
        dest="drafts_command", required=True
    )
    p = drafts.add_parser("list")
    p.add_argument("--status", choices=[s.value for s in STATUSES])
    p.add_argument("--limit", type=bounded_int(1, 100_000, "a number of drafts"), default=200)
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_drafts_list)

    p = drafts.add_parser("show", help="one draft: text, publishing fields, status and its latest check")
    p.add_argument("draft_id", type=bounded_int(what="a draft number"))
    add_as(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_drafts_show)

    p = drafts.add_parser("edit", help="save a new text (a revision) or publishing fields; checks run again")
    p.add_argument("draft_id", type=bounded_int(what="a draft number"))
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--from-file", metavar="FILE", help="the new Markdown text (- for stdin)")
    what.add_argument("--field", action="append", metavar="NAME=VALUE",
                      help=f"a publishing field ({', '.join(EDITABLE_FIELDS)}); tags and categories "
                           "comma-separated; repeat for several")
    add_as(p, required=True)
    p.add_argument("--expected-version", type=bounded_int(what="a version number"), default=None,
                   help="refuse if the draft changed since you saw this version")
    p.add_argument("--note", default="", help="what changed (kept with the revision)")
    p.add_argument("--json", action="store_true", help="print the draft and its new report as JSON")
    p.set_defaults(func=cmd_drafts_edit)


def _flag(field: str) -> str:
    return _FLAGS.get(field, field.replace("_", "-"))


def cmd_generate(args: argparse.Namespace) -> int:
    try:
        brief = Brief.create(
            content_type=args.type,
            topic=args.topic,
            audience=args.audience,
            keywords=args.keywords,
            tone=args.tone,
            formality=args.formality,
            temperature=args.temperature,
            target_words=args.words,
            language=args.language,
            source_ids=args.source,
            search_sources=args.search_sources,
            critic_rounds=args.critic_rounds,
        )
    except BriefError as exc:
        raise CliError("\n".join(f"--{_flag(k)}: {v}" for k, v in exc.problems.items()), EXIT_USAGE) from exc

    if args.keep is not None and args.variants is None:
        raise CliError("--keep: only with --variants.", EXIT_USAGE)
    if args.variants is not None and args.long:
        raise CliError("--variants: write variants or a long-form draft, not both.", EXIT_USAGE)
    engine = open_engine()
    with session_scope(engine) as session:
        actor = actor_for(session, args.as_user)  # a disabled account stops here
        if args.voice is not None and args.voice.strip().lower() != "none":
            brief = replace(brief, voice_id=find_voice(session, actor, args.voice).id)
        elif args.voice is not None:
            brief = replace(brief, use_default_voice=False)
    if args.variants is not None:
        return writing_cli.generate_variants(args, brief, actor, engine)
    if args.long or (brief.target_words >= get_settings().studio_longform_min_words and not args.one_pass):
        return writing_cli.generate_long(args, brief, actor, engine)
    try:
        run = DraftRun(brief, actor, engine=engine, provider=args.provider, model=args.model, seed=args.seed)
    except ProviderConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    # The draft and its brief are saved (and the account's permission checked) before any
    # request; from here on the text is saved as it streams.
    run.start()
    if not args.json:
        print(f"# Writing with {run.choice.label}", file=sys.stderr)
        if run.choice.notice:
            print(f"# Note: {run.choice.notice}", file=sys.stderr)
    pieces = run.stream()
    try:
        with signals_as_interrupt():  # SIGTERM and SIGHUP stop the run as Ctrl-C does
            try:
                for piece in pieces:
                    if not args.json:
                        sys.stdout.write(piece)
                        sys.stdout.flush()
            finally:
                pieces.close()  # an interruption outside the stream still ends it with a save
            if not args.json:
                print()
    except KeyboardInterrupt as exc:
        return _interrupted(args, run.outcome, exc)
    run.wait_for_fields(timeout=run.settings.studio_request_timeout * 2)
    outcome = run.outcome
    assert outcome is not None
    if args.json:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False))
    else:
        state = "incomplete" if outcome.incomplete else outcome.status
        if outcome.critic:
            said = outcome.critic.get("summary") or outcome.critic.get("error")
            if any(r.get("kept") for r in outcome.critic.get("rounds") or []):
                said += f" The text above is as first written; the draft keeps revision {outcome.revision_number}."
            print(f"# {said}", file=sys.stderr)
        print(f"# Saved as draft {outcome.draft_id} ({state}).", file=sys.stderr)
    if outcome.error:
        print(f"Error: {outcome.error}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def _interrupted(args: argparse.Namespace, outcome: GenerationOutcome | None, exc: BaseException) -> int:
    """Ctrl-C, SIGTERM or SIGHUP: one line saying what was kept, no traceback."""
    name = str(exc) or "Ctrl-C"
    if outcome is None:  # pragma: no cover - the stream always ends with its save
        print(f"\n# Interrupted ({name}) before anything was saved.", file=sys.stderr)
        return exit_status(exc)
    if args.json:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False))
    kept = f"the {len(outcome.text):,} characters written so far" if outcome.text else "no text yet"
    where = (f"draft {outcome.draft_id}, marked incomplete, with the brief and {kept}"
             if outcome.recovery_file is None else f"the recovery file {outcome.recovery_file}")  # fmt: skip
    print(f"\n# Interrupted ({name}): saved as {where}. Open it in My drafts to retry or edit it.",
          file=sys.stderr)  # fmt: skip
    return exit_status(exc)


def cmd_drafts_list(args: argparse.Namespace) -> int:
    # Only reads (unless the command line's own account must be made first): on SQLite it then
    # never waits for a writer.
    with session_scope(open_engine(), read_only=bool(args.as_user)) as session:
        rows = list_drafts(session, actor_for(session, args.as_user), status=args.status, limit=args.limit)
    if args.json:
        print(json.dumps([
            {"id": r.id, "title": r.title, "type": r.content_type, "status": r.status, "incomplete": r.incomplete,
             "author": r.author, "version": r.version, "updated_at": r.updated_at.isoformat()}
            for r in rows
        ], ensure_ascii=False))  # fmt: skip
        return EXIT_OK
    for r in rows:
        state = r.status + (" (incomplete)" if r.incomplete else "")
        print(f"{r.id:>6}  v{r.version:<3} {state:<20} {r.content_type:<6} {r.author:<12} {r.title}")
    if not rows:
        print("No drafts.", file=sys.stderr)
    return EXIT_OK


def _print_detail(view: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(view.as_dict(), ensure_ascii=False))
        return
    print(f"Draft {view.id} · {view.status} · version {view.version} · revision {view.revision or '—'}")
    for name in CONTENT_FIELDS:
        value = view.publishing[name]
        shown = ", ".join(value) if isinstance(value, list) else value
        stale = "  (may be out of date)" if name in view.stale_fields else ""
        print(f"  {FIELD_LABELS[name]:<17} {shown}{stale}")
    if view.verdict is None:
        print("Checks: not run")
        return
    print(f"Checks: {VERDICT_LABELS.get(view.verdict, view.verdict)}")
    for f in view.findings:
        where = FIELD_LABELS.get(f.field, f.field)
        print(f"  [{f.severity}] {where}: {f.category}/{f.label} {f.text!r}")
    if view.acknowledgements:
        print("To approve, acknowledge: " + ", ".join(view.acknowledgements))


def cmd_drafts_show(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        view = draft_detail(session, args.draft_id, actor_for(session, args.as_user))
    _print_detail(view, args.json)
    return EXIT_OK


def _fields(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or not name:
            raise CliError(f"--field: expected NAME=VALUE, got {pair!r}", EXIT_USAGE)
        if name not in EDITABLE_FIELDS:
            raise CliError(f"--field: unknown field {name!r}; one of {', '.join(EDITABLE_FIELDS)}", EXIT_USAGE)
        out[name] = value
    return out


def cmd_drafts_edit(args: argparse.Namespace) -> int:
    fields = _fields(args.field) if args.field else None
    body = None
    if args.from_file is not None:
        name = "standard input" if args.from_file == "-" else args.from_file
        try:
            if args.from_file == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(args.from_file, "rb") as fh:
                    data = fh.read()
            body = decode_input(data, name)
        except OSError as exc:
            raise CliError(f"--from-file: cannot read {args.from_file}: {exc.strerror or exc}", EXIT_USAGE) from exc
        except ValueError as exc:  # not UTF-8: said, nothing saved
            raise CliError(f"--from-file: {exc}", EXIT_USAGE) from exc
    with session_scope(open_engine()) as session:
        actor = actor_for(session, args.as_user)
        if body is not None:
            edit_text(session, args.draft_id, actor, body, args.expected_version, note=args.note)
        else:
            update_publishing(session, args.draft_id, actor, fields or {}, args.expected_version, note=args.note)
    with session_scope(open_engine()) as session:
        view = draft_detail(session, args.draft_id, actor_for(session, args.as_user))
    _print_detail(view, args.json)
    return EXIT_OK
