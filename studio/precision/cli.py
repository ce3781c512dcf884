"""`python -m studio checks …`: check precision from editors.

    python -m studio checks precision [--json] [--since DATE] [--below 0.5] [--min-decided 3] --as ada
    python -m studio checks dismiss FINDING_ID [--reason TEXT] --as dana
    python -m studio checks allow PHRASE --as ada

``precision`` lists each check rule: its findings editors acted on (applied a suggestion,
edited the words) against those they did not (dismissed, overrode, approved unchanged), lowest
precision first, with examples for the low ones. ``dismiss`` records an editor's dismissal of a
finding of a draft's current text; ``allow`` puts a phrase (or a rule id) on the workspace's
allowed phrases.

Exit status: 0 done; 1 refused (not an admin / editor, an unknown finding); 2 usage.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from studio.cli_support import EXIT_OK, EXIT_USAGE, CliError, actor_for, add_as, bounded_int, open_engine, parse_date
from studio.db import session_scope
from studio.errors import PermissionDenied
from studio.precision import rules
from studio.precision.schemas import PrecisionReport, RulePrecision
from studio.precision.service import allow_phrase, dismiss_finding, rule_precision


def _share(text: str) -> float:
    try:
        value = float(text.strip().rstrip("%")) / (100 if text.strip().endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share such as 0.5 or 50%") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"a share above 0 and at most 1 (or 100%) is needed; got {text}")
    return value


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("checks", help="check precision from editors: per rule, findings acted on or dismissed")
    sub = p.add_subparsers(dest="checks_command", required=True)
    r = sub.add_parser("precision", help="each check rule's findings editors acted on against those they dismissed (admins)")
    r.add_argument("--json", action="store_true", help="print the report as one JSON object")
    r.add_argument("--since", default=None, metavar="DATE", help="only drafts created on or after DATE (YYYY-MM-DD)")
    r.add_argument("--below", type=_share, default=rules.DEFAULT_THRESHOLD, metavar="SHARE",
                   help="a rule is low under this precision (default %(default)s)")
    r.add_argument("--min-decided", type=bounded_int(1, 1_000_000, "a number of findings"),
                   default=rules.DEFAULT_MIN_DECIDED, metavar="N",
                   help="a rule needs this many decided findings to be called low (default %(default)s)")
    r.add_argument("--examples", type=bounded_int(0, 50, "a number of examples"), default=3, metavar="N",
                   help="examples per rule (default %(default)s)")
    r.add_argument("--low", action="store_true", help="only the low-precision rules")
    add_as(r, help="the admin account that reads the report")
    r.set_defaults(func=cmd_precision)

    d = sub.add_parser("dismiss", help="dismiss a finding of a draft's current text (editors)")
    d.add_argument("finding", type=bounded_int(1, what="a finding id"), metavar="FINDING_ID")
    d.add_argument("--reason", default="", help="why the finding is wrong here")
    add_as(d, help="the editor who dismisses it")
    d.set_defaults(func=cmd_dismiss)

    a = sub.add_parser("allow", help="put a phrase (or a rule id) on the workspace's allowed phrases (admins)")
    a.add_argument("phrase")
    add_as(a, help="the admin account that changes the setting")
    a.set_defaults(func=cmd_allow)


def _refused(exc: PermissionDenied, args: argparse.Namespace, who: str) -> CliError:
    hint = "" if args.as_user else f" Use --as NAME with an {who}'s account."
    return CliError(f"{exc}{hint}")


def cmd_precision(args: argparse.Namespace) -> int:
    since = parse_date(args.since, "--since")
    engine = open_engine()
    try:
        with session_scope(engine, read_only=True) as session:
            actor = actor_for(session, args.as_user)
            report = rule_precision(session, actor, since=since, threshold=args.below,
                                    min_decided=args.min_decided, examples=args.examples)  # fmt: skip
    except PermissionDenied as exc:
        raise _refused(exc, args, "admin") from exc
    if args.low:
        report = PrecisionReport(report.low, report.drafts, report.threshold, report.min_decided, report.since)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
    else:
        print(format_report(report))
    return EXIT_OK


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def format_report(report: PrecisionReport) -> str:
    lines = [
        f"Check precision over {report.drafts} draft(s): a rule is low under {report.threshold:.0%} "
        f"with at least {report.min_decided} decided finding(s)."
    ]
    if not report.rules:
        lines.append("No findings to count yet.")
        return "\n".join(lines)
    width = max(len(r.rule) for r in report.rules)
    lines.append(f"{'rule':<{width}}  acted  not acted  undecided  precision  95% interval")
    for r in report.rules:
        low, high = r.interval
        interval = f"{low:.0%}–{high:.0%}" if r.decided else "—"
        flag = "  LOW" if r.low else ""
        lines.append(f"{r.rule:<{width}}  {r.acted:>5}  {r.not_acted:>9}  {r.findings - r.decided:>9}  "
                     f"{_pct(r.precision):>9}  {interval}{flag}")  # fmt: skip
    for r in report.low:
        lines.extend(_examples(r))
    return "\n".join(lines)


def _examples(r: RulePrecision) -> list[str]:
    out = [f"\n{r.rule} ({r.category}: {r.label}): applied {r.suggestion_applied}, edited {r.edited}; "
           f"dismissed {r.dismissed}, overridden {r.overridden}, approved unchanged {r.approved_unchanged}"]  # fmt: skip
    for e in r.examples:
        where = f"draft {e.draft_id} “{e.draft_title}”, revision {e.revision}"
        words = f"“{e.text}” in: {e.context}" if e.text else "(the whole text)"
        if e.allowed:
            hint = " [allowed already]"
        elif e.allowable:
            hint = f" [allow it: python -m studio checks allow {json.dumps(e.text, ensure_ascii=False)} --as ADMIN]"
        else:
            hint = ""
        out.append(f"  - {e.outcome}: {words} ({where}){hint}")
    return out


def cmd_dismiss(args: argparse.Namespace) -> int:
    engine = open_engine()
    try:
        with session_scope(engine) as session:
            actor = actor_for(session, args.as_user)
            done = dismiss_finding(session, actor, args.finding, reason=args.reason)
    except PermissionDenied as exc:
        raise _refused(exc, args, "editor") from exc
    what = f"“{done.text}”" if done.text else "the whole text"
    print(f"Dismissed finding {done.finding_id} ({done.rule}, {what}) on draft {done.draft_id}.")
    return EXIT_OK


def cmd_allow(args: argparse.Namespace) -> int:
    if not args.phrase.strip():
        raise CliError("Give the phrase to allow.", EXIT_USAGE)
    engine = open_engine()
    try:
        with session_scope(engine) as session:
            actor = actor_for(session, args.as_user)
            done = allow_phrase(session, actor, args.phrase)
    except PermissionDenied as exc:
        raise _refused(exc, args, "admin") from exc
    if done.added:
        print(f"“{done.phrase}” is now an allowed phrase ({len(done.allowlist)} in all); the checks let it through from the next check on.")
    else:
        print(f"“{done.phrase}” is an allowed phrase already; nothing was changed.")
    return EXIT_OK
