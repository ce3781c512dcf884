"""Check precision over the studio's record: the report (admins), dismissing a finding (editors),
and putting a phrase on the workspace allowlist (admins).

The record read: every draft's revisions in order (their text and why each was made), the last
check report of each revision with its findings, and the audit trail's approvals
(``review.approve``, with the override reason when the checks blocked) and dismissals
(``finding.dismissed``, written by `dismiss_finding`). `rules.trace` decides what became of
each finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize
from studio.audit.service import record
from studio.checks.service import latest_report
from studio.drafting.service import get_draft
from studio.errors import InputError, NotFound
from studio.models import AuditEvent, CheckReport, Draft, Finding, Revision
from studio.precision import rules
from studio.precision.schemas import Allowed, Dismissal, Example, PrecisionReport, RulePrecision
from studio.workspace.rules import parse_terms
from studio.workspace.service import effective_settings, set_setting

PERMISSION = "checks.precision"
DISMISS_PERMISSION = "checks.dismiss_finding"
DISMISSED = "finding.dismissed"
APPROVED = "review.approve"
ALLOWLIST = "studio_allowlist"
BATCH = 200  # drafts read at once


def rule_precision(
    session: Session,
    actor: Any,
    *,
    since: date | datetime | None = None,
    threshold: float = rules.DEFAULT_THRESHOLD,
    min_decided: int = rules.DEFAULT_MIN_DECIDED,
    examples: int = 3,
) -> PrecisionReport:
    """Each check rule's findings and what editors did with them; ``since``: drafts created on or
    after that day. Admins only."""
    authorize(session, actor, PERMISSION)
    if not 0 < threshold <= 1:
        raise InputError("The precision threshold is a share between 0 and 1, e.g. 0.5.")
    allowed = {p.casefold() for p in effective_settings(session).studio_allowlist or []}
    stmt = select(Draft.id, Draft.title).order_by(Draft.id)
    if since is not None:
        stmt = stmt.where(Draft.created_at >= _start(since))
    drafts = list(session.execute(stmt))
    titles = {d.id: d.title for d in drafts}
    by_rule: dict[str, list[rules.Traced]] = defaultdict(list)
    for chunk in _chunks([d.id for d in drafts], BATCH):
        for traced in _trace(session, chunk):
            by_rule[traced.rule].append(traced)
    out = [_rule(rule, items, titles, allowed, threshold, min_decided, examples) for rule, items in by_rule.items()]
    out.sort(key=lambda r: (r.precision is None, r.precision if r.precision is not None else 0.0, -r.decided, r.rule))
    return PrecisionReport(tuple(out), len(drafts), threshold, min_decided, since)


def dismiss_finding(session: Session, actor: Any, finding_id: int, *, reason: str = "") -> Dismissal:
    """An editor says a finding of the draft's current text is wrong; the audit trail keeps it
    (``finding.dismissed``) and the precision report counts it against its rule."""
    actor = authorize(session, actor, DISMISS_PERMISSION)
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound(f"There is no finding {finding_id}.")
    revision = session.get(Revision, finding.report.revision_id)
    draft = get_draft(session, revision.draft_id, actor)
    report = latest_report(session, revision.id)
    if draft.current_revision_id != revision.id or report is None or report.id != finding.report_id:
        raise InputError("That finding belongs to an older revision; reload to see the current one.")
    reason = " ".join((reason or "").split())
    if len(reason) > 500:
        raise InputError(f"The reason is {len(reason)} characters; it may have 500.")
    rule = rules.rule_key(_row(finding))
    if finding_id in dismissed_findings(session, draft.id):
        raise InputError("That finding is dismissed already.")
    record(session, actor, DISMISSED, draft_id=draft.id, comment=reason,
           data={"finding": finding.id, "rule": rule, "text": finding.text, "revision": revision.number})  # fmt: skip
    return Dismissal(finding.id, draft.id, rule, finding.text)


def draft_dismissals(session: Session, draft_id: int, actor: Any) -> set[int]:
    """The ids of the findings editors dismissed on a draft the person may open."""
    get_draft(session, draft_id, actor)
    return dismissed_findings(session, draft_id)


def dismissed_findings(session: Session, draft_id: int) -> set[int]:
    """The ids of the draft's findings editors dismissed."""
    rows = session.scalars(select(AuditEvent.data).where(AuditEvent.draft_id == draft_id, AuditEvent.action == DISMISSED))
    return {int(d["finding"]) for d in rows if isinstance(d, dict) and d.get("finding") is not None}


def allow_phrase(session: Session, actor: Any, phrase: str) -> Allowed:
    """Put ``phrase`` (or a rule id) on the workspace's allowed phrases, so the checks let it
    through from the next check on. Admins (the setting's own permission); audited as a setting change."""
    actor = authorize(session, actor, "settings.manage")
    [clean] = parse_terms([phrase], what="phrase") or [""]
    if not clean:
        raise InputError("Give the phrase to allow.")
    current = list(effective_settings(session).studio_allowlist or [])
    if clean.casefold() in {p.casefold() for p in current}:
        return Allowed(clean, False, tuple(current))
    view = set_setting(session, actor, ALLOWLIST, [*current, clean])
    return Allowed(clean, True, tuple(view.value))


def _start(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=timezone.utc)
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def _row(f: Any) -> rules.FindingRow:
    return rules.FindingRow(f.id, f.rule or "", f.category, f.label, f.severity, f.start, f.end, f.text or "")


def _trace(session: Session, draft_ids: list[int]) -> list[rules.Traced]:
    revisions = session.execute(
        select(Revision.id, Revision.draft_id, Revision.number, Revision.body, Revision.reason, Revision.created_at)
        .where(Revision.draft_id.in_(draft_ids))
        .order_by(Revision.draft_id, Revision.number)
    ).all()
    latest = dict(session.execute(
        select(CheckReport.revision_id, func.max(CheckReport.id))
        .join(Revision, Revision.id == CheckReport.revision_id)
        .where(Revision.draft_id.in_(draft_ids))
        .group_by(CheckReport.revision_id)
    ).all())  # fmt: skip
    findings: dict[int, list[rules.FindingRow]] = defaultdict(list)
    if latest:
        for f in session.execute(
            select(Finding.id, Finding.report_id, Finding.rule, Finding.category, Finding.label, Finding.severity,
                   Finding.start, Finding.end, Finding.text)
            # The body's findings: a publishing field's offsets are in that field's value, which
            # revisions do not keep (a field's precision is not traced).
            .where(Finding.report_id.in_(latest.values()), Finding.field == "body").order_by(Finding.id)
        ):  # fmt: skip
            findings[f.report_id].append(_row(f))
    decisions: dict[int, list[rules.Decision]] = defaultdict(list)
    for draft_id, action, at, data in session.execute(
        select(AuditEvent.draft_id, AuditEvent.action, AuditEvent.created_at, AuditEvent.data)
        .where(AuditEvent.draft_id.in_(draft_ids), AuditEvent.action.in_((APPROVED, DISMISSED)))
    ):
        data = data if isinstance(data, dict) else {}
        if action == APPROVED:
            decisions[draft_id].append(rules.Decision(at, "approve", override=bool(data.get("override_reason"))))
        elif data.get("finding") is not None:
            decisions[draft_id].append(rules.Decision(at, "dismiss", finding=int(data["finding"])))
    per_draft: dict[int, list[rules.RevisionRow]] = defaultdict(list)
    for rev_id, draft_id, number, body, reason, created_at in revisions:
        report = latest.get(rev_id)
        rows = tuple(findings.get(report, ())) if report is not None else None
        per_draft[draft_id].append(rules.RevisionRow(number, body or "", reason or "", created_at, rows))
    out: list[rules.Traced] = []
    for draft_id, revs in per_draft.items():
        out.extend(rules.trace(draft_id, revs, decisions.get(draft_id, ())))
    return out


def _rule(
    rule: str, items: list[rules.Traced], titles: dict[int, str], allowed: set[str],
    threshold: float, min_decided: int, examples: int,
) -> RulePrecision:  # fmt: skip
    counts = {o: sum(1 for t in items if t.outcome == o) for o in (*rules.ACTED, *rules.NOT_ACTED)}
    acted = counts[rules.SUGGESTION_APPLIED] + counts[rules.EDITED]
    decided = acted + sum(counts[o] for o in rules.NOT_ACTED)
    first = items[0].first
    return RulePrecision(
        rule=rule, category=first.category, label=first.label, findings=len(items),
        suggestion_applied=counts[rules.SUGGESTION_APPLIED], edited=counts[rules.EDITED],
        dismissed=counts[rules.DISMISSED], approved_unchanged=counts[rules.APPROVED_UNCHANGED],
        overridden=counts[rules.OVERRIDDEN],
        precision=acted / decided if decided else None, interval=rules.wilson(acted, decided),
        low=rules.is_low(acted, decided, threshold, min_decided),
        examples=_examples(items, titles, allowed, examples),
    )  # fmt: skip


def _examples(items: list[rules.Traced], titles: dict[int, str], allowed: set[str], limit: int) -> tuple[Example, ...]:
    """Findings editors did not act on, one per phrase, the most repeated phrases first."""
    seen: dict[str, list[rules.Traced]] = defaultdict(list)
    for t in items:
        if t.outcome in rules.NOT_ACTED:
            seen[" ".join(t.first.text.split()).casefold()].append(t)
    ranked = sorted(seen.values(), key=lambda ts: (-len(ts), ts[-1].draft_id))
    out = []
    for ts in ranked[: max(0, limit)]:
        t = ts[-1]  # the latest draft
        text = " ".join(t.first.text.split())
        out.append(Example(
            draft_id=t.draft_id, draft_title=titles.get(t.draft_id, ""), revision=t.revision, text=text,
            context=t.context, outcome=rules.OUTCOME_LABELS[t.outcome or ""],
            allowable=bool(text) and rules.allowable(t.first.category), allowed=text.casefold() in allowed,
        ))  # fmt: skip
    return tuple(out)
