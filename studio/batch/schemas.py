"""Plain data the batch page and the CLI read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from studio.batch.rules import BATCH_LABELS, RowState


@dataclass(frozen=True)
class Submitted:
    batch_id: int
    rows: int
    rejected: list[dict[str, Any]]
    estimated_cost: float | None
    estimate_note: str
    budget_warning: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "rows": self.rows, "rejected": self.rejected,
                "estimated_cost": self.estimated_cost, "estimate_note": self.estimate_note,
                "budget_warning": self.budget_warning}  # fmt: skip


@dataclass(frozen=True)
class Estimate:
    cost: float | None
    note: str
    budget_left: float | None
    budget_warning: str | None


@dataclass(frozen=True)
class RowView:
    number: int
    state: str
    topic: str
    draft_id: int | None
    error: str | None
    attempts: int
    publish_date: datetime | None
    partial_chars: int = 0

    @property
    def state_label(self) -> str:
        return RowState(self.state).label

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["publish_date"] = self.publish_date.isoformat() if self.publish_date else None
        out["row"] = out.pop("number")
        return out


@dataclass(frozen=True)
class BatchView:
    id: int
    owner: str
    filename: str
    status: str
    created_at: datetime
    finished_at: datetime | None
    concurrency: int
    auto_submit: bool
    model: str
    estimated_cost: float | None
    cost_so_far: float
    counts: dict[str, int]
    rows: list[RowView] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def ended(self) -> int:
        return sum(self.counts.get(s.value, 0) for s in (RowState.DONE, RowState.FAILED, RowState.CANCELLED))

    @property
    def progress(self) -> float:
        return self.ended / self.total if self.total else 1.0

    @property
    def status_label(self) -> str:
        return BATCH_LABELS.get(self.status, self.status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.id, "owner": self.owner, "filename": self.filename, "status": self.status,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "concurrency": self.concurrency, "auto_submit": self.auto_submit, "model": self.model,
            "estimated_cost": self.estimated_cost, "cost_so_far": round(self.cost_so_far, 6),
            "counts": self.counts, "total": self.total, "rows": [r.as_dict() for r in self.rows],
        }  # fmt: skip
