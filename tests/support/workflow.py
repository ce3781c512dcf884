"""Workflow steps the record-building fixtures share (feedback, precision, prompt versions)."""

from __future__ import annotations

from typing import Any

from studio.checks.policy import ACKNOWLEDGEMENTS
from studio.claims.service import ledger
from studio.db import session_scope
from studio.models import Draft
from studio.review import service as review


def approve_acknowledging_everything(engine: Any, draft_id: int, editor: Any, *, reason: str = "reviewed by hand") -> None:
    """Approve ``draft_id`` as ``editor`` with every acknowledgement an approval may need: each
    warned category, each claim its sources do not fully support, manual review and an override
    reason (the records these fixtures build are about edits, not about the checks)."""
    with session_scope(engine) as s:
        open_claims = [c.id for c in ledger(s, draft_id, editor) if c.needs_acknowledgement]
        version = s.get(Draft, draft_id).version
    with session_scope(engine) as s:
        review.approve(s, draft_id, editor, version, manual_review_confirmed=True, override_reason=reason,
                       acknowledged=list(ACKNOWLEDGEMENTS), acknowledged_claims=open_claims)  # fmt: skip
