"""``python -m studio voices add|list|show``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from studio.cli_support import EXIT_OK, EXIT_USAGE, CliError, actor_for, add_as, open_engine
from studio.db import session_scope
from studio.languages.catalog import LANGUAGES_BY_CODE
from studio.sources.extract import ExtractionError, extract
from studio.voices.schemas import Sample
from studio.voices.service import create_voice, find_voice, list_voices


def register(subparsers: Any) -> None:
    voices = subparsers.add_parser("voices", help="brand voices").add_subparsers(dest="voices_command", required=True)
    p = voices.add_parser("add", help="make a brand voice from 3–10 sample texts (.txt, .md, .docx, .html)")
    p.add_argument("name")
    p.add_argument("--sample", action="append", required=True, metavar="FILE", help="a sample text (repeat 3–10 times)")
    p.add_argument("--language", choices=sorted(LANGUAGES_BY_CODE), default=None, help="default: detected from the samples")
    p.add_argument("--avoid", action="append", default=[], metavar="TERM", help="a word or phrase the voice never uses")
    p.add_argument("--prefer", action="append", default=[], metavar="OLD=NEW", help='e.g. "users=customers"')
    p.add_argument("--keep", action="append", default=[], metavar="TERM", help="a term never translated")
    p.add_argument("--description", default=None, help="instead of the one the model writes")
    p.add_argument("--default", action="store_true", help="make it the workspace's default voice")
    add_as(p, help="an editor or admin")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_add)

    p = voices.add_parser("list", help="the workspace's voices")
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = voices.add_parser("show", help="one voice: description, rules, profile, excerpts")
    p.add_argument("name")
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)


def _samples(paths: list[str]) -> list[Sample]:
    out = []
    for raw in paths:
        path = Path(raw)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CliError(f"--sample {raw}: {exc.strerror or exc}", EXIT_USAGE) from exc
        try:
            out.append(Sample(path.name, extract(data, filename=path.name).text))
        except ExtractionError as exc:
            raise CliError(f"--sample {raw}: {exc}", EXIT_USAGE) from exc
    return out


def _prefer(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise CliError(f'--prefer {item!r}: write it as OLD=NEW, e.g. "users=customers".', EXIT_USAGE)
        out[old.strip()] = new.strip()
    return out


def _print(detail: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(detail.as_dict(), ensure_ascii=False))
        return
    print(f"{detail.name} (voice {detail.id}, version {detail.version}{', default' if detail.is_default else ''})")
    print(f"\n{detail.description}\n")
    for key, value in detail.rules.items():
        if value not in (None, [], {}, ""):
            print(f"  {key}: {value}")
    for excerpt in detail.excerpts:
        print(f"  « {excerpt} »")
    if detail.note:
        print(f"\n# {detail.note}")


def cmd_add(args: argparse.Namespace) -> int:
    samples = _samples(args.sample)
    rules = {"avoid": args.avoid, "prefer": _prefer(args.prefer), "keep": args.keep}
    with session_scope(open_engine()) as session:
        detail = create_voice(
            session, actor_for(session, args.as_user), args.name, samples, language=args.language, rules=rules,
            description=args.description, make_default=args.default,
        )  # fmt: skip
    _print(detail, args.json)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        rows = list_voices(session, actor_for(session, args.as_user))
    if args.json:
        print(json.dumps([{"id": r.id, "name": r.name, "language": r.language, "default": r.is_default,
                           "version": r.version, "samples": r.samples} for r in rows], ensure_ascii=False))  # fmt: skip
        return EXIT_OK
    for r in rows:
        print(f"{r.id:>4}  v{r.version:<3} {r.language:<6} {'default' if r.is_default else '':<8} {r.name}")
    if not rows:
        print("No brand voices yet. Add one: python -m studio voices add NAME --sample FILE …")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        detail = find_voice(session, actor_for(session, args.as_user), args.name)
    _print(detail, args.json)
    return EXIT_OK
