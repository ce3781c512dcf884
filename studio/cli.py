"""`python -m studio …`: the same services the app uses, for scripts, cron and CI."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
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
    run.wait_for_fields(timeout=run.settings.studio_request_timeout * 2)
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


def cmd_users_add(args: argparse.Namespace) -> int:
    from studio.auth import add_user, create_first_admin, needs_first_admin
    from studio.db import session_scope

    password = _read_password(args)
    engine = _engine()
    with session_scope(engine) as session:
        if needs_first_admin(session) and args.as_user is None:
            user = create_first_admin(session, args.name, password)
            print(f"Created {user.name} as the first admin (roles: {', '.join(sorted(user.roles))}).")
            return EXIT_OK
        if args.as_user is None:
            raise CliError("Adding people needs an admin: pass --as ADMIN_NAME.")
        actor = _actor(session, args.as_user)
        user = add_user(session, actor, args.name, password, args.role, display_name=args.display_name or "")
        print(f"Added {user.name} (roles: {', '.join(sorted(user.roles))}).")
    return EXIT_OK


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    if not sys.stdin.isatty():
        raise CliError("No terminal to ask for a password: use --password-stdin.", EXIT_USAGE)
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise CliError("The passwords differ.")
    return first


def cmd_users_disable(args: argparse.Namespace) -> int:
    from studio.auth import disable_user
    from studio.db import session_scope

    with session_scope(_engine()) as session:
        disable_user(session, _actor(session, args.as_user), args.name)
    print(f"Disabled {args.name}; their drafts and history stay.")
    return EXIT_OK


def cmd_drafts_list(args: argparse.Namespace) -> int:
    from studio.db import session_scope
    from studio.drafts import list_drafts

    with session_scope(_engine()) as session:
        rows = list_drafts(session, _actor(session, args.as_user), status=args.status, limit=args.limit)
    if args.json:
        print(json.dumps([
            {"id": r.id, "title": r.title, "type": r.content_type, "status": r.status, "incomplete": r.incomplete,
             "author": r.author, "version": r.version, "updated_at": r.updated_at.isoformat()}
            for r in rows
        ], ensure_ascii=False))
        return EXIT_OK
    for r in rows:
        state = r.status + (" (incomplete)" if r.incomplete else "")
        print(f"{r.id:>6}  v{r.version:<3} {state:<20} {r.content_type:<6} {r.author:<12} {r.title}")
    if not rows:
        print("No drafts.", file=sys.stderr)
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from studio import review
    from studio.db import session_scope

    action = args.review_action.replace("-", "_")
    with session_scope(_engine()) as session:
        actor = _actor(session, args.as_user)
        draft = review.transition(
            session, args.draft_id, actor, action,
            expected_version=args.expected_version,
            comment=args.comment or "",
            override_reason=args.override_reason or "",
            manual_review_confirmed=args.manual_review,
        )
        status, version, verdict = draft.status, draft.version, draft.check_verdict
    print(f"Draft {args.draft_id}: {review.STATUS_LABELS[status].lower()} (version {version}, checks: {verdict or '—'}).")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from studio.generation.brief import CONTENT_TYPES, DEFAULT_TEMPERATURE
    from studio import export_cli
    from studio.moderation import cli as moderation_cli

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

    users = sub.add_parser("users", help="manage people").add_subparsers(dest="users_command", required=True)
    p = users.add_parser("add", help="add a person (the first one becomes the admin)")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True, choices=["marketer", "editor", "admin"],
                   help="repeat for several roles")
    p.add_argument("--display-name", default=None)
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.add_argument("--as", dest="as_user", default=None, help="the admin doing this")
    p.set_defaults(func=cmd_users_add)
    p = users.add_parser("disable", help="stop someone signing in (their drafts and history stay)")
    p.add_argument("name")
    p.add_argument("--as", dest="as_user", required=True, help="the admin doing this")
    p.set_defaults(func=cmd_users_disable)

    drafts = sub.add_parser("drafts", help="list drafts").add_subparsers(dest="drafts_command", required=True)
    p = drafts.add_parser("list")
    p.add_argument("--status", choices=["draft", "in_review", "changes_requested", "approved", "rejected", "exported"])
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--as", dest="as_user", default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_drafts_list)

    p = sub.add_parser("review", help="move a draft through the workflow")
    p.add_argument("review_action", choices=["submit", "approve", "reject", "request-changes"])
    p.add_argument("draft_id", type=int)
    p.add_argument("--as", dest="as_user", required=True)
    p.add_argument("--comment", default="")
    p.add_argument("--expected-version", type=int, default=None,
                   help="refuse if the draft changed since you saw this version")
    p.add_argument("--override-reason", default="", help="approve a draft the checks blocked, saying why")
    p.add_argument("--manual-review", action="store_true",
                   help="confirm you reviewed it manually (needed when the checks could not run)")
    p.set_defaults(func=cmd_review)

    moderation_cli.register(sub)
    export_cli.register(sub)
    return parser


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
