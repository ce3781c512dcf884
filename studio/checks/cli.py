"""``python -m studio check`` and ``models fetch|status``, registered by `studio/cli.py`.

Exit status of `check`: 0 whatever the verdict, unless ``--fail-on`` is given: then 1 when the
verdict is at least that bad (``unavailable`` counts as failing for both, fail closed); 2 for
usage or input errors.
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys

from studio.checks.fetch import FetchError, air_gap_instructions, fetch
from studio.checks.pipeline import backend_statuses, check
from studio.checks.policy import policy_markdown, policy_rows
from studio.cli_support import bounded_int
from studio.config import get_settings
from studio.images.clip import fetch_clip

FAILING = {"warn": {"warn", "block", "unavailable"}, "block": {"block", "unavailable"}}


def register(subparsers) -> None:
    p = subparsers.add_parser("check", help="run the moderation and bias check on a file or stdin")
    p.add_argument("path", metavar="PATH|-", help="text or Markdown file, or - for stdin")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--fail-on", choices=("warn", "block"), default=None,
                   help="exit 1 when the verdict is at least this bad (unavailable always counts)")
    p.add_argument("--words", type=bounded_int(1, 100_000, "a number of words"), default=None, metavar="N",
                   help="target length in words")
    p.set_defaults(func=cmd_check)

    pol = subparsers.add_parser("policy", help="print the verdict policy table (what blocks, warns or is a note)")
    pol.add_argument("--json", action="store_true", help="one JSON list of rows instead of Markdown")
    pol.set_defaults(func=cmd_policy)

    m = subparsers.add_parser("models", help="toxicity model files (Detoxify)")
    msub = m.add_subparsers(dest="models_command", required=True)
    f = msub.add_parser("fetch", help="download and verify the Detoxify checkpoint and tokenizer")
    f.add_argument("--model", default=None,
                   help="original, unbiased, multilingual, original-small or unbiased-small "
                        "(default: STUDIO_TOXICITY_MODEL)")
    f.add_argument("--no-tokenizer", action="store_true", help="only the checkpoint")
    f.add_argument("--clip", action="store_true",
                   help="instead: the CLIP model that ranks images (STUDIO_CLIP_MODEL), into the Hugging Face cache")
    f.set_defaults(func=cmd_models_fetch)
    s = msub.add_parser("status", help="which toxicity backend a check would use, and why")
    s.add_argument("--load", action="store_true", help="also load the model to prove it works")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_models_status)


def _settings():
    return get_settings()


def format_report(report, text: str) -> str:
    lines = [f"verdict: {report.verdict}"]
    for b in report.backends:
        lines.append(f"  backend {b.name:<18} {b.status:<11} {b.reason}")
    counts = {k: v for k, v in report.counts().items() if v}
    lines.append("findings: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none"))
    for f in report.findings:
        where = f"{f.start}-{f.end}" if f.end > f.start else "document"
        score = f" score={f.score:.2f}" if f.score is not None else ""
        snippet = f.text if len(f.text) <= 70 else f.text[:67] + "..."
        lines.append(f"  [{f.severity}] {f.category}/{f.label} {where}{score} {snippet!r} ({f.rule})")
        if f.advice and not f.suggestions:
            lines.append(f"      instead: {f.advice}")
        if f.suggestions:
            lines.append(f"      suggest: {', '.join(f.suggestions)}")
        if f.note:
            lines.append(f"      why: {f.note}")
    fre = report.signals.get("flesch_reading_ease")
    if fre is not None:
        lines.append(f"readability (Flesch reading ease): {fre}")
    gc = report.signals.get("gender_coded")
    if gc:
        lines.append(f"gender-coded wording (tone): {gc['coding']} ({gc['masculine_count']} masculine, {gc['feminine_count']} feminine)")
    if report.acknowledgements:
        lines.append("approving needs: --acknowledge " + " ".join(report.acknowledgements))
    return "\n".join(lines)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)  # fmt: skip


def decode_input(data: bytes, name: str) -> str:
    """The text of ``data``, decoded strictly: UTF-8, or UTF-16/32 announced by a byte-order
    mark. Anything else (stray bytes, NUL characters as in UTF-16 without a mark) is refused
    with a sentence: a check must never pass text it could not read."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ValueError(f"{name} starts like {encoding.upper()} text but is not valid {encoding.upper()} "
                                 f"(byte {exc.start}); save it as UTF-8 and check again.") from None  # fmt: skip
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start} cannot start "
            "a UTF-8 character); save it as UTF-8 and check again."
        ) from None
    if "\x00" in text:
        raise ValueError(
            f"{name} contains NUL characters: it looks like UTF-16 without a byte-order mark, or a binary "
            "file. Save it as UTF-8 and check again."
        )
    return text


def cmd_check(args: argparse.Namespace) -> int:
    name = "standard input" if args.path == "-" else args.path
    try:
        if args.path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.path, "rb") as fh:
                data = fh.read()
        text = decode_input(data, name)
    except OSError as exc:
        print(f"check: cannot read {args.path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"check: {exc}", file=sys.stderr)
        return 2
    report = check(text, _settings(), target_words=args.words)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(format_report(report, text))
    if args.fail_on and report.verdict in FAILING[args.fail_on]:
        return 1
    return 0


def cmd_policy(args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps(policy_rows(_settings()), ensure_ascii=False))
    else:
        print(policy_markdown(_settings()), end="")
    return 0


def cmd_models_fetch(args: argparse.Namespace) -> int:
    settings = _settings()
    if args.clip:
        return _fetch_clip(settings)
    model = args.model or settings.studio_toxicity_model
    try:
        res = fetch(model, with_tokenizer=not args.no_tokenizer)
    except FetchError as exc:
        print(f"models fetch: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # network errors and the like
        print(f"models fetch: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"checkpoint: {res.checkpoint}")
    if res.config_dir:
        print(f"config/tokenizer: {res.config_dir}")
    print(air_gap_instructions(model))
    return 0


def _fetch_clip(settings) -> int:
    try:
        where = fetch_clip(settings)
    except Exception as exc:  # network errors and the like
        print(f"models fetch: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"CLIP model: {where}")
    print("Check it with: python -m studio images status --load")
    return 0


def cmd_models_status(args: argparse.Namespace) -> int:
    statuses = backend_statuses(_settings(), load=args.load)
    if args.json:
        print(json.dumps([b.to_dict() for b in statuses]))
    else:
        for b in statuses:
            print(f"{b.name:<18} {b.tier:<9} {b.status:<11} {b.reason}")
    return 0
