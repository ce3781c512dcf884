"""``python -m studio sources add|list|show|search``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from studio.cli_support import EXIT_OK, EXIT_USAGE, CliError, actor_for, add_as, open_engine
from studio.db import session_scope
from studio.sources.service import add_source, list_sources, search_passages, source_detail


def register(subparsers: Any) -> None:
    sources = subparsers.add_parser("sources", help="knowledge sources").add_subparsers(dest="sources_command", required=True)
    p = sources.add_parser("add", help="add a file (.md .txt .pdf .docx .html), a web page (http/https) or - for stdin")
    p.add_argument("file_or_url")
    p.add_argument("--title", default=None)
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_add)

    p = sources.add_parser("list", help="the workspace's sources")
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sources.add_parser("show", help="one source's extracted text")
    p.add_argument("source_id", type=int)
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sources.add_parser("search", help="the passages a brief would be given")
    p.add_argument("query")
    p.add_argument("--source", type=int, action="append", default=None, metavar="ID")
    p.add_argument("-k", type=int, default=6)
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)


def cmd_add(args: argparse.Namespace) -> int:
    target = args.file_or_url
    kwargs: dict[str, Any] = {}
    if target.split(":", 1)[0].lower() in ("http", "https", "ftp", "file") and "://" in target:
        kwargs["url"] = target
    elif target == "-":
        kwargs["text"] = sys.stdin.read()
    else:
        path = Path(target)
        try:
            kwargs.update(data=path.read_bytes(), filename=path.name)
        except OSError as exc:
            raise CliError(f"{target}: {exc.strerror or exc}", EXIT_USAGE) from exc
    with session_scope(open_engine()) as session:
        detail = add_source(session, actor_for(session, args.as_user), title=args.title, **kwargs)
    if args.json:
        print(json.dumps(detail.as_dict(), ensure_ascii=False))
    else:
        print(f"Source {detail.id}: {detail.title} ({detail.kind_label.lower()}, {detail.chars:,} characters, "
              f"{len(detail.passages)} passages).")  # fmt: skip
        if detail.note:
            print(f"# {detail.note}", file=sys.stderr)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        rows = list_sources(session, actor_for(session, args.as_user))
    if args.json:
        print(json.dumps([{"id": r.id, "title": r.title, "kind": r.kind, "url": r.url, "chunks": r.chunks,
                           "chars": r.chars, "language": r.language} for r in rows], ensure_ascii=False))  # fmt: skip
        return EXIT_OK
    for r in rows:
        print(f"{r.id:>5}  {r.kind:<6} {r.chunks:>4} passages  {r.title}" + (f"  <{r.url}>" if r.url else ""))
    if not rows:
        print("No sources yet. Add one: python -m studio sources add FILE_OR_URL")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        detail = source_detail(session, args.source_id, actor_for(session, args.as_user))
    if args.json:
        print(json.dumps(detail.as_dict() | {"text": detail.text}, ensure_ascii=False))
    else:
        print(detail.text)
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as session:
        passages = search_passages(session, actor_for(session, args.as_user), args.query, source_ids=args.source, k=args.k)
    if args.json:
        print(json.dumps([p.as_dict() for p in passages], ensure_ascii=False))
        return EXIT_OK
    for p in passages:
        print(f"[{p.label}] {p.title} ({p.how}, {p.score})\n{p.text}\n")
    return EXIT_OK
