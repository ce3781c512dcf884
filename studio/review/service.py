"""The editorial workflow over the database: every state change goes through `transition`,
which checks the permission, the transition table (``rules``), the version the person saw and the
check verdict, then writes one audit row. Bulk changes are in ``bulk``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from studio.accounts.permissions import authorize, can, require
from studio.audit.service import record
from studio.checks.policy import ACKNOWLEDGEMENTS, acknowledgement_label, required_acknowledgements
from studio.checks.report import Report
from studio.checks.service import draft_checks, latest_report, run_checks
from studio.claims.service import ClaimsNotAcknowledged
from studio.claims.service import approval_guard as claims_guard
from studio.config import Settings, get_settings
from studio.drafting.service import check_version, get_draft
from studio.errors import PermissionDenied, StudioError
from studio.inbox.rules import FOR_TRANSITION
from studio.inbox.service import notify
from studio.models import AuditEvent, Comment, Draft, utcnow
from studio.review.assignment import reviewer_activity
from studio.review.rules import TRANSITIONS, DraftStatus, Transition, review_started, withdraw_refusal
from studio.validation import storable


class ReviewError(StudioError):
    """A refused workflow action; the message says why and what to do."""


def spec_for(action: str) -> Transition:
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise ReviewError(f"Unknown action '{action}'.")
    return spec


def status_refusal(spec: Transition, drafts: Sequence[Any]) -> ReviewError:
    """Why ``drafts`` (all in a status ``spec`` does not start from) cannot take ``spec``."""
    allowed = " or ".join(s.phrase for s in sorted(spec.sources))
    if len(drafts) == 1:
        d = drafts[0]
        return ReviewError(
            f"Draft {d.id} is {DraftStatus(d.status).phrase}, so it cannot be "
            f"{spec.participle}; that needs a draft that is {allowed}."
        )
    named = "; ".join(f"draft {d.id} is {DraftStatus(d.status).phrase}" for d in drafts[:20])
    more = f"; and {len(drafts) - 20} more" if len(drafts) > 20 else ""
    return ReviewError(
        f"Nothing was changed: {len(drafts)} drafts cannot be {spec.participle} "
        f"({named}{more}); that needs drafts that are {allowed}."
    )


def required_comment(spec: Transition, comment: str) -> str:
    comment = (comment or "").strip()
    if spec.comment_required and not comment:
        raise ReviewError(spec.comment_required)
    return comment


def transition(
    session: Session,
    draft_id: int,
    actor: Any,
    action: str,
    *,
    expected_version: int | None,
    comment: str = "",
    override_reason: str = "",
    manual_review_confirmed: bool = False,
    acknowledged_claims: Sequence[int] = (),
    acknowledged: Sequence[str] = (),
    settings: Settings | None = None,
) -> Draft:
    settings = settings or get_settings()
    spec = spec_for(action)
    storable(comment or "", "The comment", "comment")
    storable(override_reason or "", "The override reason", "override_reason")
    actor = authorize(session, actor, spec.permission)
    draft = get_draft(session, draft_id, actor)
    check_version(session, draft, expected_version)
    if draft.status not in spec.sources:
        raise status_refusal(spec, [draft])
    data: dict[str, object] = {}

    if action == "submit":
        _guard_submit(session, draft, actor)
        report = _check_outside_the_transaction(session, draft, settings)
        run_checks(session, draft, draft.current_revision, settings, report=report)
        data["verdict"] = report.verdict
        draft.submitted_at = utcnow()
    comment = required_comment(spec, comment)
    if action == "approve":
        data.update(_guard_approve(session, draft, actor, settings, override_reason, manual_review_confirmed,
                                   acknowledged, acknowledged_claims))  # fmt: skip
    if action == "withdraw":
        refusal = withdraw_refusal(draft, actor, started=review_started(draft, reviewer_activity(session, draft)))
        if refusal is not None:
            raise ReviewError(refusal)

    source = draft.status
    draft.status = spec.target.value
    draft.updated_at = utcnow()
    if comment:
        session.add(Comment(draft_id=draft.id, author_id=actor.id, body=comment))
    record(
        session,
        actor,
        f"review.{action}",
        draft_id=draft.id,
        from_status=source,
        to_status=spec.target,
        comment=comment,
        data=data or None,
    )
    session.flush()  # a stale version here is mapped to VersionConflict by db.session_scope
    if action in FOR_TRANSITION:
        notify(session, FOR_TRANSITION[action], draft, actor, detail=comment, settings=settings)
    elif action == "submit" and source == DraftStatus.CHANGES_REQUESTED:
        notify(session, "resubmitted", draft, actor, detail=comment, settings=settings)
    return draft



def _check_outside_the_transaction(session: Session, draft: Draft, settings: Settings) -> Report:
    """Run the checks of the draft's current text and publishing fields with no transaction
    open, then take the draft again, refusing if it changed meanwhile. The checks load and run a
    model; inside the write transaction every other writer would wait for them."""
    seen, revision_id = draft.version, draft.current_revision_id
    body = draft.current_revision.body
    plan = draft_checks(session, draft, settings)  # the text's settings, backends and publishing fields
    session.commit()  # only reads so far (and the command line's own account, when new)
    report = plan.run(body)
    session.refresh(draft)
    check_version(session, draft, seen)
    if draft.current_revision_id != revision_id:  # pragma: no cover - a new revision bumps the version
        raise ReviewError("The text changed while it was being checked; reload and submit again.")
    return report


def _guard_submit(session: Session, draft: Draft, actor: Any) -> None:
    if draft.author_id != actor.id and not can(actor, "draft.edit_any"):
        raise PermissionDenied("Only the author can submit this draft.")
    if draft.current_revision is None or not draft.current_revision.body.strip():
        raise ReviewError("This draft has no text yet. Generate or write it before submitting.")
    if draft.incomplete:
        raise ReviewError(
            "This draft is incomplete (its generation did not finish). Retry the generation or "
            "edit the text before submitting."
        )
    if draft.status == DraftStatus.CHANGES_REQUESTED:
        asked = session.scalar(
            select(func.max(AuditEvent.created_at)).where(
                AuditEvent.draft_id == draft.id, AuditEvent.action == "review.request_changes"
            )
        )
        if asked is not None and draft.current_revision.created_at <= asked:
            raise ReviewError(
                "Changes were requested: revise the text (a new revision) before resubmitting."
            )


def _guard_approve(
    session: Session,
    draft: Draft,
    actor: Any,
    settings: Settings,
    override_reason: str,
    manual_review_confirmed: bool,
    acknowledged: Sequence[str] = (),
    acknowledged_claims: Sequence[int] = (),
) -> dict[str, object]:
    if draft.author_id == actor.id and not settings.studio_allow_self_approval:
        raise PermissionDenied(
            "You wrote this draft, so another editor must approve it. "
            "(A one-person team can allow self-approval with STUDIO_ALLOW_SELF_APPROVAL.)"
        )
    report = latest_report(session, draft.current_revision_id) if draft.current_revision_id else None
    verdict = report.verdict if report else "unavailable"
    data: dict[str, object] = {"verdict": verdict}
    problems: list[str] = []  # every missing step at once, not one per attempt
    if verdict == "block":
        require(actor, "review.override_block")
        if not (override_reason or "").strip():
            problems.append("The checks blocked this draft. To approve it anyway, write why in the override reason.")
        data["override_reason"] = (override_reason or "").strip()
    elif verdict == "unavailable":
        if not manual_review_confirmed:
            problems.append(
                "The automatic checks could not run on this draft. Confirm that you reviewed it "
                "manually (\"I reviewed this manually\") to approve it."
            )
        data["manual_review"] = True
    findings = list(report.findings) if report else []
    try:
        data.update(acknowledgements_for(findings, acknowledged))
    except ReviewError as exc:
        problems.append(str(exc))
    try:  # the claim ledger's claims without full support, each acknowledged (studio.claims)
        data.update(claims_guard(session, draft, acknowledged_claims))
    except ClaimsNotAcknowledged as exc:
        raise ClaimsNotAcknowledged(" ".join([*problems, str(exc)])) from None
    if problems:
        raise ReviewError(" ".join(problems))
    return data


def acknowledgements_for(findings: Sequence[Any], acknowledged: Sequence[str]) -> dict[str, object]:
    """What the approval's audit row records about the warned categories, or ReviewError naming
    every warned category that was not acknowledged."""
    given = {str(k).strip() for k in acknowledged if str(k).strip()}
    unknown = sorted(given - set(ACKNOWLEDGEMENTS))
    if unknown:
        raise ReviewError(
            f"Unknown acknowledgement {', '.join(unknown)}; the categories are {', '.join(ACKNOWLEDGEMENTS)}."
        )
    required = required_acknowledgements(findings)
    missing = [k for k in required if k not in given]
    if missing:
        named = "; ".join(f"“{acknowledgement_label(k)}” ({k})" for k in missing)
        raise ReviewError(
            f"The checks warned about {len(missing)} categor{'y' if len(missing) == 1 else 'ies'}: tick each "
            f"to approve: {named}."
        )
    if not required:
        return {}
    counts = {k: sum(1 for f in findings if f.severity == "warn" and f.acknowledge == k) for k in required}
    return {
        "acknowledged": required,
        "acknowledgements": [
            {"category": k, "label": acknowledgement_label(k), "findings": counts[k]} for k in required
        ],
    }


def submit(session: Session, draft_id: int, actor: Any, expected_version: int | None, comment: str = "") -> Draft:
    return transition(session, draft_id, actor, "submit", expected_version=expected_version, comment=comment)


def approve(
    session: Session,
    draft_id: int,
    editor: Any,
    expected_version: int | None,
    comment: str = "",
    *,
    override_reason: str = "",
    manual_review_confirmed: bool = False,
    acknowledged_claims: Sequence[int] = (),
    acknowledged: Sequence[str] = (),
    settings: Settings | None = None,
) -> Draft:
    return transition(
        session, draft_id, editor, "approve", expected_version=expected_version, comment=comment,
        override_reason=override_reason, manual_review_confirmed=manual_review_confirmed,
        acknowledged=acknowledged, acknowledged_claims=acknowledged_claims, settings=settings,
    )


def request_changes(session: Session, draft_id: int, editor: Any, expected_version: int | None, comment: str) -> Draft:
    return transition(session, draft_id, editor, "request_changes", expected_version=expected_version, comment=comment)


def reject(session: Session, draft_id: int, editor: Any, expected_version: int | None, comment: str) -> Draft:
    return transition(session, draft_id, editor, "reject", expected_version=expected_version, comment=comment)

