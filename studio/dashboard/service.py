"""The dashboard's data: one table per chart, filtered by period, content type, voice and model.

Drafts by status are replayed from the audit trail (the status each draft had at the end of
each day); approvals and overrides come from review events; findings from the check reports of
the period; cost from the usage records; batch throughput from the rows' end times.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize
from studio.dashboard.schemas import Dashboard, Filters
from studio.checks.report import SEVERITY_LABELS
from studio.drafting.brief import CONTENT_TYPES
from studio.models import AuditEvent, Batch, BatchRow, CheckReport, Draft, Finding, Generation, Revision, UsageRecord, User
from studio.review.rules import DraftStatus
from studio.usage.context import FEATURE_LABELS
from studio.voices.service import voice_condition, voice_options

MAX_DAYS = 366


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _draft_filter(stmt: Any, f: Filters) -> Any:
    if f.content_types:
        stmt = stmt.where(Draft.content_type.in_(f.content_types))
    if f.voices:
        stmt = stmt.where(voice_condition(f.voices))
    if f.models:
        stmt = stmt.where(exists().where(Generation.draft_id == Draft.id, Generation.model.in_(f.models)))
    return stmt


def options(session: Session) -> dict[str, Any]:
    """What the filters offer; "voices" is key → label (brand voices, then preset tones)."""
    models = sorted(set(session.scalars(select(Generation.model).distinct())) | set(session.scalars(select(UsageRecord.model).distinct())))
    return {"content_types": list(CONTENT_TYPES), "voices": voice_options(session), "models": models}


def drafts_by_status(session: Session, f: Filters) -> pd.DataFrame:
    ids_stmt = _draft_filter(select(Draft.id, Draft.created_at, Draft.status).where(Draft.created_at < f.until), f)
    drafts = session.execute(ids_stmt).all()
    if not drafts:
        return pd.DataFrame(columns=["day", "status", "drafts"])
    ids = [d.id for d in drafts]
    events: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for draft_id, at, to in session.execute(
            select(AuditEvent.draft_id, AuditEvent.created_at, AuditEvent.to_status)
            .where(AuditEvent.draft_id.in_(chunk), AuditEvent.to_status.is_not(None), AuditEvent.created_at < f.until)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        ):
            events[draft_id].append((at, to))
    days = [f.start + timedelta(days=i) for i in range((f.end - f.start).days + 1)]
    ends = [datetime.combine(d + timedelta(days=1), datetime.min.time(), tzinfo=f.since.tzinfo) for d in days]
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for d in drafts:
        timeline = [(d.created_at, DraftStatus.DRAFT.value), *events.get(d.id, [])]
        i, status = 0, None
        for day, end in zip(days, ends):
            while i < len(timeline) and timeline[i][0] < end:
                status = timeline[i][1]
                i += 1
            if status is not None:
                counts[(day, status)] += 1
    rows = [{"day": day, "status": DraftStatus(s).label, "drafts": n} for (day, s), n in sorted(counts.items())]
    return pd.DataFrame(rows, columns=["day", "status", "drafts"])


def approvals(session: Session, f: Filters) -> pd.DataFrame:
    """Per week: decisions, approvals, approval rate, median hours from first submission."""
    stmt = _draft_filter(
        select(AuditEvent.draft_id, AuditEvent.action, AuditEvent.created_at)
        .join(Draft, Draft.id == AuditEvent.draft_id)
        .where(AuditEvent.action.in_(["review.submit", "review.approve", "review.reject", "review.request_changes"]),
               AuditEvent.created_at < f.until)
        .order_by(AuditEvent.created_at), f)  # fmt: skip
    first_submit: dict[int, datetime] = {}
    weeks: dict[date, dict[str, Any]] = {}
    for draft_id, action, at in session.execute(stmt):
        if action == "review.submit":
            first_submit.setdefault(draft_id, at)
            continue
        if at < f.since:
            continue
        w = weeks.setdefault(_week(at.date()), {"decisions": 0, "approved": 0, "rejected": 0, "changes_requested": 0, "hours": []})
        w["decisions"] += 1
        if action == "review.approve":
            w["approved"] += 1
            if draft_id in first_submit:
                w["hours"].append((at - first_submit[draft_id]).total_seconds() / 3600)
        elif action == "review.reject":
            w["rejected"] += 1
        else:
            w["changes_requested"] += 1
    rows = []
    for week, w in sorted(weeks.items()):
        hours = sorted(w["hours"])
        median = (hours[len(hours) // 2] if len(hours) % 2 else (hours[len(hours) // 2 - 1] + hours[len(hours) // 2]) / 2) if hours else None
        rows.append({"week": week, "decisions": w["decisions"], "approved": w["approved"], "rejected": w["rejected"],
                     "changes_requested": w["changes_requested"], "approval_rate": round(w["approved"] / w["decisions"], 4),
                     "median_hours_to_approval": round(median, 2) if median is not None else None})  # fmt: skip
    return pd.DataFrame(rows, columns=["week", "decisions", "approved", "rejected", "changes_requested", "approval_rate",
                                       "median_hours_to_approval"])  # fmt: skip


def findings(session: Session, f: Filters) -> pd.DataFrame:
    stmt = _draft_filter(
        select(Finding.category, Finding.severity)
        .join(CheckReport, CheckReport.id == Finding.report_id)
        .join(Revision, Revision.id == CheckReport.revision_id)
        .join(Draft, Draft.id == Revision.draft_id)
        .where(CheckReport.created_at >= f.since, CheckReport.created_at < f.until), f)  # fmt: skip
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for category, severity in session.execute(stmt):
        counts[(category, severity)] += 1
    return pd.DataFrame([{"category": c, "severity": SEVERITY_LABELS.get(s, s), "findings": n}
                         for (c, s), n in sorted(counts.items())],
                        columns=["category", "severity", "findings"])  # fmt: skip


def overrides(session: Session, f: Filters) -> pd.DataFrame:
    """Approvals of blocked drafts (with the editor's reason) and of drafts reviewed by hand."""
    stmt = _draft_filter(
        select(AuditEvent.created_at, AuditEvent.data, User.name, AuditEvent.draft_id)
        .join(Draft, Draft.id == AuditEvent.draft_id).join(User, User.id == AuditEvent.actor_id, isouter=True)
        .where(AuditEvent.action == "review.approve", AuditEvent.created_at >= f.since, AuditEvent.created_at < f.until), f)  # fmt: skip
    rows = []
    for at, data, editor, draft_id in session.execute(stmt):
        data = data or {}
        if data.get("override_reason"):
            kind, reason = "blocking check overridden", data["override_reason"]
        elif data.get("manual_review"):
            kind, reason = "checks unavailable: reviewed by hand", ""
        else:
            continue
        rows.append({"week": _week(at.date()), "draft": draft_id, "editor": editor or "", "kind": kind, "reason": reason})
    return pd.DataFrame(rows, columns=["week", "draft", "editor", "kind", "reason"])


def cost(session: Session, f: Filters) -> pd.DataFrame:
    stmt = (select(UsageRecord.created_at, User.name, UsageRecord.model, UsageRecord.feature, UsageRecord.prompt_tokens,
                   UsageRecord.completion_tokens, UsageRecord.cost, UsageRecord.tokens_source)
            .join(User, User.id == UsageRecord.person_id, isouter=True)
            .where(UsageRecord.created_at >= f.since, UsageRecord.created_at < f.until))  # fmt: skip
    if f.models:
        stmt = stmt.where(UsageRecord.model.in_(f.models))
    groups: dict[tuple[date, str, str, str], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0])
    for at, person, model, feature, prompt, completion, usd, source in session.execute(stmt):
        g = groups[(at.date(), person or "(nobody)", model, FEATURE_LABELS.get(feature, feature))]
        g[0] += 1
        g[1] += prompt or 0
        g[2] += completion or 0
        g[3] += usd or 0.0
        g[4] += source == "estimated"
    rows = [{"day": d, "person": p, "model": m, "feature": ft, "calls": g[0], "prompt_tokens": g[1],
             "completion_tokens": g[2], "cost_usd": round(g[3], 6), "estimated_calls": g[4]}
            for (d, p, m, ft), g in sorted(groups.items())]  # fmt: skip
    return pd.DataFrame(rows, columns=["day", "person", "model", "feature", "calls", "prompt_tokens",
                                       "completion_tokens", "cost_usd", "estimated_calls"])  # fmt: skip


def batches(session: Session, f: Filters) -> pd.DataFrame:
    stmt = select(Batch).where(Batch.created_at >= f.since, Batch.created_at < f.until).order_by(Batch.created_at)
    if f.models:
        stmt = stmt.where(Batch.model.in_(f.models))
    rows = []
    for batch in session.scalars(stmt):
        ended = session.execute(select(BatchRow.state, BatchRow.started_at, BatchRow.finished_at)
                                .where(BatchRow.batch_id == batch.id)).all()  # fmt: skip
        done = sum(1 for s, _a, _b in ended if s == "done")
        failed = sum(1 for s, _a, _b in ended if s == "failed")
        starts = [a for _s, a, _b in ended if a]
        ends = [b for _s, _a, b in ended if b]
        minutes = (max(ends) - min(starts)).total_seconds() / 60 if starts and ends else None
        rows.append({"batch": f"#{batch.id} {batch.filename}".strip(), "created": batch.created_at.date(), "rows": len(ended),
                     "done": done, "failed": failed, "minutes": round(minutes, 2) if minutes else None,
                     "rows_per_minute": round(done / minutes, 2) if minutes else None})  # fmt: skip
    return pd.DataFrame(rows, columns=["batch", "created", "rows", "done", "failed", "minutes", "rows_per_minute"])


def dashboard(session: Session, actor: Any, f: Filters) -> Dashboard:
    authorize(session, actor, "dashboard.view")
    if f.end < f.start:
        f = Filters(f.end, f.start, f.content_types, f.voices, f.models)
    if (f.end - f.start).days > MAX_DAYS:
        f = Filters(f.end - timedelta(days=MAX_DAYS), f.end, f.content_types, f.voices, f.models)
    return Dashboard(drafts_by_status(session, f), approvals(session, f), findings(session, f), overrides(session, f),
                     cost(session, f), batches(session, f), options(session))  # fmt: skip
