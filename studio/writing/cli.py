"""``python -m studio revise``, and the long-form and variants paths of ``generate``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

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
from studio.db import session_scope
from studio.drafting.brief import Brief
from studio.drafting.providers import ProviderConfigError
from studio.errors import InputError
from studio.interrupts import exit_status, signals_as_interrupt
from studio.writing.longform import LongformOutcome, LongformRun
from studio.writing.revise import ReviseRun
from studio.writing.variants import VariantsRun


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("revise", help="revise a draft by instruction (a new revision)")
    p.add_argument("draft_id", type=bounded_int(what="a draft number"), metavar="DRAFT_ID")
    p.add_argument("--instruction", required=True, help="what to change, e.g. 'make the intro punchier'")
    p.add_argument("--section", type=bounded_int(0, 1_000, "a section number"), default=None,
                   help="revise only this section: 0 = the introduction, 1.. = the level-2 sections")
    p.add_argument("--provider", choices=["demo", "openai", "auto"], default=None)
    p.add_argument("--model", default=None)
    add_as(p, help="the account that revises")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_revise)


def cmd_revise(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine) as session:
        actor = actor_for(session, args.as_user)
    try:
        run = ReviseRun(args.draft_id, actor, args.instruction, section=args.section, engine=engine,
                        provider=args.provider, model=args.model)
    except ProviderConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except InputError as exc:
        flag = "--instruction" if "instruction" in exc.problems else "--section" if args.section is not None else None
        raise CliError(f"{flag}: {exc}" if flag else str(exc), EXIT_USAGE if flag else EXIT_REFUSED) from exc
    if args.json:
        result = run.run()
    else:
        for piece in run.stream():
            sys.stdout.write(piece)
            sys.stdout.flush()
        print()
        result = run.result
    if result is None:
        print(f"Error: {run.error}", file=sys.stderr)
        return EXIT_REFUSED
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        print(f"# Saved as revision {result.revision} of draft {args.draft_id}.", file=sys.stderr)
    return EXIT_OK


def generate_long(args: argparse.Namespace, brief: Brief, actor: Any, engine: Any) -> int:
    try:
        run = LongformRun(brief, actor, engine=engine, provider=args.provider, model=args.model, seed=args.seed)
    except ProviderConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    try:
        with signals_as_interrupt():  # SIGTERM and SIGHUP stop the run as Ctrl-C does
            outcome = _write_long(args, run)
    except KeyboardInterrupt as exc:
        return _interrupted(args, run.outcome, exc)
    if args.json:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False))
    else:
        state = "incomplete" if outcome.incomplete else outcome.status
        print(f"# Saved as draft {outcome.draft_id} ({state}).", file=sys.stderr)
    if outcome.error:
        print(f"Error: {outcome.error}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def _write_long(args: argparse.Namespace, run: LongformRun) -> LongformOutcome:
    if args.json:
        return run.run()
    print(f"# Writing in sections with {run.choice.label}", file=sys.stderr)
    view = None
    try:
        view = run.plan()
    except InputError:
        pass
    if view is not None:
        print("# Outline: " + " · ".join(s.heading for s in view.sections), file=sys.stderr)
        for event in run.write():
            if event.kind == "start":
                print(f"\n## {event.heading}\n", flush=True)
            elif event.kind == "text":
                sys.stdout.write(event.text)
                sys.stdout.flush()
        print()
    return run.outcome or run.run()


def _interrupted(args: argparse.Namespace, outcome: LongformOutcome | None, exc: BaseException) -> int:
    """Ctrl-C, SIGTERM or SIGHUP: one line saying what was kept, no traceback."""
    name = str(exc) or "Ctrl-C"
    if outcome is None:
        print(f"\n# Interrupted ({name}) before the sections were written; the draft keeps the brief "
              "(and the outline, if it was made).", file=sys.stderr)
        return exit_status(exc)
    if args.json:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False))
    where = (f"draft {outcome.draft_id}, marked incomplete, with the outline and every finished section"
             if outcome.recovery_file is None else f"the recovery file {outcome.recovery_file}")  # fmt: skip
    print(f"\n# Interrupted ({name}): saved as {where}. Open it in My drafts (Sections) to continue.",
          file=sys.stderr)  # fmt: skip
    return exit_status(exc)


def generate_variants(args: argparse.Namespace, brief: Brief, actor: Any, engine: Any) -> int:
    try:
        run = VariantsRun(brief, actor, args.variants, keep=(args.keep or 1) - 1, engine=engine,
                          provider=args.provider, model=args.model, seed=args.seed)
    except ProviderConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    except InputError as exc:
        flag = "--keep" if "keep" in exc.problems else "--variants"
        raise CliError(f"{flag}: {exc}", EXIT_USAGE) from exc
    if run.notice:
        print(f"# Note: {run.notice}", file=sys.stderr)
    outcome = run.run()
    kept = outcome.variants[outcome.kept] if outcome.kept is not None else None
    if args.json:
        print(json.dumps({
            "draft_id": outcome.draft_id, "status": "draft", "incomplete": kept is None or kept.error is not None,
            "revision": outcome.revision_number, "text": outcome.text, "provider_label": outcome.provider_label,
            "kept": (outcome.kept or 0) + 1, "notice": outcome.notice,
            "variants": [v.as_dict() for v in outcome.variants],
        }, ensure_ascii=False))  # fmt: skip
    else:
        for v in outcome.variants:
            how = f"temperature {v.temperature}" if v.temperature is not None else v.approach
            print(f"\n===== Variant {v.position + 1} ({how}, {v.words} words){' · kept' if v is kept else ''}\n")
            print(v.text if not v.error else f"(failed: {v.error})")
        print(f"# Saved as draft {outcome.draft_id}; the other variants are kept as alternatives.", file=sys.stderr)
    failed = [v for v in outcome.variants if v.error]
    if failed:
        print(f"Error: {failed[0].error}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK
