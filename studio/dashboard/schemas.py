"""The dashboard's filters and the tables it shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    content_types: tuple[str, ...] = ()
    voices: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=timezone.utc)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=timezone.utc)


@dataclass
class Dashboard:
    """One table per chart (pandas DataFrames), each with the columns its CSV has."""

    drafts_by_status: Any
    approvals: Any
    findings: Any
    overrides: Any
    cost: Any
    batches: Any
    options: dict[str, Any] = field(default_factory=dict)
