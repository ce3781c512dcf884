"""The claim ledger as people use it: read for a draft (permission checked), and what approving
it needs: every claim that is not fully supported acknowledged by the editor, one by one,
recorded in the approval's audit row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.claims.schemas import ClaimView
from studio.drafting.service import get_draft
from studio.errors import StudioError
from studio.models import Claim, Draft, Source


class ClaimsNotAcknowledged(StudioError):
    """Approval refused: claims without full support were not acknowledged."""


def _views(session: Session, revision_id: int | None) -> list[ClaimView]:
    if revision_id is None:
        return []
    rows = session.execute(
        select(Claim, Source.title).join(Source, Source.id == Claim.source_id, isouter=True)
        .where(Claim.revision_id == revision_id).order_by(Claim.ordinal)
    )  # fmt: skip
    return [
        ClaimView(c.id, c.text, c.start, c.end, c.kind, list(c.kinds or []), c.support, c.label, c.source_id,
                  title or "", c.passage, c.method, c.note)  # fmt: skip
        for c, title in rows
    ]


def ledger(session: Session, draft_id: int, actor: Any) -> list[ClaimView]:
    """The claims of the draft's current revision, in text order."""
    draft = get_draft(session, draft_id, actor)
    return _views(session, draft.current_revision_id)


def approval_guard(session: Session, draft: Draft, acknowledged: Sequence[int]) -> dict[str, object]:
    """What the approval's audit row records about the ledger, or ClaimsNotAcknowledged naming
    every claim still to acknowledge."""
    open_claims = [c for c in _views(session, draft.current_revision_id) if c.needs_acknowledgement]
    if not open_claims:
        return {}
    given = {int(i) for i in acknowledged}
    missing = [c for c in open_claims if c.id not in given]
    if missing:
        named = "; ".join(f"#{c.id} “{_short(c.text)}” ({c.support_label.lower()})" for c in missing[:8])
        more = f"; and {len(missing) - 8} more" if len(missing) > 8 else ""
        raise ClaimsNotAcknowledged(
            f"{len(missing)} claim{'s' if len(missing) != 1 else ''} in this draft {'are' if len(missing) != 1 else 'is'} "
            f"not fully supported by its sources: acknowledge each one to approve: {named}{more}. Nothing was changed."
        )
    return {"claims_acknowledged": [
        {"id": c.id, "text": c.text, "kind": c.kind, "support": c.support} for c in open_claims
    ]}  # fmt: skip


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
