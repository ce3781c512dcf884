"""`python -m studio …`: the same services the app uses, for scripts, cron and CI."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from studio.config import get_settings

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A refusal or bad input: printed as one line on stderr, exit status 1 (2 for usage)."""

    def __init__(self, message: str, code: int = EXIT_REFUSED):
        super().__init__(message)
        self.code = code


def _engine():  # type: ignore[no-untyped-def]
    from studio.db import get_engine, migrate

    engine = get_engine()
    migrate(engine)
    return engine


def _actor(session: Any, name: str | None) -> Any:
    from studio.auth import cli_account, get_user

    if not name:
        return cli_account(session)
    user = get_user(session, name)
    if user is None:
        raise CliError(f"No account named '{name}'. Add one with: python -m studio users add {name} --role marketer")
    return user


def cmd_init_db(args: argparse.Namespace) -> int:
    from studio.db import current_revision

    engine = _engine()
    print(f"Database ready at {engine.url.render_as_string(hide_password=True)} (schema {current_revision(engine)}).")
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    from studio.db import session_scope
    from studio.generation.brief import Brief, BriefError
    from studio.generation.providers import ProviderConfigError
    from studio.generation.writer import DraftRun

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
        )
    except BriefError as exc:
        raise CliError("\n".join(f"--{_flag(k)}: {v}" for k, v in exc.problems.items()), EXIT_USAGE) from exc

    engine = _engine()
    with session_scope(engine) as session:
        actor = _actor(session, args.as_user)
    try:
        run = DraftRun(brief, actor, engine=engine, provider=args.provider, model=args.model, seed=args.seed)
    except ProviderConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    if not args.json:
        print(f"# Writing with {run.choice.label}", file=sys.stderr)
        if run.choice.notice:
            print(f"# Note: {run.choice.notice}", file=sys.stderr)
        for piece in run.stream():
            sys.stdout.write(piece)
            sys.stdout.flush()
        print()
    else:
        run.run()
    outcome = run.outcome
    assert outcome is not None
    if args.json:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False))
    else:
        state = "incomplete" if outcome.incomplete else outcome.status
        print(f"# Saved as draft {outcome.draft_id} ({state}).", file=sys.stderr)
    if outcome.error:
        print(f"Error: {outcome.error}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


_FLAGS = {"content_type": "type", "target_words": "words", "tone": "tone"}


def _flag(field: str) -> str:
    return _FLAGS.get(field, field.replace("_", "-"))


def build_parser() -> argparse.ArgumentParser:
    from studio.generation.brief import CONTENT_TYPES, DEFAULT_TEMPERATURE

    parser = argparse.ArgumentParser(prog="python -m studio", description="Content Studio command line.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init-db", help="create or migrate the database")
    p.set_defaults(func=cmd_init_db)

    p = sub.add_parser("generate", help="write a draft from a brief and save it")
    p.add_argument("--type", required=True, help=f"content type: {', '.join(CONTENT_TYPES)}")
    p.add_argument("--topic", required=True)
    p.add_argument("--audience", default="")
    p.add_argument("--keywords", default="", help="comma-separated")
    p.add_argument("--tone", default="professional", help="voice, e.g. professional, friendly, witty")
    p.add_argument("--formality", default=3, help="1 (very formal) to 5 (playful)")
    p.add_argument("--temperature", default=DEFAULT_TEMPERATURE, help="0.0 to 2.0")
    p.add_argument("--words", default=600, help="target length in words")
    p.add_argument("--language", default="en")
    p.add_argument("--provider", choices=["demo", "openai", "auto"], default=None)
    p.add_argument("--model", default=None)
    p.add_argument("--seed", type=int, default=None, help="make the demo writer (and seed-aware models) repeatable")
    p.add_argument("--as", dest="as_user", default=None, help="the account the draft belongs to")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the text")
    p.set_defaults(func=cmd_generate)

    for register in _extra_registrations():
        register(sub)
    return parser


def _extra_registrations() -> list[Callable[[Any], None]]:
    found: list[Callable[[Any], None]] = []
    for module_name in ("studio.moderation.cli", "studio.review_cli", "studio.export_cli"):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        found.append(module.register)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    get_settings()
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except Exception as exc:  # noqa: BLE001 - services raise domain errors with clear messages
        from studio.errors import user_message

        message = user_message(exc)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return EXIT_REFUSED
