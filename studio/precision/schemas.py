"""Plain data the precision report hands to pages and the command line."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Example:
    """One finding of a rule editors did not act on, as an admin reads it."""

    draft_id: int
    draft_title: str
    revision: int
    text: str  # the flagged words ("" for a finding about the whole text)
    context: str  # the words around them
    outcome: str  # a label, e.g. "Approved unchanged"
    allowable: bool  # the workspace allowlist can silence this phrase
    allowed: bool  # the phrase is on the allowlist already


@dataclass(frozen=True)
class RulePrecision:
    rule: str  # the rule id, e.g. gendered.guys (what the allowlist also accepts)
    category: str
    label: str
    findings: int  # every finding of the rule followed, decided or not
    suggestion_applied: int
    edited: int
    dismissed: int
    approved_unchanged: int
    overridden: int
    precision: float | None  # acted on / decided; None when nothing was decided
    interval: tuple[float, float]  # Wilson 95%
    low: bool
    examples: tuple[Example, ...]

    @property
    def acted(self) -> int:
        return self.suggestion_applied + self.edited

    @property
    def not_acted(self) -> int:
        return self.dismissed + self.approved_unchanged + self.overridden

    @property
    def decided(self) -> int:
        return self.acted + self.not_acted

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["interval"] = list(self.interval)
        d.update(acted=self.acted, not_acted=self.not_acted, decided=self.decided,
                 undecided=self.findings - self.decided)  # fmt: skip
        d["examples"] = [asdict(e) for e in self.examples]
        return d


@dataclass(frozen=True)
class PrecisionReport:
    rules: tuple[RulePrecision, ...]  # lowest precision first; undecided rules last
    drafts: int  # drafts read
    threshold: float
    min_decided: int
    since: date | datetime | None = None

    @property
    def low(self) -> tuple[RulePrecision, ...]:
        return tuple(r for r in self.rules if r.low)

    def to_dict(self) -> dict[str, Any]:
        return {
            "drafts": self.drafts,
            "threshold": self.threshold,
            "min_decided": self.min_decided,
            "since": self.since.isoformat() if self.since else None,
            "rules": [r.to_dict() for r in self.rules],
        }


@dataclass(frozen=True)
class Dismissal:
    finding_id: int
    draft_id: int
    rule: str
    text: str


@dataclass(frozen=True)
class Allowed:
    phrase: str
    added: bool  # False: it was on the allowlist already
    allowlist: tuple[str, ...]
