"""Runs the moderation pipeline on a revision and stores the report with it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.config import Settings, get_settings
from studio.models import CheckReport, Draft, Finding, Revision

VERDICT_WORDS = {
    "pass": "Passed",
    "warn": "Passed with warnings",
    "block": "Blocked",
    "unavailable": "Needs manual review",
}


def run_checks(
    session: Session, draft: Draft, revision: Revision, settings: Settings | None = None
) -> CheckReport:
    from studio.moderation import check

    report = check(revision.body, settings or get_settings(), target_words=draft.target_words)
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


def apply_suggestion(
    session: Session,
    draft_id: int,
    actor,  # studio.models.User
    finding_id: int,
    suggestion: str,
    expected_version: int | None,
) -> Revision:
    """Replace a finding's words with one of its suggestions: a new revision, checked again."""
    from studio.drafts import DraftInputError, edit_text, get_draft

    draft = get_draft(session, draft_id, actor)
    finding = session.get(Finding, finding_id)
    current = draft.current_revision
    if finding is None or current is None or finding.report.revision_id != current.id:
        raise DraftInputError("That finding belongs to an older revision; reload to see the current one.")
    if suggestion not in (finding.suggestions or []):
        raise DraftInputError("That suggestion is not one the check offered.")
    body = current.body
    if body[finding.start : finding.end] != finding.text:
        raise DraftInputError("The text at that place has changed; reload to see the current findings.")
    replacement = _match_case(finding.text, suggestion)
    new_body = body[: finding.start] + replacement + body[finding.end :]
    return edit_text(
        session,
        draft_id,
        actor,
        new_body,
        expected_version,
        reason="suggestion_applied",
        note=f"“{finding.text}” → “{replacement}” ({finding.category}: {finding.label})",
    )


def _match_case(original: str, suggestion: str) -> str:
    if original.isupper() and len(original) > 1:
        return suggestion.upper()
    if original[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


def latest_report(session: Session, revision_id: int) -> CheckReport | None:
    return session.scalars(
        select(CheckReport)
        .where(CheckReport.revision_id == revision_id)
        .order_by(CheckReport.id.desc())
        .limit(1)
    ).first()
