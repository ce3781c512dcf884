"""Weeks of a content calendar (pure): Monday to Sunday, each day with its pieces.

A piece's stage comes from its draft's status: planned (draft, changes requested), in review,
approved, exported. Rejected drafts are not on the calendar.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

STAGES = {
    "draft": "Planned",
    "changes_requested": "Planned",
    "in_review": "In review",
    "approved": "Approved",
    "exported": "Exported",
}
STAGE_ORDER = ["Planned", "In review", "Approved", "Exported"]


@dataclass(frozen=True)
class Piece:
    draft_id: int
    title: str
    status: str
    publish_date: datetime
    author: str = ""
    incomplete: bool = False

    @property
    def stage(self) -> str:
        return STAGES[self.status]


@dataclass
class Day:
    day: date
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class Week:
    monday: date
    days: list[Day]

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STAGE_ORDER}
        for d in self.days:
            for p in d.pieces:
                out[p.stage] += 1
        return out


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks(pieces: list[Piece], first_monday: date, count: int) -> list[Week]:
    by_day: dict[date, list[Piece]] = defaultdict(list)
    for p in pieces:
        if p.status in STAGES:
            by_day[p.publish_date.date()].append(p)
    out = []
    for w in range(count):
        monday = first_monday + timedelta(weeks=w)
        days = [Day(monday + timedelta(days=i), sorted(by_day.get(monday + timedelta(days=i), []),
                                                         key=lambda p: (p.publish_date, p.draft_id)))
                for i in range(7)]  # fmt: skip
        out.append(Week(monday, days))
    return out
