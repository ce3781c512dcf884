"""``python -m studio images show|suggest|edit|rank|choose|status``.

`rank DRAFT_ID DIR --json` prints a list of ``{"file", "score"}``, best first; files that are not
readable images are named on stderr. Exit 1 with the reason when nothing can be ranked (no
images in DIR, CLIP not installed).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from studio.cli_support import EXIT_OK, EXIT_REFUSED, CliError, actor_for, add_as, bounded_int, open_engine
from studio.config import get_settings
from studio.db import session_scope
from studio.images import clip, service
from studio.images.schemas import ImageSlotView
from studio.images.slots import HERO


def register(subparsers: Any) -> None:
    images = subparsers.add_parser("images", help="image prompts, alt text and CLIP-ranked images per draft")
    sub = images.add_subparsers(dest="images_command", required=True)
    draft = bounded_int(what="a draft id")

    p = sub.add_parser("show", help="a draft's image slots: prompt, alt text, chosen image")
    p.add_argument("draft_id", type=draft, metavar="DRAFT_ID")
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("suggest", help="the model writes an image prompt and alt text for the hero and each section")
    p.add_argument("draft_id", type=draft, metavar="DRAFT_ID")
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_suggest)

    p = sub.add_parser("edit", help="set a slot's image prompt and/or alt text")
    p.add_argument("draft_id", type=draft, metavar="DRAFT_ID")
    p.add_argument("--slot", default=HERO, help="hero (default) or section-N")
    p.add_argument("--prompt", default=None)
    p.add_argument("--alt", default=None, help="the alt text")
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("rank", help="rank the images in a folder against a slot's heading with CLIP")
    p.add_argument("draft_id", type=draft, metavar="DRAFT_ID")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--slot", default=HERO, help="hero (default: against the headline) or section-N")
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rank)

    p = sub.add_parser("choose", help="choose a slot's image (the hero's is the export's featured image)")
    p.add_argument("draft_id", type=draft, metavar="DRAFT_ID")
    p.add_argument("file", metavar="FILE", help="the image file, or '' with --url")
    p.add_argument("--slot", default=HERO)
    p.add_argument("--url", default="", help="the address the CMS fetches it from (https://…)")
    p.add_argument("--alt", default=None, help="its alt text (default: the slot's)")
    add_as(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_choose)

    p = sub.add_parser("status", help="whether the CLIP model is installed (and loads, with --load)")
    p.add_argument("--load", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)


def _print_views(views: list[ImageSlotView], as_json: bool) -> None:
    if as_json:
        print(json.dumps([v.to_dict() for v in views], ensure_ascii=False))
        return
    for v in views:
        print(f"{v.label}" + ("" if v.in_text else " (no longer in the text)"))
        print(f"  prompt: {v.prompt or '—'}")
        print(f"  alt:    {v.alt_text or '—'}")
        if v.chosen_url:
            print(f"  image:  {v.chosen_url}" + (f" (score {v.score:.3f})" if v.score is not None else ""))


def cmd_show(args: argparse.Namespace) -> int:
    with session_scope(open_engine(), read_only=True) as s:
        views = service.list_images(s, args.draft_id, actor_for(s, args.as_user))
    _print_views(views, args.json)
    return EXIT_OK


def cmd_suggest(args: argparse.Namespace) -> int:
    engine = open_engine()
    with session_scope(engine, read_only=True) as s:
        actor_id = actor_for(s, args.as_user).id
    views, note = service.suggest_images(engine, args.draft_id, actor_id)
    if note:
        print(note, file=sys.stderr)
    _print_views(views, args.json)
    return EXIT_OK


def cmd_edit(args: argparse.Namespace) -> int:
    if args.prompt is None and args.alt is None:
        raise CliError("Nothing to change: give --prompt and/or --alt.", code=2)
    with session_scope(open_engine()) as s:
        view = service.edit_image(s, args.draft_id, actor_for(s, args.as_user), args.slot,
                                  prompt=args.prompt, alt_text=args.alt)  # fmt: skip
    _print_views([view], args.json)
    return EXIT_OK


def cmd_rank(args: argparse.Namespace) -> int:
    with session_scope(open_engine(), read_only=True) as s:
        texts = service.rank_texts(s, args.draft_id, actor_for(s, args.as_user), args.slot)
    files = service.candidate_files(args.folder)
    ranked = service.rank(texts, files)
    for line in ranked.skipped:
        print(f"skipped: {line}", file=sys.stderr)
    if not ranked.files:
        raise CliError(f"None of the {len(files)} file(s) in {args.folder} could be read as an image.")
    if args.json:
        print(json.dumps(ranked.to_list(), ensure_ascii=False))
    else:
        for f, score in ranked.files:
            print(f"{score:+.4f}  {f}")
    return EXIT_OK


def cmd_choose(args: argparse.Namespace) -> int:
    with session_scope(open_engine()) as s:
        view = service.choose_image(s, args.draft_id, actor_for(s, args.as_user), args.slot, args.file,
                                    url=args.url, alt_text=args.alt)  # fmt: skip
    _print_views([view], args.json)
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    st = clip.status(get_settings(), load_model=args.load)
    if args.json:
        print(json.dumps(st.to_dict()))
    else:
        print(f"CLIP: {st.status}" + (f" ({st.model_dir})" if st.model_dir else "") + f"; {st.reason}")
    return EXIT_OK if st.status == "installed" else EXIT_REFUSED
