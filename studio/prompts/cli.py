"""``python -m studio prompts list|show|add|split|promote|retire|stats``."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import yaml

from studio.cli_support import EXIT_OK, EXIT_USAGE, CliError, actor_for, add_as, bounded_int, open_engine
from studio.db import session_scope
from studio.drafting.brief import CONTENT_TYPES
from studio.prompts import rules, service
from studio.prompts.schemas import Estimate, VersionStats, VersionView

FILE_HELP = (
    "the new version: a text file holding the system prompt (the brief message stays the live "
    "version's), or a .json/.yaml file with 'system' and/or 'human' (and optionally 'label', 'note')"
)


def register(subparsers: Any) -> None:
    prompts = subparsers.add_parser("prompts", help="prompt versions per content type: A/B tests and results")
    sub = prompts.add_subparsers(dest="prompts_command", required=True)
    version = bounded_int(1, what="a version number")

    p = sub.add_parser("list", help="every prompt version, its state and share of new drafts")
    p.add_argument("--type", choices=list(CONTENT_TYPES), default=None)
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="one version with its templates")
    p.add_argument("--type", choices=list(CONTENT_TYPES), required=True)
    p.add_argument("--version", type=version, required=True)
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("add", help="add a version (not in use until split or promoted)")
    p.add_argument("--type", choices=list(CONTENT_TYPES), required=True)
    p.add_argument("--from-file", dest="from_file", required=True, metavar="FILE", help=FILE_HELP)
    p.add_argument("--label", default=None, help="a short name for the version")
    p.add_argument("--note", default=None, help="what changed and why")
    add_as(p, help="an editor or admin")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("split", help="give a version a share of new drafts (A/B); 0 stops its test")
    p.add_argument("--type", choices=list(CONTENT_TYPES), required=True)
    p.add_argument("--version", type=version, required=True)
    p.add_argument("--share", type=_share, required=True, help="from 0 to 1: 0.5 is half of new drafts")
    add_as(p, help="an editor or admin")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_split)

    for name, func, what in (("promote", cmd_promote, "make a version the live one (the default)"),
                             ("retire", cmd_retire, "take a version out of use")):  # fmt: skip
        p = sub.add_parser(name, help=what)
        p.add_argument("--type", choices=list(CONTENT_TYPES), required=True)
        p.add_argument("--version", type=version, required=True)
        add_as(p, help="an editor or admin")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=func)

    p = sub.add_parser("stats", help="each version's outcomes with 95%% intervals")
    p.add_argument("--type", choices=list(CONTENT_TYPES), required=True)
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)


def _share(text: str) -> float:
    try:
        value = float(text.strip().rstrip("%")) / (100 if text.strip().endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share; give a number from 0 to 1 (0.5) or a percentage (50%)") from None
    if math.isnan(value) or not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a share from 0 to 1 is needed; got {text}")
    return value


def read_version_file(raw: str) -> dict[str, str]:
    """The templates (and label, note) a --from-file names; CliError (exit 2) says what is wrong."""
    path = Path(raw)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise CliError(f"--from-file {raw}: {exc.strerror or exc}", EXIT_USAGE) from exc
    except UnicodeDecodeError as exc:
        raise CliError(f"--from-file {raw}: not UTF-8 text (byte {exc.start}); save it as UTF-8.", EXIT_USAGE) from exc
    if path.suffix.lower() not in (".json", ".yaml", ".yml"):
        return {"system": text}
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise CliError(f"--from-file {raw}: not valid {path.suffix[1:].upper()} ({str(exc).splitlines()[0]}).", EXIT_USAGE) from exc
    keys = ("system", "human", "label", "note")
    if not isinstance(data, dict) or not any(k in data for k in ("system", "human")):
        raise CliError(f"--from-file {raw}: expected an object with 'system' and/or 'human' text.", EXIT_USAGE)
    extra = [k for k in data if k not in keys]
    if extra:
        raise CliError(f"--from-file {raw}: unknown key(s) {', '.join(map(str, extra))}; use {', '.join(keys)}.", EXIT_USAGE)
    bad = [k for k in keys if k in data and not isinstance(data[k], str)]
    if bad:
        raise CliError(f"--from-file {raw}: {', '.join(bad)} must be text.", EXIT_USAGE)
    return {k: data[k] for k in keys if k in data}


def _line(v: VersionView) -> str:
    share = f"{v.share:.0%} of new drafts" if v.share else "no new drafts"
    label = f"  {v.label}" if v.label else ""
    return f"{v.content_type:<6} v{v.number:<3} {v.status_label:<15} {share:<20} {v.drafts:>5} draft(s){label}"


def _print(v: VersionView, as_json: bool, *, text: bool = False) -> None:
    if as_json:
        print(json.dumps(v.as_dict(text=text), ensure_ascii=False))
        return
    print(_line(v))
    if text:
        print(f"\n--- system ---\n{v.system}\n\n--- brief message ---\n{v.human}")


def cmd_list(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        views = service.list_versions(session, actor_for(session, args.as_user), args.type)
    if args.json:
        print(json.dumps([v.as_dict() for v in views], ensure_ascii=False))
        return EXIT_OK
    for v in views:
        print(_line(v))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        view = service.get_version(session, actor_for(session, args.as_user), args.type, args.version)
    _print(view, args.json, text=True)
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    given = read_version_file(args.from_file)
    label = args.label if args.label is not None else given.get("label", "")
    note = args.note if args.note is not None else given.get("note", "")
    with session_scope(open_engine()) as session:
        view = service.add_version(session, actor_for(session, args.as_user), args.type, system=given.get("system"),
                                   human=given.get("human"), label=label, note=note)  # fmt: skip
    if args.json:
        _print(view, True)
        return EXIT_OK
    print(f"Added version {view.number} of the {args.type} prompt (not in use yet).")
    unused = rules.unused_placeholders(view.system, view.human)
    if unused:
        print("Note: it does not use " + ", ".join("{" + u + "}" for u in unused) + ", so that part of the brief "
              "does not reach the model.")  # fmt: skip
    print(f"Test it on a share of new drafts: python -m studio prompts split --type {args.type} "
          f"--version {view.number} --share 0.5 --as NAME")  # fmt: skip
    return EXIT_OK


def cmd_split(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        view = service.split(session, actor_for(session, args.as_user), args.type, args.version, args.share)
        views = service.list_versions(session, actor_for(session, args.as_user), args.type)
    if args.json:
        _print(view, True)
        return EXIT_OK
    for v in views:
        if v.share:
            print(_line(v))
    return EXIT_OK


def _done(args: argparse.Namespace, fn: Any, said: str) -> int:
    with session_scope(open_engine()) as session:
        view = fn(session, actor_for(session, args.as_user), args.type, args.version)
    if args.json:
        _print(view, True)
    else:
        print(said.format(n=view.number, t=args.type))
    return EXIT_OK


def cmd_promote(args: argparse.Namespace) -> int:
    return _done(args, service.promote, "Version {n} is now the live {t} prompt; versions under test keep their shares.")


def cmd_retire(args: argparse.Namespace) -> int:
    return _done(args, service.retire, "Version {n} of the {t} prompt is retired; its drafts and figures stay.")


def _fmt(e: Estimate, unit: str = "", pct: bool = False) -> str:
    return e.text(unit, percent=pct) + (f" n={e.n}" if e.value is not None else "")


def _print_stats(s: VersionStats) -> None:
    v = s.version
    print(f"{v.content_type} v{v.number} ({v.status_label}{', ' + v.label if v.label else ''}): {s.drafts} draft(s), "
          f"{s.approved} approved, {s.rejected} rejected, {s.pending} undecided")  # fmt: skip
    print(f"  approval rate            {_fmt(s.approval_rate, pct=True)}")
    print(f"  median edit distance     {_fmt(s.edit_distance, ' words')}")
    print(f"  findings per 1,000 words {_fmt(s.findings_per_1000_words)} ({s.findings} in {s.words:,} words)")
    print(f"  median time to approval  {_fmt(s.hours_to_approval, ' h')}")


def cmd_stats(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        found = service.stats(session, actor_for(session, args.as_user), args.type)
    if args.json:
        print(json.dumps([s.as_dict() for s in found], ensure_ascii=False))
        return EXIT_OK
    for s in found:
        _print_stats(s)
    print("Intervals are 95%. Edit distance: words changed from the generated text to the approved one.")
    return EXIT_OK
