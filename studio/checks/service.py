"""Runs the check pipeline on a revision and stores the report with it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.checks.pipeline import check
from studio.config import Settings, get_settings
from studio.models import CheckReport, Draft, Finding, Revision
from studio.workspace.service import effective_settings


def run_checks(
    session: Session, draft: Draft, revision: Revision, settings: Settings | None = None
) -> CheckReport:
    # The workspace's banned terms and allowed phrases (Settings, stored in the database) apply
    # over the environment's.
    settings = effective_settings(session, settings or get_settings())
    report = check(revision.body, settings, target_words=draft.target_words)
    row = CheckReport(
        revision_id=revision.id,
        verdict=report.verdict,
        backends=[
            {"name": b.name, "status": b.status, "reason": b.reason, "tier": getattr(b, "tier", "")}
            for b in report.backends
        ],
        signals=dict(report.signals or {}),
    )
    row.findings = [
        Finding(
            category=f.category,
            label=f.label,
            start=f.start,
            end=f.end,
            text=f.text,
            severity=f.severity,
            score=f.score,
            suggestions=list(f.suggestions or []),
            rule=f.rule or "",
            note=f.note or "",
        )
        for f in report.findings
    ]
    session.add(row)
    if draft.current_revision_id in (None, revision.id):
        draft.check_verdict = report.verdict
    session.flush()
    return row


def latest_report(session: Session, revision_id: int) -> CheckReport | None:
    return session.scalars(
        select(CheckReport)
        .where(CheckReport.revision_id == revision_id)
        .order_by(CheckReport.id.desc())
        .limit(1)
    ).first()
